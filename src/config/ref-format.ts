/**
 * Why `name` is not a valid branch name by the rules of `git check-ref-format --branch` (one level allowed),
 * or undefined when it is one. Pure: the rules of git-check-ref-format(1), without running git.
 */
export function refFormatProblem(name: string): string | undefined {
  if (name === '') return 'is empty';
  if (name === '@') return 'is the single character @';
  if (name === 'HEAD') return 'is HEAD';
  if (name.startsWith('-')) return 'starts with -';
  if (name.startsWith('/') || name.endsWith('/')) return 'starts or ends with /';
  if (name.includes('//')) return 'has two slashes in a row';
  if (name.endsWith('.')) return 'ends with a dot';
  if (name.includes('..')) return 'has two dots in a row';
  if (name.includes('@{')) return 'contains @{';
  // eslint-disable-next-line no-control-regex
  const bad = /[\u0000-\u0020\u007f~^:?*[\\]/.exec(name);
  if (bad) return `contains ${shownChar(bad[0])}`;
  for (const component of name.split('/')) {
    if (component.startsWith('.')) return `has a component starting with a dot (${JSON.stringify(component)})`;
    if (component.endsWith('.lock')) return `has a component ending with .lock (${JSON.stringify(component)})`;
  }
  return undefined;
}

/** A character for a message: control characters as \u00XX, so that the line stays readable. */
function shownChar(c: string): string {
  const code = c.charCodeAt(0);
  return code < 0x20 || code === 0x7f ? `"\\u${code.toString(16).padStart(4, '0')}"` : JSON.stringify(c);
}
