/** The build and push of one image in this run: who does it, and when it is done. */
export interface RegistryPush {
  /** The workspace whose VM builds and pushes the image. */
  workspace: string;
  /** Settles once the image is in the registry (or its build or push failed). */
  done: Promise<void>;
}

/**
 * One deploy run's builds for the registry, by image reference: the first workspace that needs an image builds
 * and pushes it, the others of the run wait for that push and then pull (src/deploy/registry-image.ts).
 */
export class RegistryPushes {
  readonly #pushes = new Map<string, RegistryPush>();

  /**
   * This run's push of `ref`: the one under way (or done) if a workspace claimed it already, else `work` run now
   * as `workspace`'s. `mine` tells the two apart.
   */
  claim(ref: string, workspace: string, work: () => Promise<void>): RegistryPush & { mine: boolean } {
    const existing = this.#pushes.get(ref);
    if (existing) return { ...existing, mine: false };
    const push = { workspace, done: work() };
    // The builder reports its own failure; a workspace waiting for it reports it again, as its own.
    push.done.catch(() => undefined);
    this.#pushes.set(ref, push);
    return { ...push, mine: true };
  }
}
