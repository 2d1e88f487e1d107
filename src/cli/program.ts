import { Command, CommanderError } from 'commander';
import { ExitStatus } from './io.js';
import { isMlshipError } from '../core/index.js';
import type { CliIo } from './io.js';

// What every mlship command program shares (the whole CLI in main.ts, and the small `mlship
// server` entry in server-cli.ts): exit statuses, error reporting, help examples, and how a
// commander command is configured. Light on purpose: it loads no training or server code.

/** Exit status of a successful command. */
export const EXIT_OK = 0;
/** Exit status of a failure reported as `error [CODE]: message`. */
export const EXIT_FAILURE = 1;
/** Exit status of a usage error (unknown command or option, bad option value). */
export const EXIT_USAGE = 2;

const ISSUES_URL = 'https://github.com/mlship/mlship/issues';

/** The `Examples:` block of a command's `--help`, one `$ command` per line. */
export function example(lines: string): string {
  return `\nExamples:\n${lines
    .trim()
    .split('\n')
    .map((l) => `  $ ${l.trim()}`)
    .join('\n')}\n`;
}

/** A function that configures a command to write to `io`, throw instead of exiting, and suggest near-miss names. */
export function configurer(io: CliIo): (cmd: Command) => Command {
  return (cmd) =>
    cmd
      .exitOverride()
      .configureOutput({
        writeOut: (s) => void io.stdout.write(s),
        writeErr: (s) => void io.stderr.write(s),
        outputError: () => undefined,
      })
      .showSuggestionAfterError(true);
}

/**
 * Prints an error the way the CLI does and returns the exit status: a usage error → 2; an
 * `MlshipError` → `error [CODE]: message` (+ `hint:`) and 1; anything else → the message, a
 * request to report it, and the stack only when `MLSHIP_DEBUG=1`, and 1.
 *
 * @example
 * ```ts
 * process.exitCode = reportError(new MlshipError('NOT_FOUND', 'no such model'), processIo());
 * ```
 */
export function reportError(err: unknown, io: CliIo): number {
  if (err instanceof CommanderError) {
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return EXIT_OK;
    if (err.code === 'commander.help' || err.code === 'commander.executeSubCommandAsync') return EXIT_USAGE;
    const message = err.message.replace(/^error:\s*/, '');
    io.stderr.write(`\nerror [INVALID_ARGUMENT]: ${message}\nhint: run the command with --help for its options and an example\n`);
    return EXIT_USAGE;
  }
  if (isMlshipError(err)) {
    io.stderr.write(`\nerror [${err.code}]: ${err.message}\n`);
    if (typeof err.details.hint === 'string') io.stderr.write(`hint: ${err.details.hint}\n`);
    if ((io.env ?? process.env).MLSHIP_DEBUG === '1' && err.stack) io.stderr.write(`${err.stack}\n`);
    return EXIT_FAILURE;
  }
  const e = err instanceof Error ? err : new Error(String(err));
  io.stderr.write(`\nerror [INTERNAL]: ${e.message}\nThis is a bug in mlship; please report it at ${ISSUES_URL} with the command you ran.`);
  if ((io.env ?? process.env).MLSHIP_DEBUG === '1') io.stderr.write(`\n${e.stack ?? ''}\n`);
  else io.stderr.write(' Set MLSHIP_DEBUG=1 to include the stack trace.\n');
  return EXIT_FAILURE;
}

/** Ends the process quietly when stdout or stderr is a closed pipe (`mlship ... | head`), as Unix tools do. */
export function quietOnClosedPipe(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw err;
    });
  }
}

/**
 * Parses `argv` with `program` and returns the exit status: 0, the status of an {@link ExitStatus}
 * a command threw after printing its result, or the status {@link reportError} gives a failure.
 *
 * @example
 * ```ts
 * process.exitCode = await runProgram(program, ['server', '--port', '5000'], processIo());
 * ```
 */
export async function runProgram(program: Command, argv: readonly string[], io: CliIo): Promise<number> {
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return EXIT_OK;
  } catch (err) {
    if (err instanceof ExitStatus) return err.status;
    return reportError(err, io);
  }
}
