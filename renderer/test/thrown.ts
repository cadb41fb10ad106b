/** The whole message of what `run` throws, so tests compare it exactly (toThrow(string) only checks a substring). */
export function thrown(run: () => unknown): string {
  try {
    run();
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('expected an error');
}
