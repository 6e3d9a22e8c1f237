/** Small helpers the HTTP benchmarks share. */

/** The value after `name` on the command line, or `fallback`. */
export function arg(argv: string[], name: string, fallback: string): string {
  const i = argv.indexOf(name);
  return i === -1 ? fallback : (argv[i + 1] ?? fallback);
}

/** One JSON API call for a benchmark's setup; anything but 2xx throws with the answer. */
export async function json(origin: string, method: string, p: string, token: string | null, body: unknown) {
  const res = await fetch(origin + p, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${p} → ${res.status} ${await res.text()}`);
  return (await res.json()) as Record<string, any>;
}
