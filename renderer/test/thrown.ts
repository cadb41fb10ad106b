/** The whole message of what `run` throws, so tests compare it exactly (toThrow(string) only checks a substring). */
export function thrown(run: () => unknown): string {
  try {
    run();
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('expected an error');
}

/** The whole message a promise rejects with, compared exactly the same way. */
export async function rejection(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('expected a rejection');
}
