import type { Argv } from '../../remote/executor.js';
import type { DotfilesSource } from '../../config/content-plan.js';

/** Tried in this order when no install_command is given, as Codespaces and DevPod do. */
export const INSTALL_SCRIPTS = ['install.sh', 'install', 'bootstrap.sh', 'bootstrap', 'script/bootstrap', 'setup.sh', 'setup', 'script/setup'] as const;

/**
 * Runs in the container as the remote user: clones the dotfiles repository into the target path (`~` is the
 * user's home there; an existing clone is kept), then runs install_command, else the first install script
 * found, else links each of its top-level dotfiles into the home folder. Values arrive as arguments, so
 * nothing in them is read as shell.
 */
export function dotfilesScript(source: DotfilesSource): Argv {
  const text = [
    'set -e',
    'url=$1 target=$2 command=$3',
    'case $target in "~") target=$HOME ;; "~/"*) target=$HOME/${target#"~/"} ;; esac',
    'export GIT_TERMINAL_PROMPT=0',
    'if [ ! -d "$target/.git" ]; then git clone --quiet --depth 1 -- "$url" "$target"; fi',
    'cd "$target"',
    'if [ -n "$command" ]; then echo "dotfiles: $command"; exec sh -c "$command"; fi',
    `for script in ${INSTALL_SCRIPTS.join(' ')}; do`,
    '  if [ -f "$script" ]; then echo "dotfiles: ./$script"; chmod +x "$script"; exec "./$script"; fi',
    'done',
    'for file in .[!.]* ..?*; do',
    '  [ -e "$file" ] || continue',
    '  [ "$file" = .git ] && continue',
    '  ln -sfn "$target/$file" "$HOME/$file" && echo "dotfiles: linked ~/$file"',
    'done',
  ].join('\n');
  return ['sh', '-c', text, 'sh', source.repository, source.targetPath, source.installCommand ?? ''];
}
