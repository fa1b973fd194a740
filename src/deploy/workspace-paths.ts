import path from 'node:path';

/**
 * The SSH user's home on a VM. The real one is known only after connecting; the builders take it as a
 * parameter, and `deploy --dry-run` uses this guess: `/root` for root, `/home/<user>` otherwise (Ubuntu's
 * default, which is what the VMs run).
 */
export function defaultHome(user: string): string {
  return user === 'root' ? '/root' : `/home/${user}`;
}

/** Where a workspace's secrets env file goes (docker's --env-file does not expand `~`, so it is absolute). */
export function envFilePath(home: string, workspace: string): string {
  return path.posix.join(home, '.kamal-dev', 'env', `${workspace}.env`);
}

/** The workspace's folder on the VM, bind-mounted at workspaceFolder so files survive a container replacement. */
export function workspaceDir(home: string, workspace: string): string {
  return path.posix.join(home, '.kamal-dev', 'workspaces', workspace);
}

/** remoteEnv as `docker exec --env-file` reads it (values may be tokens: never on a command line). */
export function remoteEnvFilePath(home: string, workspace: string): string {
  return path.posix.join(home, '.kamal-dev', 'env', `${workspace}.remote.env`);
}

/** The output of the workspace's lifecycle commands, appended at each run (`kamal-dev logs NAME --lifecycle`). */
export function lifecycleLogPath(home: string, workspace: string): string {
  return path.posix.join(home, '.kamal-dev', 'logs', `${workspace}.lifecycle.log`);
}

/** Where a Compose workspace's files are unpacked on the VM: the project folder's layout, its compose files and build contexts. */
export function composeDir(home: string, workspace: string): string {
  return path.posix.join(home, '.kamal-dev', 'compose', workspace);
}

/** The override file kamal-dev generates for a Compose workspace (passed last with `-f`). */
export function composeOverridePath(home: string, workspace: string): string {
  return path.posix.join(home, '.kamal-dev', 'compose', `${workspace}.override.yml`);
}

/** The workspace's `down -v` and label sweep, written at deploy so that `remove` needs neither the files nor the engine. */
export function composeDownScriptPath(home: string, workspace: string): string {
  return path.posix.join(home, '.kamal-dev', 'compose', `${workspace}.down.sh`);
}

/** A workspace's private build folder for one image (its context, unpacked), removed after the build. */
export function buildDir(home: string, workspace: string, hash: string): string {
  return path.posix.join(home, '.kamal-dev', 'builds', `${workspace}-${hash.slice(0, 16)}`);
}
