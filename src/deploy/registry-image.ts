import path from 'node:path';
import { registryCredential, registryHost, type RegistryConfig } from '../config/registry-schema.js';
import { dockerPush } from '../docker/build.js';
import { dockerPull } from '../docker/commands.js';
import { envFileContent } from '../docker/env-file.js';
import { dockerRegistryConfig, engineAllowsHttp } from '../docker/registry-config.js';
import type { Argv } from '../lib/argv.js';
import { AppError, CancelledError } from '../lib/errors.js';
import { ExitCode } from '../lib/exit-codes.js';
import type { Secret } from '../lib/secret.js';
import { check, runWithOutput } from '../remote/check.js';
import type { ImageContext } from './image.js';
import { CREDENTIAL_HELPER_FILE, credentialHelperScript, dockerConfigDir, dockerConfigJson, withDockerConfig } from './registry-auth.js';
import type { RegistryPushes } from './registry-pushes.js';
import type { ServicePlan } from './workspace.js';
import { envFilePath } from './workspace-paths.js';

/** Lines of a failed pull's or push's output that its message carries. */
const OUTPUT_TAIL_LINES = 15;

/** What a workspace needs to push to and pull from `registry:` (one per workspace of a deploy run). */
export interface RegistryContext {
  config: RegistryConfig;
  /** The run's builds and pushes, shared by its workspaces. */
  pushes: RegistryPushes;
  /** The workspace's env file: the credential helper reads the registry's secrets from it. */
  envFile: { path: string; content: Secret };
  /** KAMAL_DEV_INSECURE_REGISTRIES: `host:port`s reached over plain HTTP. */
  insecure: readonly string[];
}

/** A workspace's RegistryContext in a deploy run, or undefined without registry: in config/dev.yml. */
export function registryContext(
  service: ServicePlan,
  pushes: RegistryPushes,
  where: { workspace: string; home: string; insecure: readonly string[] | undefined },
): RegistryContext | undefined {
  const { registry } = service.config.config;
  if (!registry) return undefined;
  const envFile = { path: envFilePath(where.home, where.workspace), content: envFileContent(service.secrets) };
  return { config: registry, pushes, envFile, insecure: where.insecure ?? [] };
}

/** What the image steps of src/deploy/image.ts do for this flow, on the workspace's VM. */
export interface RegistryImageSteps {
  /** Builds the image on this VM, its log appended to the workspace's lifecycle log. */
  build(): Promise<void>;
  /** Appends to the workspace's lifecycle log. */
  log(title: string, exitCode: number, output: string): Promise<void>;
  /** Whether this VM has the image (another workspace of a shared VM may have built it). */
  present(): Promise<boolean>;
}

const tail = (output: string) => output.trimEnd().split('\n').slice(-OUTPUT_TAIL_LINES).join('\n');

/** Docker's words for a tag (or a repository) the registry does not have. */
const ABSENT = /manifest unknown|not found: manifest|name unknown|repository does not exist/i;
const HTTPS_TO_HTTP = /server gave HTTP response to HTTPS client/i;

/** Makes the VM ready to speak to the registry; returns how a docker command reaches it (with the kamal-dev DOCKER_CONFIG when there are credentials). */
async function registryAccess(ctx: ImageContext, registry: RegistryContext): Promise<(argv: Argv) => Argv> {
  const { server, username, password } = registry.config;
  const host = registryHost(server);
  const options = ctx.signal ? { signal: ctx.signal } : {};
  if (registry.insecure.includes(host)) {
    const info = await check(ctx.executor, dockerRegistryConfig, options);
    if (!engineAllowsHttp(info.stdout, host)) {
      throw new AppError(`registry.server ${host} is named in KAMAL_DEV_INSECURE_REGISTRIES (plain HTTP), but the Docker engine on ${ctx.executor.host} does not have it in its insecure-registries`, ExitCode.failed, {
        hint: `Add "${host}" to "insecure-registries" in /etc/docker/daemon.json on the VM and restart Docker, or serve the registry over HTTPS.`,
      });
    }
  }
  if (username === undefined || password === undefined) return (argv) => argv;
  const dir = dockerConfigDir(ctx.home, ctx.workspace);
  await ctx.executor.upload(registry.envFile.path, registry.envFile.content.reveal(), 0o600);
  await ctx.executor.upload(path.posix.join(dir, 'config.json'), dockerConfigJson(server), 0o600);
  const helper = credentialHelperScript({ server, username: registryCredential(username), password: registryCredential(password) }, registry.envFile.path);
  await ctx.executor.upload(path.posix.join(dir, CREDENTIAL_HELPER_FILE), helper, 0o700);
  return (argv) => withDockerConfig(dir, argv);
}

/** Runs a pull or push, its output kept (both streams, as a terminal shows them). */
async function runCaptured(ctx: ImageContext, argv: Argv): Promise<{ exitCode: number; output: string }> {
  const { exitCode, output } = await runWithOutput(ctx.executor, argv, ctx.signal ? { signal: ctx.signal } : {});
  return { exitCode, output: ctx.executor.redact?.(output) ?? output };
}

function registryError(what: string, ref: string, exitCode: number, output: string): AppError {
  return new AppError(`${what} of ${ref} failed (exit ${exitCode}):\n${tail(output)}`, ExitCode.failed, HTTPS_TO_HTTP.test(output)
    ? { hint: 'The registry speaks plain HTTP: name it in KAMAL_DEV_INSECURE_REGISTRIES and in the VM engine\'s insecure-registries, or serve it over HTTPS.' }
    : {});
}

/** Pulls `ref`: true when pulled, false when the registry does not have it; any other failure throws. */
async function pull(ctx: ImageContext, via: (argv: Argv) => Argv, ref: string): Promise<{ pulled: boolean; output: string }> {
  ctx.step('image.pull', ref);
  const { exitCode, output } = await runCaptured(ctx, via(dockerPull(ref)));
  if (exitCode === 0) return { pulled: true, output };
  if (ABSENT.test(output)) return { pulled: false, output };
  throw registryError('pull', ref, exitCode, output);
}

/**
 * Makes a built image (`ref`, under registry.server) present on the VM through the registry: pulled when the
 * registry has it; else built and pushed by the first workspace of the run that needs it, while the others
 * wait for that push and pull. A failed build or push fails that workspace and every one waiting for it.
 */
export async function imageViaRegistry(ctx: ImageContext, registry: RegistryContext, ref: string, steps: RegistryImageSteps): Promise<void> {
  const via = await registryAccess(ctx, registry);
  const first = await pull(ctx, via, ref);
  if (first.pulled) return steps.log(`pulled ${ref} (already in the registry)`, 0, first.output);
  const push = registry.pushes.claim(ref, ctx.workspace, async () => {
    await steps.build();
    ctx.step('image.push', ref);
    const pushed = await runCaptured(ctx, via(dockerPush(ref)));
    await steps.log(`push ${ref}`, pushed.exitCode, pushed.output);
    if (pushed.exitCode !== 0) throw registryError('push', ref, pushed.exitCode, pushed.output);
  });
  if (push.mine) return push.done;
  ctx.step('image.wait', `${ref} (built by ${push.workspace})`);
  try {
    await push.done;
  } catch (error) {
    if (error instanceof CancelledError) throw error;
    throw new AppError(`${ref}: built for this deploy by ${push.workspace}, which failed: ${(error as Error).message}`, ExitCode.failed);
  }
  if (await steps.present()) return steps.log(`${ref} built on this VM by ${push.workspace}`, 0, '');
  const second = await pull(ctx, via, ref);
  if (!second.pulled) throw new AppError(`${ref}: pushed by ${push.workspace}, but the registry does not have it:\n${tail(second.output)}`, ExitCode.failed);
  await steps.log(`pulled ${ref} (built and pushed by ${push.workspace})`, 0, second.output);
}
