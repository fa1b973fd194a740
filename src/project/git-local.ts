import { execFile } from 'node:child_process';

/** `git -C dir ARGS` on this machine: its stdout, or undefined when git fails or is missing. */
export function gitOutput(dir: string, args: readonly string[]): Promise<string | undefined> {
  return new Promise((resolve) => {
    const child = execFile('git', ['-C', dir, ...args], { encoding: 'buffer', maxBuffer: 256 * 1024 * 1024, env: { ...process.env, GIT_TERMINAL_PROMPT: '0' } }, (error, stdout) =>
      resolve(error ? undefined : stdout.toString('utf8')),
    );
    child.stdin?.end();
  });
}
