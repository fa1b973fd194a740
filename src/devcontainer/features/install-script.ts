import { idWithoutVersion } from './reference.js';
import type { ResolvedFeature } from './types.js';

/** Single-quoted for `sh`, as `'…'`: every `'` becomes `'\''`. */
const inQuotes = (text: string) => text.replaceAll("'", "'\\''");

const RULE = 'echo ===========================================================================';

/**
 * `devcontainer-features-install.sh`: the wrapper the reference CLI runs for each feature, byte for byte: a banner,
 * an error line on failure, the built-in and option env files sourced with `set -a`, then `install.sh` as root.
 */
export function installWrapper(feature: ResolvedFeature, envFile: string): string {
  const { metadata } = feature;
  const id = feature.source.kind === 'oci' ? idWithoutVersion(feature.userId) : 'Unknown';
  const name = inQuotes(metadata.name ?? metadata.id ?? '');
  const documentation = inQuotes(metadata.documentationURL ?? '');
  const help = documentation === '' ? '' : ` Look at the documentation at ${documentation} for help troubleshooting this error.`;
  const warning = metadata.deprecated
    ? `echo '(!) WARNING: Using the deprecated Feature "${inQuotes(id)}". This Feature will no longer receive any further updates/support.\n'`
    : '';
  const options = envFile === '' ? '' : inQuotes(envFile.split('\n').map((line) => `    ${line}`).join('\n'));
  return [
    '#!/bin/sh',
    'set -e',
    '',
    'on_exit () {',
    '\t[ $? -eq 0 ] && exit',
    `\techo 'ERROR: Feature "${name}" (${inQuotes(id)}) failed to install!${help}'`,
    '}',
    '',
    'trap on_exit EXIT',
    '',
    RULE,
    warning,
    `echo 'Feature       : ${name}'`,
    `echo 'Description   : ${inQuotes(metadata.description ?? '')}'`,
    `echo 'Id            : ${inQuotes(id)}'`,
    `echo 'Version       : ${inQuotes(metadata.version ?? '')}'`,
    `echo 'Documentation : ${documentation}'`,
    "echo 'Options       :'",
    `echo '${options}'`,
    RULE,
    '',
    'set -a',
    '. ../devcontainer-features.builtin.env',
    '. ./devcontainer-features.env',
    'set +a',
    '',
    'chmod +x ./install.sh',
    './install.sh',
    '',
  ].join('\n');
}
