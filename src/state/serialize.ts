import { Document, isScalar, visit } from 'yaml';

/**
 * YAML in the gem's style: block mappings, plain keys, double-quoted strings, `status` plain, no line folding
 * (host keys and error messages stay on one line).
 */
export function stringifyYaml(value: unknown): string {
  const doc = new Document(value);
  visit(doc, {
    Pair(_, pair) {
      if (isScalar(pair.key) && pair.key.value === 'status' && isScalar(pair.value)) pair.value.type = 'PLAIN';
    },
  });
  return doc.toString({ defaultStringType: 'QUOTE_DOUBLE', defaultKeyType: 'PLAIN', lineWidth: 0 });
}
