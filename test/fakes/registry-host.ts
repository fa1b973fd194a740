import { sleep } from '../../src/lib/sleep.js';
import type { Argv, ExecResult, RunOptions } from '../../src/remote/executor.js';
import { ScriptedExecutor } from './scripted-executor.js';

/**
 * A registry and VMs that build, push and pull through it, for unit tests of src/deploy/registry-image.ts: each VM
 * is a ScriptedExecutor answering from a small model (its images; what it built, pulled and pushed; its lifecycle
 * log), the registry a set of tags. `docker build` takes `buildMs`, so the other workspaces of a run find the
 * registry empty while it runs. Commands run with a DOCKER_CONFIG (withDockerConfig's `sh -c`) are answered as
 * the docker command inside, and the folder is recorded.
 */

const WITH_DOCKER_CONFIG = 'export DOCKER_CONFIG="$0" PATH="$0:$PATH"; exec "$@"';
const APPEND = 'umask 077 && mkdir -p "$(dirname "$1")" && cat >> "$1"';

export class FakeRegistry {
  readonly tags = new Set<string>();
  readonly pushes: string[] = [];
  /** Set: pulls and pushes need a DOCKER_CONFIG whose config.json (uploaded to that VM) names a helper for `host`. */
  auth: { host: string } | undefined;
}

export interface RegistryVmOptions {
  /** `docker build` fails with this output (exit 1). */
  buildFails?: string;
  buildMs?: number;
  /** What `docker info --format '{{json .RegistryConfig}}'` prints. */
  registryConfig?: unknown;
}

export class RegistryVm {
  readonly executor: ScriptedExecutor;
  readonly images = new Set<string>();
  readonly builds: string[] = [];
  /** Successful pulls. */
  readonly pulls: string[] = [];
  /** Every DOCKER_CONFIG folder a command ran with. */
  readonly dockerConfigs: string[] = [];
  log = '';

  constructor(
    ip: string,
    readonly registry: FakeRegistry,
    private readonly options: RegistryVmOptions = {},
  ) {
    this.executor = new ScriptedExecutor(ip, [{ argv: () => true, result: (argv, run) => this.#respond(argv, run), times: 'any' }]);
  }

  async #respond(argv: Argv, run: RunOptions): Promise<Partial<ExecResult>> {
    if (argv[0] === 'sh' && argv[1] === '-c' && argv[2] === WITH_DOCKER_CONFIG) {
      this.dockerConfigs.push(argv[3]!);
      return this.#docker(argv.slice(4), argv[3]);
    }
    if (argv[0] === 'sh' && argv[2] === APPEND) {
      this.log += String(run.stdin ?? '');
      return {};
    }
    if (argv[0] === 'sh' || argv[0] === 'rm' || argv[0] === 'mkdir') return {};
    return this.#docker(argv, undefined);
  }

  async #docker(argv: Argv, dockerConfig: string | undefined): Promise<Partial<ExecResult>> {
    const [, command] = argv;
    const ref = argv.at(-1)!;
    if (command === 'image' && argv[2] === 'inspect') {
      return this.images.has(ref) ? { stdout: '{"User":"","Labels":null,"Entrypoint":null,"Cmd":["sh"]}\n' } : { exitCode: 1, stderr: `Error response from daemon: No such image: ${ref}\n` };
    }
    if (command === 'info') return { stdout: `${JSON.stringify(this.options.registryConfig ?? { InsecureRegistryCIDRs: ['127.0.0.0/8'], IndexConfigs: {} })}\n` };
    if (command === 'build') {
      const tag = argv[argv.indexOf('-t') + 1]!;
      await sleep(this.options.buildMs ?? 20);
      if (this.options.buildFails !== undefined) return { exitCode: 1, stdout: this.options.buildFails };
      this.builds.push(tag);
      this.images.add(tag);
      return { stdout: `Step 1/2 : FROM base\nSuccessfully tagged ${tag}\n` };
    }
    if (command === 'pull' || command === 'push') {
      const denied = this.#denied(dockerConfig);
      if (denied) return { exitCode: 1, stderr: denied };
    }
    if (command === 'pull') {
      if (!this.registry.tags.has(ref)) return { exitCode: 1, stderr: `Error response from daemon: manifest for ${ref} not found: manifest unknown: manifest unknown\n` };
      this.images.add(ref);
      this.pulls.push(ref);
      return { stdout: `Digest: sha256:0123\nStatus: Downloaded newer image for ${ref}\n` };
    }
    if (command === 'push') {
      if (!this.images.has(ref)) return { exitCode: 1, stderr: `An image does not exist locally with the tag: ${ref}\n` };
      this.registry.tags.add(ref);
      this.registry.pushes.push(ref);
      return { stdout: `latest: digest: sha256:0123 size: 528\n` };
    }
    return { exitCode: 127, stderr: `unexpected: ${JSON.stringify(argv)}\n` };
  }

  /** The registry's answer to a client without its credential helper, if that is the case. */
  #denied(dockerConfig: string | undefined): string | undefined {
    const { auth } = this.registry;
    if (!auth) return undefined;
    const config = dockerConfig && this.executor.uploads.find((u) => u.path === `${dockerConfig}/config.json`);
    const helper = dockerConfig && this.executor.uploads.find((u) => u.path === `${dockerConfig}/docker-credential-kamal-dev`);
    const helpers = config ? (JSON.parse(String(config.content)) as { credHelpers?: Record<string, string> }).credHelpers : undefined;
    if (helper && helpers?.[auth.host] === 'kamal-dev') return undefined;
    return 'Error response from daemon: Head "http://registry/v2/": no basic auth credentials\n';
  }
}
