/** Runs one step of an end-to-end journey, naming the step in the error when it fails. */
export async function step<T>(name: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof Error) {
      error.message = `step "${name}": ${error.message}`;
      throw error;
    }
    throw new Error(`step "${name}": ${String(error)}`);
  }
}
