import { refFormatProblem } from './ref-format.js';

const PLACEHOLDER = /\{([^{}]*)\}/g;

/** git.branch with `{name}` and `{index}` of one workspace: the branch it works on. */
export function workspaceBranch(pattern: string, workspace: { name: string; index: number }): string {
  return pattern.replace(PLACEHOLDER, (whole, key: string) => (key === 'name' ? workspace.name : key === 'index' ? String(workspace.index) : whole));
}

/**
 * Why git.branch cannot give a valid branch name for the service's workspaces (checked with the names of its
 * first and its hundredth workspace), or undefined when it can.
 */
export function branchPatternProblem(pattern: string, samples: readonly { name: string; index: number }[]): string | undefined {
  for (const match of pattern.matchAll(PLACEHOLDER)) {
    if (match[1] !== 'name' && match[1] !== 'index') return `unknown placeholder {${match[1]}} (expected {name} or {index})`;
  }
  for (const sample of samples) {
    const branch = workspaceBranch(pattern, sample);
    const problem = refFormatProblem(branch);
    if (problem) return `yields ${JSON.stringify(branch)}, which is not a valid branch name: it ${problem}`;
  }
  return undefined;
}
