// `node --import <this file> ...`: installs the resolution hook that lists the modules a process loads.
import { register } from 'node:module';

register('./module-trace-hooks.mjs', import.meta.url);
