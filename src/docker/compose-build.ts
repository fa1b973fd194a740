import { stringify } from 'yaml';
import type { Argv } from '../lib/argv.js';
import { composeArgv, type ComposeInvocation } from './compose.js';

/**
 * The override of a service's build: its `image:` names what Compose tags the build as (both v1 and v2 tag a
 * service that has `build:` and `image:` so), which is engine-independent, unlike the names Compose makes up.
 */
export function composeImageOverride(service: string, ref: string): string {
  return stringify({ services: { [service]: { image: ref.replaceAll('$', '$$$$') } } }, { lineWidth: 0 });
}

/** `<engine> -p <project> -f <file>… build <service…>`. */
export function composeBuild(c: ComposeInvocation, services: readonly string[]): Argv {
  return composeArgv(c, 'build', ...services);
}

/**
 * `up` of a project whose workspace service runs an image kamal-dev made: without `--build`, which would build
 * the service's `build:` again under that image's name; Compose still builds a missing image of the others.
 */
export function composeUpNoBuild(c: ComposeInvocation, services: readonly string[] | undefined): Argv {
  return composeArgv(c, 'up', '-d', '--remove-orphans', ...(services ?? []));
}
