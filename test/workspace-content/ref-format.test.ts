import { describe, expect, it } from 'vitest';
import { branchPatternProblem, workspaceBranch } from '../../src/config/git-branch.js';
import { refFormatProblem } from '../../src/config/ref-format.js';

describe("branch names by git check-ref-format --branch's rules", () => {
  it.each(['main', 'agent/myapp-dev-1', 'task-7', 'a/b/c', 'feature_x.y', 'ü-umlaut', 'x@y'])('%s is valid', (name) => {
    expect(refFormatProblem(name)).toBeUndefined();
  });

  it.each([
    ['', 'is empty'],
    ['@', 'is the single character @'],
    ['HEAD', 'is HEAD'],
    ['-x', 'starts with -'],
    ['/a', 'starts or ends with /'],
    ['a/', 'starts or ends with /'],
    ['a//b', 'has two slashes in a row'],
    ['a.', 'ends with a dot'],
    ['a..b', 'has two dots in a row'],
    ['a@{1}', 'contains @{'],
    ['a b', 'contains " "'],
    ['a~1', 'contains "~"'],
    ['a^', 'contains "^"'],
    ['a:b', 'contains ":"'],
    ['a?', 'contains "?"'],
    ['a*', 'contains "*"'],
    ['a[b', 'contains "["'],
    ['a\\b', 'contains "\\\\"'],
    ['a\tb', 'contains "\\u0009"'],
    ['a\u007fb', 'contains "\\u007f"'],
    ['.hidden', 'has a component starting with a dot (".hidden")'],
    ['a/.b', 'has a component starting with a dot (".b")'],
    ['x.lock', 'has a component ending with .lock ("x.lock")'],
    ['x.lock/y', 'has a component ending with .lock ("x.lock")'],
  ])('%j: %s', (name, problem) => {
    expect(refFormatProblem(name)).toBe(problem);
  });
});

describe('git.branch patterns', () => {
  const samples = [
    { name: 'myapp-dev-1', index: 1 },
    { name: 'myapp-dev-100', index: 100 },
  ];

  it('expands {name} and {index}', () => {
    expect(workspaceBranch('agent/{name}', { name: 'myapp-dev-3', index: 3 })).toBe('agent/myapp-dev-3');
    expect(workspaceBranch('task-{index}/{name}', { name: 'w', index: 12 })).toBe('task-12/w');
    expect(branchPatternProblem('agent/{name}', samples)).toBeUndefined();
    expect(branchPatternProblem('task-{index}', samples)).toBeUndefined();
  });

  it('refuses an unknown placeholder and a result that is not a branch name', () => {
    expect(branchPatternProblem('agent/{nme}', samples)).toBe('unknown placeholder {nme} (expected {name} or {index})');
    expect(branchPatternProblem('{name}.lock', samples)).toBe('yields "myapp-dev-1.lock", which is not a valid branch name: it has a component ending with .lock ("myapp-dev-1.lock")');
    expect(branchPatternProblem('a b{index}', samples)).toBe('yields "a b1", which is not a valid branch name: it contains " "');
  });
});
