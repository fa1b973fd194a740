#!/usr/bin/env node
'use strict';
// CommonJS (bin/package.json): Node then starts without its ES module loader (docs/architecture.md#start-up).
require('node:module').enableCompileCache?.();
const { main } = require('../dist/main.js');

main(process.argv).then((code) => {
  process.exitCode = code;
});
