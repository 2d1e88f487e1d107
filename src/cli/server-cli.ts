import { Command } from 'commander';
import { processIo, type CliIo } from './io.js';
import { configurer, example, runProgram } from './program.js';
import { addServerCommand } from './server-command.js';

// `mlship server` on its own: the same command as in the full CLI (main.ts), parsed by a program
// that loads nothing else, so the server process does not carry the training code.

/**
 * Runs `mlship server ...` (`argv` starts with `server`) and returns the exit status, like `run`
 * in main.ts does for every command.
 *
 * @example
 * ```ts
 * process.exitCode = await run(['server', '--port', '5000']);
 * ```
 */
export async function run(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const configure = configurer(io);
  const program = configure(new Command('mlship'));
  addServerCommand(program, (parent, name) => configure(parent.command(name)), example, io);
  return runProgram(program, argv, io);
}
