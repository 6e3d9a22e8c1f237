import { Command, CommanderError } from 'commander';
import { heraldVersion } from '../config/package-root.ts';
import { CliFailure, EXIT, UsageError } from './cli-error.ts';
import { registerBackup } from './commands/backup.command.ts';
import { registerBucket } from './commands/bucket.command.ts';
import { registerEvent } from './commands/event.command.ts';
import { registerInbox } from './commands/inbox.command.ts';
import { registerLog } from './commands/log.command.ts';
import { registerLogin } from './commands/login.command.ts';
import { registerMigrate } from './commands/migrate.command.ts';
import { registerSend } from './commands/send.command.ts';
import { registerServe } from './commands/serve.command.ts';
import { registerStatus } from './commands/status.command.ts';
import { registerToken } from './commands/token.command.ts';
import { registerUser } from './commands/user.command.ts';
import { registerWatch } from './commands/watch.command.ts';

/**
 * `herald`: the server, operator commands on the local store, and client commands over the
 * public HTTP API. Command modules load the store and the server only inside their actions,
 * so `herald --help` and client commands start without them.
 */
export function buildProgram(): Command {
  const program = new Command('herald')
    .description('Herald, the self-hosted notification hub')
    .version(heraldVersion(), '-V, --version', 'print the version')
    .helpOption('-h, --help', 'print this help')
    .helpCommand('help [command]', 'print help for a command')
    .exitOverride()
    .configureOutput({
      // Parse errors are one line naming what was wrong ("unknown option '--frob'").
      outputError: (text, write) => write(`herald: ${text.replace(/^error: /, '')}`),
    })
    .addHelpText(
      'after',
      `
Client commands talk to a server: --url / HERALD_URL, --token / HERALD_TOKEN, or "herald login".
Operator commands use the store named by the server's HERALD_* variables.
Exit codes: 0 done, 1 the request or the server failed, 2 the command line is wrong.
"herald" alone runs "herald serve". See docs/cli.md.`,
    );
  registerServe(program);
  registerMigrate(program);
  registerUser(program);
  registerBackup(program);
  registerStatus(program);
  registerLogin(program);
  registerSend(program);
  registerWatch(program);
  registerInbox(program);
  registerToken(program);
  registerBucket(program);
  registerLog(program);
  registerEvent(program);
  return program;
}

function isKnownCommand(program: Command, name: string): boolean {
  return name === 'help' || program.commands.some((c) => c.name() === name || c.aliases().includes(name));
}

/** Prints an error the way the user should see it and returns the exit code. */
function report(err: unknown): number {
  if (err instanceof CommanderError) {
    // Help and --version end with code 0; everything else the parser refused is a usage error,
    // already printed by commander in one line.
    return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
  }
  if (err instanceof UsageError) {
    process.stderr.write(`herald: ${err.message}\n`);
    return EXIT.usage;
  }
  const e = err as { name?: string; message?: string; detail?: string };
  if (err instanceof CliFailure) {
    process.stderr.write(`herald: ${err.message}\n`);
  } else if (e?.name === 'ConfigError') {
    process.stderr.write(`Configuration error: ${e.message}\n`);
  } else if (e?.name === 'AppError') {
    process.stderr.write(`${`${e.message} ${e.detail ?? ''}`.trim()}\n`);
  } else {
    process.stderr.write(`herald: ${e?.message ?? String(err)}\n`);
    if (process.env.HERALD_LOG_LEVEL === 'debug' || process.env.HERALD_LOG_LEVEL === 'trace')
      console.error(err);
  }
  return EXIT.failed;
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  const args = argv.length === 0 ? ['serve'] : argv;
  const first = args[0];
  if (!first.startsWith('-') && !isKnownCommand(program, first)) {
    process.stderr.write(`Unknown command "${args.join(' ')}".\n\n${program.helpInformation()}`);
    process.exitCode = EXIT.usage;
    return;
  }
  try {
    await program.parseAsync(args, { from: 'user' });
  } catch (err) {
    process.exitCode = report(err);
  }
}
