/**
 * Probes a URL every `intervalMs` from its own process until told to stop (a line on stdin),
 * then prints one JSON line: how many probes, their latency percentiles and the worst one.
 * A probe is sent on schedule even while an earlier one is still waiting, so a stalled server
 * shows as long latencies rather than as fewer probes.
 */
const [url, intervalArg] = process.argv.slice(2);
const intervalMs = Number(intervalArg ?? 10);
const latencies: number[] = [];
let failures = 0;
const inFlight = new Set<Promise<void>>();

const probe = () => {
  const t0 = performance.now();
  const p = fetch(url)
    .then(async (res) => {
      await res.arrayBuffer();
      if (res.ok) latencies.push(performance.now() - t0);
      else failures++;
    })
    .catch(() => {
      failures++;
    })
    .finally(() => inFlight.delete(p));
  inFlight.add(p);
};

// One untimed call first: a process's first fetch loads its HTTP client and connects, which
// took ~30 ms here and was counted as the server's.
await fetch(url).then((res) => res.arrayBuffer());
const timer = setInterval(probe, intervalMs);
process.stdout.write('ready\n');
process.stdin.once('data', async () => {
  clearInterval(timer);
  await Promise.all(inFlight);
  latencies.sort((a, b) => a - b);
  const at = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))];
  process.stdout.write(
    `${JSON.stringify({ probes: latencies.length, failures, p50Ms: at(50), p99Ms: at(99), maxMs: latencies.at(-1) })}\n`,
  );
  process.exit(0);
});
