import type { Command } from 'commander';
import type { CliIo } from './io.js';
import { addMonitorProfileCommands } from './monitor-profile-commands.js';
import { addMonitorReportCommands } from './monitor-report-commands.js';
import { addMonitorWatchCommands } from './monitor-watch-commands.js';

/**
 * Registers the `mlship monitor` group: reference profiles, drift and quality reports over the
 * prediction log, continuous monitoring with alerts, and simulated traffic.
 *
 * @example
 * ```ts
 * addMonitorCommands(program, command, example, io);
 * ```
 */
export function addMonitorCommands(program: Command, command: (parent: Command, name: string) => Command, example: (lines: string) => string, io: CliIo): Command {
  const monitor = command(program, 'monitor')
    .description("monitor served models: reference profiles, drift and quality reports over the prediction log, continuous checks with alerts and retraining, simulated traffic")
    .addHelpText('after', example('mlship monitor report --model models:/spam@champion --from 24h\nmlship monitor watch --model spam --every 1m --webhook http://127.0.0.1:9000/alerts\nmlship monitor simulate --url http://127.0.0.1:8080 --shift 0.5'));
  addMonitorProfileCommands(monitor, command, example, io);
  addMonitorReportCommands(monitor, command, example, io);
  addMonitorWatchCommands(monitor, command, example, io);
  return monitor;
}
