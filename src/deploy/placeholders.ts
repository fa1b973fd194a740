import { UsageError } from '../lib/errors.js';

/**
 * Expands `{name}` and `{index}` in one argument for one workspace; `{{` and `}}` are literal braces
 * (docs/commands.md#exec). Any other `{...}` is a usage error, so a typo never reaches the workspaces.
 */
export function expandPlaceholders(arg: string, values: { name: string; index: number }): string {
  return arg.replace(/\{\{|\}\}|\{([^{}]*)\}|[{}]/g, (match, key: string | undefined) => {
    if (match === '{{') return '{';
    if (match === '}}') return '}';
    if (key === 'name') return values.name;
    if (key === 'index') return String(values.index);
    throw new UsageError(`exec: unknown placeholder ${JSON.stringify(match)} in ${JSON.stringify(arg)}; known: {name}, {index} ({{ and }} for literal braces)`);
  });
}
