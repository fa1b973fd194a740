// `node --import <this file> ...`: installs the resolution hook that lists the modules a process loads, one
// `MODULE <url>` line each on stderr, and also lists what CommonJS code requires (kamal-dev's bundle is
// CommonJS, and the ESM hook does not see require()): builtins as `MODULE node:<name>`, files by their URL.
import Module, { isBuiltin, register } from 'node:module';
import { pathToFileURL } from 'node:url';

register('./module-trace-hooks.mjs', import.meta.url);

const load = Module._load;
Module._load = function traced(request, parent, ...rest) {
  if (isBuiltin(request)) process.stderr.write(`MODULE node:${request.replace(/^node:/, '')}\n`);
  else if (parent) process.stderr.write(`MODULE ${pathToFileURL(Module._resolveFilename(request, parent)).href}\n`);
  return load.call(this, request, parent, ...rest);
};
