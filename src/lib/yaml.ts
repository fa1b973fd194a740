// What commands load of yaml on demand, through `await import()` of this file: in the bundle a dynamic import of
// a CommonJS package gives only its default export (docs/architecture.md#start-up).
export { parse, stringify, YAMLError } from 'yaml';
