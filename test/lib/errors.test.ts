import { describe, expect, it } from 'vitest';
import { RemoteCommandError } from '../../src/lib/errors.js';

describe('RemoteCommandError', () => {
  it('names the host, the command, the exit code and the last line of stderr', () => {
    const error = new RemoteCommandError('198.51.100.7', 'docker pull ubuntu:24.04', 1, 'Trying...\nError response from daemon: manifest unknown\n');
    expect(error.message).toBe('198.51.100.7: `docker pull ubuntu:24.04` exited with 1: Error response from daemon: manifest unknown');
    expect(new RemoteCommandError('h', 'false', 1, '').message).toBe('h: `false` exited with 1');
  });

  it("gives docker's reason, not the pointer to --help it ends with (both CLI formats)", () => {
    const current = "docker: Error response from daemon: no space left on device\n\nRun 'docker run --help' for more information\n";
    expect(new RemoteCommandError('h', 'docker run x', 125, current).message).toBe('h: `docker run x` exited with 125: docker: Error response from daemon: no space left on device');
    const older = "docker: Error response from daemon: Conflict. The container name \"/ws-1\" is already in use.\nSee 'docker run --help'.\n";
    expect(new RemoteCommandError('h', 'docker run x', 125, older).message).toBe('h: `docker run x` exited with 125: docker: Error response from daemon: Conflict. The container name "/ws-1" is already in use.');
    // A stderr that is only the pointer keeps it.
    expect(new RemoteCommandError('h', 'docker run', 125, "Run 'docker run --help' for more information\n").message).toBe(
      "h: `docker run` exited with 125: Run 'docker run --help' for more information",
    );
  });
});
