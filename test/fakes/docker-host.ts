import { appendStdin } from '../../src/remote/script.js';
import { createHash, randomBytes } from 'node:crypto';
import path from 'node:path';
import { bindWorkspace, type ImageFacts, type ServicePlan, type WorkspacePlan } from '../../src/deploy/workspace.js';
import { parseMetadataLabel } from '../../src/devcontainer/metadata-merge.js';
import type { Argv, ExecResult } from '../../src/remote/executor.js';
import { prefix, ScriptedExecutor, type Expectation } from './scripted-executor.js';
import type { ScriptedHost } from './fake-connector.js';

/**
 * A plain Ubuntu VM with Docker, for unit tests of the lifecycle: a ScriptedExecutor whose answers come from a
 * small model of the host (its files and folders, the images pulled, the containers and what `docker inspect`
 * says of them), and helpers that script what one lifecycle operation on one workspace runs there, as exact
 * argv (the `docker run` by its prefix `docker run --detach --name NAME`).
 *
 * The model behaves as Docker does where the lifecycle depends on it: `docker run` records the labels, image and
 * published ports of the argv it was given (so a redeploy of the same plan finds the spec hash it wants), refuses
 * a missing env file or bind source, a taken name or a taken host port; `docker inspect` prints docker's JSON (and
 * `[]` with exit 1 for a missing container); `docker exec` needs a running container. Its clock is the test's.
 */

export interface DockerHostOptions {
  /** The SSH user's home (`printf %s "$HOME"`); default /root. */
  home?: string;
  /** Docker is not installed until the install script runs (`curl -fsSL <url> | sh`). Default installed. */
  dockerMissing?: boolean;
  /** The URL the install script is fetched from (settings.dockerInstallUrl); default https://get.docker.com. */
  dockerInstallUrl?: string;
  /** The host's clock (container Created/StartedAt/FinishedAt). Default a fixed time. */
  clock?: () => Date;
}

export interface ModelContainer {
  id: string;
  name: string;
  /** The image as `docker run` named it. */
  image: string;
  imageId: string;
  labels: Record<string, string>;
  status: 'created' | 'running' | 'exited';
  exitCode: number;
  created: Date;
  startedAt: Date | undefined;
  finishedAt: Date | undefined;
  /** `-p` as docker resolved it: `3000/tcp` -> host port. */
  published: Map<string, number>;
  entrypoint: string[] | undefined;
  cmd: string[];
  user: string;
  workdir: string;
  env: string[];
  mounts: string[];
  envFile: string | undefined;
  /** The whole `docker run` argv it was made by. */
  runArgv: string[];
}

export interface ExecRecord {
  container: string;
  user: string | undefined;
  workdir: string | undefined;
  env: string[];
  /** `--env-file`: where remoteEnv comes from. */
  envFile: string | undefined;
  argv: string[];
}

export interface DeployScriptOptions {
  /** `docker run` fails with this exit code and stderr (docker's own exit 125 for a daemon error); nothing is created. */
  runFails?: { exitCode: number; stderr: string };
}

export type DeployKind = 'create' | 'replace' | 'unchanged';

const NEVER = '0001-01-01T00:00:00Z';
/** What a deploy runs once Docker is up, unless vms.metadata_access: containers kept off the metadata address. */
const BLOCK_METADATA = [
  'sh',
  '-c',
  's=; [ "$(id -u)" = 0 ] || s="sudo -n"; $s iptables -C DOCKER-USER -d 169.254.169.254/32 -j REJECT 2>/dev/null || $s iptables -I DOCKER-USER -d 169.254.169.254/32 -j REJECT',
];
const DOCKER_VERSION = '28.0.1';
/** Where Linux hands out ephemeral ports (net.ipv4.ip_local_port_range), and so docker's `-p 3000`. */
const FIRST_EPHEMERAL_PORT = 32768;

const RUN_VALUE_FLAGS = new Set(['--name', '--label', '--restart', '--mount', '--env-file', '-p', '-e', '--cpus', '--memory', '--memory-swap', '--cap-add', '--security-opt', '--user', '-w', '--entrypoint']);
const RUN_BOOLEAN_FLAGS = new Set(['--detach', '--init', '--privileged']);

/** docker's timestamps: RFC 3339 with nanoseconds. */
function dockerTime(date: Date | undefined): string {
  return date === undefined ? NEVER : date.toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z');
}

const ok = (stdout = ''): Partial<ExecResult> => ({ exitCode: 0, stdout });
const failed = (exitCode: number, stderr: string): { exitCode: number; stderr: string } => ({ exitCode, stderr: stderr.endsWith('\n') ? stderr : `${stderr}\n` });
/** How docker's CLI reports a `docker run` that failed before the container ran (exit 125): the error, then a pointer to --help. */
export const runError = (message: string) => failed(125, `docker: ${message}\n\nRun 'docker run --help' for more information`);

interface UploadExpectation {
  path: string;
  mode: number;
  used: boolean;
}

/** The host's executor: a ScriptedExecutor whose uploads must be expected too, and land in the model's files. */
export class DockerHostExecutor extends ScriptedExecutor {
  readonly #expectedUploads: UploadExpectation[] = [];

  constructor(
    host: string,
    private readonly onUpload: (path: string, content: string, mode: number) => void,
  ) {
    super(host);
  }

  expectUpload(path: string, mode: number): this {
    this.#expectedUploads.push({ path, mode, used: false });
    return this;
  }

  override async upload(file: string, content: string | Buffer, mode: number): Promise<void> {
    const expected = this.#expectedUploads.find((u) => !u.used && u.path === file && u.mode === mode);
    if (expected === undefined) {
      const error = new Error(`ScriptedExecutor(${this.host}): unexpected upload of ${file} (mode ${mode.toString(8)})`);
      this.unexpected.push(error);
      throw error;
    }
    await super.upload(file, content, mode);
    expected.used = true;
    this.onUpload(file, Buffer.isBuffer(content) ? content.toString('utf8') : content, mode);
  }

  /** ScriptedExecutor's check, and every expected upload made. */
  override assertDone(): void {
    const problems = this.#expectedUploads.filter((u) => !u.used).map((u) => `never used: upload of ${u.path} (mode ${u.mode.toString(8)})`);
    try {
      super.assertDone();
    } catch (error) {
      problems.unshift(...(error as Error).message.split('\n').slice(1).map((line) => line.trim()));
    }
    if (problems.length > 0) throw new Error(`ScriptedExecutor(${this.host}): script not done:\n  ${problems.join('\n  ')}`);
  }
}

export class DockerHost implements ScriptedHost {
  readonly executor: DockerHostExecutor;
  readonly home: string;
  readonly containers = new Map<string, ModelContainer>();
  /** Files on the host: path -> content and mode (the env files). */
  readonly files = new Map<string, { content: string; mode: number }>();
  readonly dirs = new Set<string>();
  readonly images = new Map<string, string>();
  /** The config `docker image inspect` reports per image (User, Labels…); an image pulled without one has none. */
  readonly imageConfigs = new Map<string, { User?: string; Labels?: Record<string, string>; Entrypoint?: string[]; Cmd?: string[] }>();
  /** Every `docker exec` that ran, in order. */
  readonly execs: ExecRecord[] = [];
  dockerInstalled: boolean;

  readonly #installUrl: string;
  readonly #clock: () => Date;
  #nextPort = FIRST_EPHEMERAL_PORT;
  #pid = 4242;

  constructor(
    readonly ip: string,
    options: DockerHostOptions = {},
  ) {
    this.home = options.home ?? '/root';
    this.dockerInstalled = !options.dockerMissing;
    this.#installUrl = options.dockerInstallUrl ?? 'https://get.docker.com';
    this.#clock = options.clock ?? (() => new Date('2025-03-01T09:00:00.000Z'));
    this.executor = new DockerHostExecutor(ip, (file, content, mode) => {
      this.#mkdirs(path.posix.dirname(file));
      this.files.set(file, { content, mode });
    });
    this.#mkdirs(this.home);
  }

  // --- scripts of lifecycle operations on one workspace ---------------------------------------------------------

  /**
   * Scripts one deploy of one workspace on this host: the Docker check (and install when Docker is missing), the
   * metadata rule (unless vms.metadata_access), the home folder, `docker inspect`, then, unless the container is `unchanged`, the env file upload (0600), the pull,
   * `docker rm -f` of the old container (`replace`), `mkdir -p` of the workspace folder, `docker run` and every
   * lifecycle command of the plan (onCreate, updateContent, postCreate, postStart) followed by a second inspect.
   * Returns the plan as the code under test binds it on this host.
   */
  expectDeploy(service: ServicePlan, workspace: { name: string; index: number }, kind: DeployKind, options: DeployScriptOptions = {}): WorkspacePlan {
    const { name } = workspace;
    const image = service.devcontainer.json.image;
    const plan = bindWorkspace(service, { ...workspace, home: this.home }, this.imageFacts(image));
    const script: Expectation[] = [{ argv: ['sh', '-c', 'command -v docker'], result: () => this.#commandV() }];
    if (!this.dockerInstalled) {
      script.push({ argv: ['sh', '-c', `curl -fsSL ${this.#installUrl} | sh`], result: () => this.#install() });
    }
    script.push(
      { argv: ['docker', 'info', '--format', '{{.ServerVersion}}'], result: () => this.#info() },
      ...(service.config.config.vms.metadata_access ? [] : [{ argv: BLOCK_METADATA, result: ok('') }]),
      { argv: ['sh', '-c', 'printf %s "$HOME"'], result: ok(this.home) },
      // ensureImage: the image's config; pulled when missing, then read again. Workspaces of a shared VM race to pull
      // it (whichever is first), so these two are not counted; test/deploy/lifecycle/deploy.test.ts has the exact order.
      { argv: ['docker', 'image', 'inspect', '--format', '{{json .Config}}', image], result: (argv) => this.#imageConfig(argv[5]!), times: 'any' },
      { argv: ['docker', 'pull', image], result: () => this.#pull(image), times: 'any' },
      { argv: ['docker', 'inspect', '--type', 'container', name], result: (argv) => this.#inspect(argv.slice(4)), times: kind === 'unchanged' || options.runFails ? 1 : 2 },
    );
    if (kind !== 'unchanged') {
      this.executor.expectUpload(`${this.home}/.kamal-dev/env/${name}.env`, 0o600);
      if (kind === 'replace') script.push({ argv: ['docker', 'rm', '-f', name], result: () => this.#rm(name) });
      script.push(
        { argv: ['mkdir', '-p', `${this.home}/.kamal-dev/workspaces/${name}`], result: (argv) => this.#mkdir(argv.slice(2)) },
        { argv: prefix('docker', 'run', '--detach', '--name', name), result: (argv) => (options.runFails ? { ...options.runFails } : this.#run(argv)) },
      );
      if (!options.runFails) script.push(...this.#hooks(plan, ['onCreate', 'updateContent', 'postCreate']), ...this.#hooks(plan, ['postStart']));
    }
    this.executor.expect(...script);
    return plan;
  }

  /**
   * What src/deploy/hooks.ts runs for `hooks` of the plan: the remoteEnv file uploaded (0600) once, then per group
   * its commands and one append of their output to the workspace's lifecycle log.
   */
  #hooks(plan: WorkspacePlan, hooks: readonly (keyof WorkspacePlan['lifecycle'])[]): Expectation[] {
    const groups = hooks.flatMap((hook) => plan.lifecycle[hook]);
    if (groups.length === 0) return [];
    this.executor.expectUpload(plan.remoteEnvFile.path, 0o600);
    return groups.flatMap((group): Expectation[] => [
      ...group.map((command): Expectation => ({ argv: command.argv, result: (argv) => this.#exec(argv) })),
      { argv: appendStdin(plan.lifecycleLog), result: ok('') },
    ]);
  }

  /** Scripts `remove` of a workspace: `docker rm -f`, and the env file's removal when the VM stays. */
  expectRemove(name: string, keepVm: boolean): this {
    this.executor.expect({ argv: ['docker', 'rm', '-f', name], result: () => this.#rm(name) });
    if (keepVm) {
      this.executor.expect({ argv: ['sh', '-c', 'rm -f "$HOME/.kamal-dev/env/$1.env" "$HOME/.kamal-dev/env/$1.remote.env" "$HOME/.kamal-dev/logs/$1.lifecycle.log" "$HOME/.kamal-dev/sync/$1.manifest" "$HOME/.kamal-dev/sync/$1.tar"', 'rm-env', name], result: (argv) => this.#rmEnv(argv[4]!) });
    }
    return this;
  }

  /** Scripts the `docker inspect` of a status check. */
  expectInspect(name: string): this {
    this.executor.expect({ argv: ['docker', 'inspect', '--type', 'container', name], result: (argv) => this.#inspect(argv.slice(4)) });
    return this;
  }

  /** Scripts `stop`: `docker stop -t 10`. */
  expectStop(name: string): this {
    this.executor.expect({ argv: ['docker', 'stop', '-t', '10', name], result: () => this.#stop(name) });
    return this;
  }

  /** What kamal-dev reads from the image on this host (its devcontainer.metadata label, entrypoint and command). */
  imageFacts(image: string): ImageFacts {
    if (!this.images.has(image)) return { metadata: [] };
    const config = this.imageConfigs.get(image) ?? {};
    return { metadata: parseMetadataLabel(config.Labels?.['devcontainer.metadata']), entrypointAndCmd: [...(config.Entrypoint ?? []), ...(config.Cmd ?? [])] };
  }

  /** Scripts `start`: `docker start`, the home folder, the image's config, then each postStartCommand of the plan on this host. */
  expectStart(service: ServicePlan, workspace: { name: string; index: number }): WorkspacePlan {
    const image = service.devcontainer.json.image;
    const plan = bindWorkspace(service, { ...workspace, home: this.home }, this.imageFacts(image));
    this.executor.expect(
      { argv: ['docker', 'start', workspace.name], result: () => this.#start(workspace.name) },
      { argv: ['sh', '-c', 'printf %s "$HOME"'], result: ok(this.home) },
      { argv: ['docker', 'image', 'inspect', '--format', '{{json .Config}}', image], result: (argv) => this.#imageConfig(argv[5]!), times: 'any' },
      ...this.#hooks(plan, ['postStart']),
    );
    return plan;
  }

  /** Scripts what `list --rebuild` runs on a VM: `docker ps` of the service's containers, then one inspect of them all. */
  expectRebuild(service: string): this {
    this.executor.expect(
      {
        argv: ['docker', 'ps', '--all', '--no-trunc', '--filter', `label=kamal-dev.service=${service}`, '--format', '{{.Names}}'],
        result: (argv) => this.#ps(argv),
      },
      { argv: prefix('docker', 'inspect', '--type', 'container'), result: (argv) => this.#inspect(argv.slice(4)) },
    );
    return this;
  }

  // --- things that happen on the host outside kamal-dev ---------------------------------------------------------

  /** The container's main process exits (or someone ran `docker stop` by hand). */
  exitContainer(name: string, exitCode = 0): void {
    const container = this.#container(name);
    container.status = 'exited';
    container.exitCode = exitCode;
    container.finishedAt = this.#clock();
  }

  /**
   * What the host answers to `argv`, without any script: every command the helpers above script, dispatched to
   * the model (for tests of the model itself, and for expectations of their own). Anything else is exit 127.
   */
  respond(argv: Argv): Partial<ExecResult> {
    const [first] = argv;
    const words = (...w: string[]) => w.length <= argv.length && w.every((word, i) => argv[i] === word);
    if (words('sh', '-c', 'command -v docker') && argv.length === 3) return this.#commandV();
    if (words('sh', '-c', `curl -fsSL ${this.#installUrl} | sh`) && argv.length === 3) return this.#install();
    if (words('sh', '-c', 'printf %s "$HOME"') && argv.length === 3) return ok(this.home);
    if (words(...BLOCK_METADATA) && argv.length === 3) return ok('');
    if (words('sh', '-c', 'rm -f "$HOME/.kamal-dev/env/$1.env" "$HOME/.kamal-dev/env/$1.remote.env" "$HOME/.kamal-dev/logs/$1.lifecycle.log" "$HOME/.kamal-dev/sync/$1.manifest" "$HOME/.kamal-dev/sync/$1.tar"', 'rm-env') && argv.length === 5) return this.#rmEnv(argv[4]!);
    if (words('mkdir', '-p')) return this.#mkdir(argv.slice(2));
    if (first === 'docker' && !this.dockerInstalled) return failed(127, 'sh: 1: docker: not found');
    if (words('docker', 'info', '--format', '{{.ServerVersion}}')) return this.#info();
    if (words('docker', 'inspect', '--type', 'container')) return this.#inspect(argv.slice(4));
    if (words('docker', 'pull') && argv.length === 3) return this.#pull(argv[2]!);
    if (words('docker', 'image', 'inspect', '--format', '{{json .Config}}') && argv.length === 6) return this.#imageConfig(argv[5]!);
    if (words('docker', 'run')) return this.#run(argv);
    if (words('docker', 'exec')) return this.#exec(argv);
    if (words('docker', 'rm', '-f') && argv.length === 4) return this.#rm(argv[3]!);
    if (words('docker', 'stop', '-t') && argv.length === 5) return this.#stop(argv[4]!);
    if (words('docker', 'start') && argv.length === 3) return this.#start(argv[2]!);
    if (words('docker', 'ps')) return this.#ps(argv);
    return failed(127, `sh: 1: ${first ?? ''}: not found`);
  }

  // --- the commands -----------------------------------------------------------------------------------------

  #commandV(): Partial<ExecResult> {
    return this.dockerInstalled ? ok('/usr/bin/docker\n') : { exitCode: 1 };
  }

  #install(): Partial<ExecResult> {
    this.dockerInstalled = true;
    return ok('# Executing docker install script, commit: 711b8f6\n+ sh -c apt-get install -y -qq docker-ce\n');
  }

  #info(): Partial<ExecResult> {
    if (!this.dockerInstalled) return failed(127, 'sh: 1: docker: not found');
    return ok(`${DOCKER_VERSION}\n`);
  }

  #pull(image: string): Partial<ExecResult> {
    const [repo, tag = 'latest'] = image.split(':');
    const known = this.images.has(image);
    const id = `sha256:${createHash('sha256').update(image).digest('hex')}`;
    this.images.set(image, id);
    const status = known ? `Status: Image is up to date for ${image}` : `Status: Downloaded newer image for ${image}`;
    return ok(`${tag}: Pulling from library/${repo}\nDigest: ${id}\n${status}\ndocker.io/library/${image}\n`);
  }

  #imageConfig(image: string): Partial<ExecResult> {
    if (!this.images.has(image)) return failed(1, `Error response from daemon: No such image: ${image}`);
    const config = this.imageConfigs.get(image) ?? {};
    return ok(`${JSON.stringify({ User: config.User ?? '', Labels: config.Labels ?? null, Entrypoint: config.Entrypoint ?? null, Cmd: config.Cmd ?? null })}\n`);
  }

  #mkdir(dirs: string[]): Partial<ExecResult> {
    for (const dir of dirs) this.#mkdirs(dir);
    return ok();
  }

  #mkdirs(dir: string): void {
    for (let d = dir; d !== '/' && d !== '.'; d = path.posix.dirname(d)) this.dirs.add(d);
  }

  #run(argv: Argv): Partial<ExecResult> {
    const labels: Record<string, string> = {};
    const mounts: string[] = [];
    const publish: string[] = [];
    const env: string[] = [];
    let name = '';
    let envFile: string | undefined;
    let user = '';
    let workdir = '';
    let entrypoint: string[] | undefined;
    let i = 2;
    for (; i < argv.length; i++) {
      const flag = argv[i]!;
      if (RUN_BOOLEAN_FLAGS.has(flag)) continue;
      if (!flag.startsWith('-')) break;
      if (!RUN_VALUE_FLAGS.has(flag)) return failed(125, `unknown flag: ${flag}\n\nRun 'docker run --help' for more information`);
      const value = argv[++i]!;
      if (flag === '--name') name = value;
      else if (flag === '--label') {
        const at = value.indexOf('=');
        labels[value.slice(0, at)] = value.slice(at + 1);
      } else if (flag === '--mount') mounts.push(value);
      else if (flag === '--env-file') envFile = value;
      else if (flag === '-p') publish.push(value);
      else if (flag === '-e') env.push(value);
      else if (flag === '--user') user = value;
      else if (flag === '-w') workdir = value;
      else if (flag === '--entrypoint') entrypoint = [value];
    }
    const image = argv[i];
    if (image === undefined) return failed(125, `docker: 'docker run' requires at least 1 argument\n\nRun 'docker run --help' for more information`);
    const existing = this.containers.get(name);
    if (existing) {
      return runError(
        `Error response from daemon: Conflict. The container name "/${name}" is already in use by container "${existing.id}". You have to remove (or rename) that container to be able to reuse that name`,
      );
    }
    if (envFile !== undefined && !this.files.has(envFile)) return runError(`open ${envFile}: no such file or directory`);
    for (const mount of mounts) {
      const fields = Object.fromEntries(mount.split(',').map((kv) => kv.split('=') as [string, string]));
      if (fields.type === 'bind' && fields.source && !this.dirs.has(fields.source)) {
        return runError(`Error response from daemon: invalid mount config for type "bind": bind source path does not exist: ${fields.source}`);
      }
    }
    const now = this.#clock();
    const container: ModelContainer = {
      id: randomBytes(32).toString('hex'),
      name,
      image,
      imageId: this.images.get(image) ?? `sha256:${createHash('sha256').update(image).digest('hex')}`,
      labels,
      status: 'created',
      exitCode: 0,
      created: now,
      startedAt: undefined,
      finishedAt: undefined,
      published: new Map(),
      entrypoint,
      cmd: argv.slice(i + 1),
      user,
      workdir,
      env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', ...env],
      mounts,
      envFile,
      runArgv: [...argv],
    };
    this.images.set(image, container.imageId);
    this.containers.set(name, container);
    for (const spec of publish) {
      // docker's forms: CONTAINER, HOST:CONTAINER, IP:HOST:CONTAINER and IP::CONTAINER (an empty host part: docker picks).
      const parts = spec.split(':');
      const containerPart = parts.at(-1)!;
      const hostPart = parts.length === 1 ? '' : parts.at(-2)!;
      const key = containerPart.includes('/') ? containerPart : `${containerPart}/tcp`;
      const hostPort = hostPart === '' ? this.#nextPort++ : Number(hostPart);
      const taken = [...this.containers.values()].some((c) => c !== container && c.status === 'running' && [...c.published.values()].includes(hostPort));
      if (taken) {
        return runError(
          `Error response from daemon: driver failed programming external connectivity on endpoint ${name}: Bind for 0.0.0.0:${hostPort} failed: port is already allocated`,
        );
      }
      container.published.set(key, hostPort);
    }
    container.status = 'running';
    container.startedAt = now;
    return ok(`${container.id}\n`);
  }

  #inspect(names: string[]): Partial<ExecResult> {
    const found = names.map((name) => this.containers.get(name)).filter((c): c is ModelContainer => c !== undefined);
    const missing = names.filter((name) => !this.containers.has(name));
    const stdout = `${JSON.stringify(found.map((c) => this.#inspectJson(c)), null, 4)}\n`;
    return missing.length === 0 ? ok(stdout) : { exitCode: 1, stdout, stderr: missing.map((name) => `Error: No such container: ${name}\n`).join('') };
  }

  /** What `docker inspect --type container` prints for one container (the keys kamal-dev reads, and the usual others). */
  #inspectJson(c: ModelContainer): Record<string, unknown> {
    const running = c.status === 'running';
    const portBindings = Object.fromEntries([...c.published].map(([key, port]) => [key, [{ HostIp: '', HostPort: String(port) }]]));
    return {
      Id: c.id,
      Created: dockerTime(c.created),
      Path: c.entrypoint?.[0] ?? c.cmd[0] ?? '',
      Args: c.entrypoint ? c.cmd : c.cmd.slice(1),
      State: {
        Status: c.status,
        Running: running,
        Paused: false,
        Restarting: false,
        OOMKilled: false,
        Dead: false,
        Pid: running ? this.#pid : 0,
        ExitCode: c.exitCode,
        Error: '',
        StartedAt: dockerTime(c.startedAt),
        FinishedAt: dockerTime(c.finishedAt),
      },
      Image: c.imageId,
      ResolvConfPath: `/var/lib/docker/containers/${c.id}/resolv.conf`,
      HostnamePath: `/var/lib/docker/containers/${c.id}/hostname`,
      LogPath: `/var/lib/docker/containers/${c.id}/${c.id}-json.log`,
      Name: `/${c.name}`,
      RestartCount: 0,
      Driver: 'overlay2',
      Platform: 'linux',
      HostConfig: { RestartPolicy: { Name: 'unless-stopped', MaximumRetryCount: 0 }, NetworkMode: 'bridge', PortBindings: portBindings },
      Mounts: c.mounts.map((mount) => {
        const fields = Object.fromEntries(mount.split(',').map((kv) => kv.split('=') as [string, string]));
        return { Type: fields.type, Source: fields.source, Destination: fields.target, Mode: '', RW: true, Propagation: 'rprivate' };
      }),
      Config: {
        Hostname: c.id.slice(0, 12),
        Domainname: '',
        User: c.user,
        AttachStdin: false,
        AttachStdout: false,
        AttachStderr: false,
        ExposedPorts: Object.fromEntries([...c.published.keys()].map((key) => [key, {}])),
        Tty: false,
        OpenStdin: false,
        StdinOnce: false,
        Env: c.env,
        Cmd: c.cmd,
        Image: c.image,
        Volumes: null,
        WorkingDir: c.workdir,
        Entrypoint: c.entrypoint ?? null,
        OnBuild: null,
        Labels: { 'org.opencontainers.image.ref.name': 'ubuntu', 'org.opencontainers.image.version': '24.04', ...c.labels },
      },
      NetworkSettings: {
        Bridge: '',
        SandboxID: running ? c.id.slice(12, 44) : '',
        Ports: running
          ? Object.fromEntries(
              [...c.published].map(([key, port]) => [
                key,
                [
                  { HostIp: '0.0.0.0', HostPort: String(port) },
                  { HostIp: '::', HostPort: String(port) },
                ],
              ]),
            )
          : {},
        IPAddress: running ? '172.17.0.2' : '',
      },
    };
  }

  #ps(argv: Argv): Partial<ExecResult> {
    const filters = argv.flatMap((word, i) => (argv[i - 1] === '--filter' && word.startsWith('label=') ? [word.slice('label='.length)] : []));
    const matching = [...this.containers.values()].filter((c) =>
      filters.every((filter) => {
        const at = filter.indexOf('=');
        return at < 0 ? filter in c.labels : c.labels[filter.slice(0, at)] === filter.slice(at + 1);
      }),
    );
    // docker ps lists the newest first
    return ok(matching.reverse().map((c) => `${c.name}\n`).join(''));
  }

  #rm(name: string): Partial<ExecResult> {
    if (!this.containers.delete(name)) return failed(1, `Error response from daemon: No such container: ${name}`);
    return ok(`${name}\n`);
  }

  #rmEnv(name: string): Partial<ExecResult> {
    for (const file of [`env/${name}.env`, `env/${name}.remote.env`, `logs/${name}.lifecycle.log`]) this.files.delete(`${this.home}/.kamal-dev/${file}`);
    return ok();
  }

  #stop(name: string): Partial<ExecResult> {
    const container = this.containers.get(name);
    if (!container) return failed(1, `Error response from daemon: No such container: ${name}`);
    if (container.status === 'running') this.exitContainer(name, 0);
    return ok(`${name}\n`);
  }

  #start(name: string): Partial<ExecResult> {
    const container = this.containers.get(name);
    if (!container) return failed(1, `Error response from daemon: No such container: ${name}\nError: failed to start containers: ${name}`);
    if (container.status !== 'running') {
      container.status = 'running';
      container.startedAt = this.#clock();
      container.exitCode = 0;
    }
    return ok(`${name}\n`);
  }

  #exec(argv: Argv): Partial<ExecResult> {
    const record: ExecRecord = { container: '', user: undefined, workdir: undefined, env: [], envFile: undefined, argv: [] };
    let i = 2;
    for (; i < argv.length; i++) {
      const word = argv[i]!;
      if (word === '-i' || word === '-t') continue;
      if (word === '-u') record.user = argv[++i];
      else if (word === '-w') record.workdir = argv[++i];
      else if (word === '-e') record.env.push(argv[++i]!);
      else if (word === '--env-file') record.envFile = argv[++i];
      else break;
    }
    record.container = argv[i] ?? '';
    record.argv = argv.slice(i + 1);
    const container = this.containers.get(record.container);
    if (!container) return failed(1, `Error response from daemon: No such container: ${record.container}`);
    if (container.status !== 'running') return failed(1, `Error response from daemon: container ${container.id} is not running`);
    this.execs.push(record);
    return ok();
  }

  #container(name: string): ModelContainer {
    const container = this.containers.get(name);
    if (!container) throw new Error(`DockerHost(${this.ip}): no container ${name}`);
    return container;
  }
}
