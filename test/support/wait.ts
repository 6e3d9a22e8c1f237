type Falsy = false | 0 | '' | null | undefined;

/** Polls `check` until it returns something truthy, which it returns; fails after `timeoutMs`. */
export async function until<T>(
  check: () => Promise<T | Falsy> | T | Falsy,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as T;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
