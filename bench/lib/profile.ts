/**
 * CPU profile of this process's main thread over one stretch of a benchmark (`--cpu-prof FILE`):
 * only the measured part, not the setup around it. Open the file in Chrome DevTools or VS Code.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';

export interface Profiling {
  /** Writes the profile to the file given at start (nothing when none was). */
  stop(): Promise<void>;
}

export async function startProfile(file: string | undefined): Promise<Profiling> {
  if (!file) return { stop: async () => {} };
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
  return {
    async stop() {
      const { profile } = await session.post('Profiler.stop');
      writeFileSync(file, JSON.stringify(profile));
      session.disconnect();
      console.log(`cpu profile of the main thread written to ${file}`);
    },
  };
}
