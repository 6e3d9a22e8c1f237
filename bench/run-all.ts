/**
 * Runs every benchmark in bench/ one after another (each in its own process, so one's heap and
 * open handles do not skew the next), shows their output as it comes, then prints the figures
 * of all of them in one table.
 *
 *   npm run bench                           # node --import tsx bench/run-all.ts
 *
 * A figure is an output line of the form `label   value` (two or more spaces between); the
 * other lines are context and appear only in the live output. Figures only, no pass/fail; the
 * exit code is non-zero only when a benchmark itself failed.
 */
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SELF = path.basename(fileURLToPath(import.meta.url));
const FIGURE = /^(\S.*?)\s{2,}(\S.*)$/;

interface Row {
  bench: string;
  figure: string;
  value: string;
}

function run(file: string): Promise<{ output: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', path.join('bench', file)], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
      process.stdout.write(chunk);
    });
    child.once('error', reject);
    child.once('exit', (code) => resolve({ output, code }));
  });
}

async function main(): Promise<void> {
  const benches = readdirSync(path.join(ROOT, 'bench'))
    .filter((f) => f.endsWith('.ts') && f !== SELF)
    .sort();
  const rows: Row[] = [];
  let failed = false;
  for (const file of benches) {
    const bench = path.basename(file, '.ts');
    console.log(`\n── ${bench} ──`);
    const { output, code } = await run(file);
    for (const line of output.split('\n')) {
      const m = FIGURE.exec(line.trimEnd());
      if (m) rows.push({ bench, figure: m[1], value: m[2] });
    }
    if (code !== 0) {
      failed = true;
      rows.push({ bench, figure: 'FAILED', value: `exit code ${code}` });
    }
  }
  const width = (key: keyof Row) => Math.max(key.length, ...rows.map((r) => r[key].length));
  const [wb, wf] = [width('bench'), width('figure')];
  console.log(`\n${'bench'.padEnd(wb)}  ${'figure'.padEnd(wf)}  value`);
  console.log(`${'-'.repeat(wb)}  ${'-'.repeat(wf)}  -----`);
  for (const r of rows) console.log(`${r.bench.padEnd(wb)}  ${r.figure.padEnd(wf)}  ${r.value}`);
  if (failed) process.exitCode = 1;
}

await main();
