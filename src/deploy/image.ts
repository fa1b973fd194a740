import type { ImageSource } from '../devcontainer/image-source.js';
import { dockerPull } from '../docker/commands.js';
import { assertNever } from '../lib/assert-never.js';
import { check } from '../remote/check.js';
import type { Executor } from '../remote/executor.js';
import type { StepReporter } from './runner.js';

/** Makes the workspace's image present on the VM, under the reference its `docker run` names. */
export async function prepareImage(executor: Executor, source: ImageSource, step: StepReporter, signal?: AbortSignal): Promise<void> {
  switch (source.kind) {
    case 'pull':
      step('image.pull', source.ref);
      await check(executor, dockerPull(source.ref), { signal });
      return;
    default:
      return assertNever(source.kind, 'image source');
  }
}
