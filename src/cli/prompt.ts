import { createInterface } from 'node:readline';

/** Reads all of stdin (for `herald send -` and piped input). */
export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

let piped: Promise<string[]> | undefined;

/** Lines of piped stdin, read once: answers to prompts when there is no terminal. */
async function pipedLine(): Promise<string | undefined> {
  piped ??= readStdin().then((text) => text.split(/\r?\n/));
  return (await piped).shift();
}

/** Asks on the terminal; without one, takes the next line of stdin. */
export async function ask(question: string): Promise<string | undefined> {
  if (!process.stdin.isTTY) return pipedLine();
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return await new Promise<string>((resolve) => rl.question(question, resolve));
  } finally {
    rl.close();
  }
}

/** Like ask, without echoing what is typed (passwords). */
export async function askSecret(question: string): Promise<string | undefined> {
  const stdin = process.stdin;
  if (!stdin.isTTY) return pipedLine();
  process.stderr.write(question);
  stdin.setRawMode(true);
  stdin.resume();
  stdin.setEncoding('utf8');
  try {
    return await new Promise<string | undefined>((resolve) => {
      let value = '';
      const onData = (chunk: string) => {
        for (const ch of chunk) {
          if (ch === '\r' || ch === '\n') {
            stdin.off('data', onData);
            return resolve(value);
          }
          if (ch === '\u0003' || ch === '\u0004') {
            stdin.off('data', onData);
            return resolve(undefined);
          }
          if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
          else value += ch;
        }
      };
      stdin.on('data', onData);
    });
  } finally {
    stdin.setRawMode(false);
    stdin.pause();
    process.stderr.write('\n');
  }
}
