/**
 * What the lifecycle reports about each workspace, as data: the progress view renders it, `--progress json`
 * prints it, and tests and benchmarks wait on it (docs/commands.md#progress-and-output).
 */
export const STEPS = {
  'vm.create': 'creating VM',
  'vm.start': 'starting VM',
  'vm.wait': 'waiting for the VM to start',
  'ssh.wait': 'waiting for SSH',
  'ssh.rekey': 'waiting for cloud-init, replacing the handed host key',
  'docker.check': 'checking Docker',
  'docker.install': 'installing Docker',
  'env.upload': 'uploading env file',
  'git.check': 'checking git',
  'git.install': 'installing git',
  'git.clone': 'cloning the repository',
  'git.update': 'fetching and fast-forwarding',
  'sync.upload': 'uploading the local tree',
  'image.pull': 'pulling the image',
  'image.build': 'building the image',
  'image.features': 'installing the features into the image',
  'image.push': 'pushing the image to the registry',
  'image.wait': 'waiting for the image another workspace builds and pushes',
  'container.replace': 'removing the old container',
  'container.start': 'starting container',
  'compose.upload': 'uploading the compose files',
  'compose.build': 'building the other services of the compose project',
  'compose.up': 'starting the compose project',
  'container.stop': 'stopping container',
  'container.remove': 'removing container',
  'lifecycle.create': 'running create commands',
  'lifecycle.post-start': 'running postStartCommand',
  'lifecycle.update-content': 'running updateContentCommand',
  'dotfiles.install': 'installing dotfiles',
  'idle.install': 'installing the idle watcher',
  'vm.stop': 'stopping VM',
  'vm.stop-wait': 'waiting for the VM to stop',
  'vm.destroy': 'destroying VM',
  'vm.inspect': 'reading the VM state',
  'container.inspect': 'inspecting the container',
} as const;

export type Step = keyof typeof STEPS;

export type Outcome = 'ok' | 'failed' | 'interrupted';

export type LifecycleEvent =
  | { type: 'step'; workspace: string; step: Step; detail?: string }
  /** The workspace's last event: `summary` says what became of it ("running (created)", the error...). */
  | { type: 'done'; workspace: string; outcome: Outcome; summary: string };

export type EventSink = (event: LifecycleEvent) => void;

/** The text of an event, for people. */
export function describeEvent(event: LifecycleEvent): string {
  if (event.type === 'done') return event.summary;
  return event.detail ? `${STEPS[event.step]}: ${event.detail}` : STEPS[event.step];
}
