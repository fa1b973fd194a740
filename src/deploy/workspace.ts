import { createHash } from 'node:crypto';
import type { LoadedConfig } from '../config/load.js';
import { hookGroup, type HookCommand, type HookGroup } from '../devcontainer/lifecycle.js';
import { mountObjectArg } from '../devcontainer/mounts.js';
import type { Devcontainer } from '../devcontainer/parse.js';
import { planPorts, type PortPlan } from '../devcontainer/ports.js';
import type { CommandJson } from '../devcontainer/schema.js';
import { devcontainerId, substituteDeep } from '../devcontainer/variables.js';
import type { ImageSource } from '../devcontainer/image-source.js';
import { devcontainerEntry, mergeMetadata, type MetadataEntry } from '../devcontainer/metadata-merge.js';
import { placeDevcontainerMounts, placeMetadataMounts, type LocalBind } from '../devcontainer/workspace-mounts.js';
import type { MountObject } from '../devcontainer/schema.js';
import { dockerExec, type ExecOptions } from '../docker/commands.js';
import { envFileContent, envFileKey, remoteEnvFileContent } from '../docker/env-file.js';
import { DESTINATION_LABEL, SERVICE_LABEL, SPEC_HASH_LABEL, WORKSPACE_LABEL } from '../docker/labels.js';
import { dockerRun, type RunOptions } from '../docker/run.js';
import type { Secret } from '../lib/secret.js';
import type { Argv } from '../lib/argv.js';
import { composePlan, type ComposePlan } from './compose-plan.js';
import { composeImageOptions } from './compose-service.js';
import type { ContentPlan } from '../config/content-plan.js';
import { envFilePath, lifecycleLogPath, remoteEnvFilePath, workspaceDir } from './workspace-paths.js';

/** What every workspace of the service shares: built once per command from the loaded inputs. */
export interface ServicePlan {
  config: LoadedConfig;
  devcontainer: Devcontainer;
  /** The secrets listed under `secrets:`, in list order (see requireSecrets). */
  secrets: ReadonlyMap<string, Secret>;
  /** `NAME_B64` for each listed secret, in order. */
  envFileKeys: string[];
  /** devcontainer.json's initializeCommand: runs on this machine, in the project folder, before anything is created. */
  initialize: HookGroup;
  /** About the ports, the same for every workspace (e.g. a range that is not published). */
  warnings: string[];
  /** The git clone, synced tree and dotfiles of the workspace folders (deploy only; absent: none). */
  content?: ContentPlan;
}

/**
 * What the image on the VM says about itself: its `devcontainer.metadata` entries (for a features image, the base
 * image's and then the features', in install order) and, for overrideCommand false, its entrypoint and command.
 */
export interface ImageFacts {
  metadata: MetadataEntry[];
  entrypointAndCmd?: string[] | undefined;
  /** The image's own entrypoint and command, apart (a Compose service's override needs them so). */
  entrypoint?: string[] | undefined;
  cmd?: string[] | undefined;
}

/** Where one workspace lands: its name and index, and the home of the SSH user on its VM (found on connecting). */
export interface WorkspaceBinding {
  name: string;
  index: number;
  home: string;
  /** Compose only: the VM's engine (`docker-compose` where the v2 plugin is missing); default `docker compose`. */
  composeEngine?: readonly string[] | undefined;
}

export function buildServicePlan(input: { config: LoadedConfig; devcontainer: Devcontainer; secrets: ReadonlyMap<string, Secret> }): ServicePlan {
  return {
    ...input,
    envFileKeys: [...input.secrets.keys()].map(envFileKey),
    initialize: hookGroup(input.devcontainer.json.initializeCommand),
    warnings: planPorts(input.devcontainer.json, input.config.config.vms.spread, input.config.config.ports.public).warnings,
  };
}

/** `docker exec` commands of one lifecycle hook: groups run one after another, the commands of a group in parallel. */
export type LifecycleGroup = readonly { name: string | undefined; argv: Argv }[];

/** The hooks by their devcontainer.json names, in the order they run (for the lifecycle log). */
export const HOOK_NAMES = {
  onCreate: 'onCreateCommand',
  updateContent: 'updateContentCommand',
  postCreate: 'postCreateCommand',
  postStart: 'postStartCommand',
  postAttach: 'postAttachCommand',
} as const;

export interface WorkspaceLifecycle {
  onCreate: LifecycleGroup[];
  updateContent: LifecycleGroup[];
  postCreate: LifecycleGroup[];
  /** After every start (deploy and `start`). */
  postStart: LifecycleGroup[];
  /** On every attach: `kamal-dev ssh` and the `ssh-config` hosts, before handing over. */
  postAttach: LifecycleGroup[];
}

export interface WorkspacePlan {
  name: string;
  index: number;
  containerName: string;
  image: ImageSource;
  /** The full `docker run --detach …` (Compose: the project's `up`); secrets are only in the env file it names. */
  dockerRun: Argv;
  /** A Compose workspace: its project, files and commands on the VM (dockerRun is then its `up`). */
  compose?: ComposePlan;
  /** Also the value of the kamal-dev.spec-hash label in dockerRun. */
  specHash: string;
  envFilePath: string;
  /** `NAME_B64` for each listed secret, in order. */
  envFileKeys: string[];
  /** Upload with mode 0600 to envFilePath before dockerRun. Prints as [REDACTED]. */
  envFileContent: Secret;
  /** Must exist on the VM before dockerRun when the workspace mount uses it (the default). */
  workspaceDir: string;
  lifecycle: WorkspaceLifecycle;
  /** `-p` values of dockerRun. */
  publish: string[];
  /** Numeric published ports; hostPort undefined means docker picks it (shared VM). */
  ports: PortPlan[];
  /** `docker exec -u` user of lifecycle commands and exec (merged remoteUser, else containerUser); undefined: the image's user. */
  remoteUser: string | undefined;
  workspaceFolder: string;
  /** remoteEnv (entries set to null are left out): reaches docker exec only through remoteEnvFile. */
  remoteEnv: [string, string][];
  /** Uploaded (0600) before any `docker exec` of the plan: `--env-file` of every exec. Prints as [REDACTED]. */
  remoteEnvFile: { path: string; content: Secret };
  /** Appended to by the lifecycle commands. */
  lifecycleLog: string;
  /** Bind sources of this machine's paths: created on the VM (with a warning) before dockerRun when missing. */
  localBinds: LocalBind[];
}

/** How the workspace's commands are exec'd, as its lifecycle commands are: remoteUser, workspaceFolder, remoteEnv. */
export function execOf(plan: WorkspacePlan): Omit<ExecOptions, 'argv'> {
  return { container: plan.containerName, user: plan.remoteUser, workdir: plan.workspaceFolder, envFile: plan.remoteEnvFile.path };
}

/** `docker exec` of `argv` in the workspace (see execOf). */
export function workspaceExec(plan: WorkspacePlan, argv: Argv, terminal: { interactive?: boolean; tty?: boolean } = {}): Argv {
  return dockerExec({ ...execOf(plan), ...terminal, argv });
}

function hashOf(argv: Argv, envFileKeys: readonly string[]): string {
  return createHash('sha256').update(JSON.stringify({ argv, envFileKeys })).digest('hex');
}

/** Everything needed to run one workspace. Pure: no I/O; the same input gives the same plan. */
export function bindWorkspace(plan: ServicePlan, binding: WorkspaceBinding, image: ImageFacts = { metadata: [] }): WorkspacePlan {
  const { config, envFileKeys } = plan;
  const { name, home } = binding;
  const service = config.config.service;
  const spread = config.config.vms.spread;
  const dir = workspaceDir(home, name);
  const labels: [string, string][] = [
    [SERVICE_LABEL, service],
    [WORKSPACE_LABEL, name],
    ...(config.destination === undefined ? [] : [[DESTINATION_LABEL, config.destination] as [string, string]]),
  ];
  const id = devcontainerId(Object.fromEntries(labels));
  // The second pass of variables: per workspace. `${localWorkspaceFolder}` is left only in mounts by parseDevcontainer.
  const perWorkspace = () => (variable: string) => (variable === 'devcontainerId' ? id : variable === 'localWorkspaceFolder' ? dir : undefined);
  const substituted = substituteDeep(plan.devcontainer.json, perWorkspace);
  const onVm = { workspace: name, home, sharedVm: !spread };
  const own = placeDevcontainerMounts(substituted.mounts ?? [], plan.devcontainer.mountSources ?? [], plan.devcontainer.file ?? 'devcontainer.json', onVm);
  const json = substituted.mounts === undefined ? substituted : { ...substituted, mounts: own.mounts as typeof substituted.mounts };
  // The image's entries first, devcontainer.json's last: the reference CLI's merge order and rules.
  const merged = substituteDeep(mergeMetadata([...placeMetadataMounts(image.metadata, onVm), devcontainerEntry(json, { withRemoteEnv: true })]), perWorkspace);
  const workspaceFolder = plan.devcontainer.workspaceFolder;
  const ports = planPorts({ ...json, forwardPorts: merged.forwardPorts }, spread, config.config.ports.public);
  const workspaceMount = json.workspaceMount === undefined ? `type=bind,source=${dir},target=${workspaceFolder}` : json.workspaceMount;
  const mounts = [
    ...(workspaceMount === '' ? [] : [workspaceMount]),
    ...merged.mounts.map((mount) => (typeof mount === 'string' ? mount : mountObjectArg(mount as MountObject))),
  ];
  const envFile = envFilePath(home, name);
  const { defaults } = config.config;
  const run: RunOptions = {
    name,
    labels,
    mounts,
    envFile,
    publish: ports.publish,
    env: Object.entries(merged.containerEnv),
    cpus: defaults.cpus,
    memory: defaults.memory,
    memorySwap: defaults.memory_swap,
    init: merged.init,
    privileged: merged.privileged,
    capAdd: merged.capAdd,
    securityOpt: merged.securityOpt,
    user: merged.containerUser,
    workdir: workspaceFolder,
    runArgs: json.runArgs ?? [],
    image: plan.devcontainer.image.ref,
    keepAlive: merged.overrideCommand ?? true,
    entrypoints: merged.entrypoints,
    command: image.entrypointAndCmd,
  };
  const composeKeepAlive = merged.overrideCommand ?? false;
  const compose = plan.devcontainer.compose
    ? composePlan(plan.devcontainer.compose, { home, workspace: name, engine: binding.composeEngine }, {
        ...run,
        // devcontainer.json's own mounts are not applied to a Compose service; the image's (features') are.
        ...composeImageOptions(plan.devcontainer.image, plan.devcontainer.compose.definition, image, {
          entrypoints: merged.entrypoints,
          imageMounts: substituteDeep(mergeMetadata(placeMetadataMounts(image.metadata, onVm)).mounts, perWorkspace),
          keepAlive: composeKeepAlive,
        }),
        containerName: name,
        otherLabels: labels,
        volumes: [`${dir}:${workspaceFolder}`],
        envFile,
        workdir: workspaceFolder,
        // remoteUser is for exec only: the service's processes run as its own user unless containerUser says otherwise.
        user: merged.containerUser,
        keepAlive: composeKeepAlive,
      })
    : undefined;
  const specHash = compose ? hashOf([...compose.up, compose.overrideContent], envFileKeys) : hashOf(dockerRun(run), envFileKeys);
  const remoteUser = merged.remoteUser ?? merged.containerUser;
  const remoteEnv = Object.entries(merged.remoteEnv).filter((entry): entry is [string, string] => entry[1] !== null);
  const remoteEnvFile = { path: remoteEnvFilePath(home, name), content: remoteEnvFileContent(remoteEnv) };
  /** One group per origin (the image's entries, each feature, devcontainer.json), in the merge order. */
  const inContainer = (hook: keyof typeof merged.hooks): LifecycleGroup[] =>
    merged.hooks[hook].flatMap(({ command }) => {
      const group = hookGroup(command as CommandJson).map((cmd: HookCommand) => ({
        name: cmd.name,
        argv: dockerExec({ container: name, user: remoteUser, workdir: workspaceFolder, envFile: remoteEnvFile.path, argv: cmd.argv }),
      }));
      return group.length ? [group] : [];
    });
  return {
    name,
    index: binding.index,
    containerName: name,
    image: plan.devcontainer.image,
    dockerRun: compose ? compose.up : dockerRun({ ...run, labels: [...labels, [SPEC_HASH_LABEL, specHash]] }),
    ...(compose ? { compose } : {}),
    specHash,
    envFilePath: envFile,
    envFileKeys,
    envFileContent: envFileContent(plan.secrets),
    workspaceDir: dir,
    lifecycle: {
      onCreate: inContainer('onCreateCommand'),
      updateContent: inContainer('updateContentCommand'),
      postCreate: inContainer('postCreateCommand'),
      postStart: inContainer('postStartCommand'),
      postAttach: inContainer('postAttachCommand'),
    },
    publish: ports.publish,
    ports: ports.ports,
    remoteUser,
    workspaceFolder,
    remoteEnv,
    remoteEnvFile,
    lifecycleLog: lifecycleLogPath(home, name),
    // A Compose service gets no devcontainer.json mounts (docs/configuration.md#docker-compose).
    localBinds: compose ? [] : own.local,
  };
}
