// `node --import <this file> ...`: installs the resolution hook that lists the modules a process loads, one
// `MODULE <url>` line each on stderr, and also lists the builtins that CommonJS code requires (a bundle's
// CommonJS parts call require(), which the ESM hook does not see) as `MODULE node:<name>`.
import Module, { isBuiltin, register } from 'node:module';

register('./module-trace-hooks.mjs', import.meta.url);

const load = Module._load;
Module._load = function traced(request, ...rest) {
  if (isBuiltin(request)) process.stderr.write(`MODULE node:${request.replace(/^node:/, '')}\n`);
  return load.call(this, request, ...rest);
};
