import type { TestProject } from 'vitest/node';
import { ensureBuild } from './support/build.ts';
import { startPgCluster } from './support/postgres-cluster.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    pgUrl: string;
  }
}

/**
 * Once per run: the compiled build that spawned `herald` commands run (rebuilt only when
 * src/ changed since), and one PostgreSQL cluster; each test server gets its own database in it.
 */
export default async function setup(project: TestProject): Promise<() => void> {
  ensureBuild();
  const cluster = await startPgCluster();
  project.provide('pgUrl', cluster.url);
  return () => cluster.stop();
}
