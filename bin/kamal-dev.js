#!/usr/bin/env node
'use strict';
// CommonJS (bin/package.json): Node then starts without its ES module loader (docs/architecture.md#start-up).
const { enableCompileCache } = require('node:module');
const path = require('node:path');

// Node 22.1+ keeps compiled code between runs; on older Node, a V8 code cache of the bundle's files does.
if (enableCompileCache) enableCompileCache();
else require('../dist/compile-cache.js').cacheCompiledBundle(path.join(__dirname, '..', 'dist'), process.env);
const { main } = require('../dist/main.js');

main(process.argv).then((code) => {
  process.exitCode = code;
});
