import pg from 'pg';
import { inject } from 'vitest';

export interface TestDatabase {
  readonly url: string;
  query<R extends pg.QueryResultRow = any>(text: string): Promise<R[]>;
  drop(): Promise<void>;
}

/** A fresh, empty database in the run's PostgreSQL cluster; drop() removes it. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const adminUrl = inject('pgUrl');
  const name = `herald_${Math.random().toString(36).slice(2, 12)}`;
  const run = async <R extends pg.QueryResultRow>(url: string, text: string): Promise<R[]> => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return (await client.query<R>(text)).rows;
    } finally {
      await client.end();
    }
  };
  await run(adminUrl, `create database ${name}`);
  const url = adminUrl.replace(/\/[^/]*$/, `/${name}`);
  return {
    url,
    query: (text) => run(url, text),
    drop: async () => {
      await run(adminUrl, `drop database if exists ${name} with (force)`);
    },
  };
}
