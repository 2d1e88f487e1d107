import { resolve } from 'node:path';
import type { Command } from 'commander';
import { MlshipError } from '../core/index.js';
import { loadPipeline, pipelineDot, pipelineText, runPipeline, type StageResult } from '../flow/index.js';
import { MlshipClient } from '../tracking/index.js';
import type { CliIo } from './io.js';
import { positiveInt } from './options.js';
import { trackingUriOf } from './tracking-commands.js';

// `mlship run [stage...]` (run the declarative pipeline mlship.yaml, skipping unchanged stages)
// and `mlship dag` (print its graph).

interface RunOptions {
  file: string;
  force?: boolean;
  jobs: number;
  dryRun?: boolean;
  json?: boolean;
  trackingUri?: string;
}

interface DagOptions {
  file: string;
  dot?: boolean;
  json?: boolean;
}

function describe(r: StageResult): string {
  switch (r.status) {
    case 'ran':
      return `ran in ${(r.durationMs / 1000).toFixed(1)} s (${r.reason})`;
    case 'skipped':
      return `skipped (${r.reason})`;
    case 'failed':
      return `failed${r.exitCode !== null ? ` with exit code ${r.exitCode}` : ''}`;
    case 'not-run':
      return `not run (${r.reason})`;
    case 'would-run':
      return `would run (${r.reason})`;
    default:
      return `would skip (${r.reason})`;
  }
}

/**
 * Runs a pipeline file and prints each stage as it ends (`<stage>: ran / skipped (unchanged) /
 * failed`), its command output prefixed with `[stage]` on stderr; throws (exit 1) when a stage
 * failed. With `--json`, prints the stage results as JSON instead.
 *
 * @example
 * ```ts
 * await pipelineRun(['train'], { file: 'mlship.yaml', jobs: 2 }, processIo());
 * ```
 */
export async function pipelineRun(stages: string[], opts: RunOptions, io: CliIo): Promise<void> {
  const file = resolve(io.cwd ?? process.cwd(), opts.file);
  const env = io.env ?? process.env;
  const client = opts.trackingUri !== undefined || env.MLSHIP_TRACKING_URI ? await MlshipClient.open({ trackingUri: trackingUriOf(opts, io) }) : undefined;
  try {
    const result = await runPipeline(file, {
      stages,
      force: opts.force,
      jobs: opts.jobs,
      dryRun: opts.dryRun,
      client,
      onOutput: (stage, line) => void io.stderr.write(`[${stage}] ${line}\n`),
      onStageEnd: opts.json ? undefined : (r) => void io.stdout.write(`${r.stage}: ${describe(r)}\n`),
    });
    if (opts.dryRun && !opts.json) for (const r of result.stages) io.stdout.write(`${r.stage}: ${describe(r)}\n`);
    if (opts.json) {
      const stagesJson = result.stages.map(({ log: _log, ...r }) => r);
      io.stdout.write(`${JSON.stringify({ file: result.file, ok: result.ok, flowRun: result.flowRun?.name ?? null, stages: stagesJson }, null, 2)}\n`);
    } else if (!opts.dryRun) {
      const count = (s: StageResult['status']): number => result.stages.filter((r) => r.status === s).length;
      io.stdout.write(`${count('ran')} ran, ${count('skipped')} skipped, ${count('failed')} failed, ${count('not-run')} not run\n`);
    }
    const failed = result.stages.find((r) => r.status === 'failed');
    if (failed) throw new MlshipError('COMMAND_FAILED', failed.error ?? `stage '${failed.stage}' failed`, { stage: failed.stage, exitCode: failed.exitCode });
  } finally {
    await client?.close();
  }
}

/**
 * Prints a pipeline's graph: the stages in run order with their commands, the stages they follow
 * and their deps and outs; `--dot` prints Graphviz DOT, `--json` the stages as JSON.
 *
 * @example
 * ```ts
 * pipelineDag({ file: 'mlship.yaml', dot: true }, processIo());
 * ```
 */
export function pipelineDag(opts: DagOptions, io: CliIo): void {
  const pipeline = loadPipeline(resolve(io.cwd ?? process.cwd(), opts.file));
  if (opts.json) io.stdout.write(`${JSON.stringify({ file: pipeline.file, order: pipeline.order, stages: pipeline.stages }, null, 2)}\n`);
  else io.stdout.write(opts.dot ? pipelineDot(pipeline) : pipelineText(pipeline));
}

/**
 * Adds `mlship run` and `mlship dag` to the program.
 *
 * @example
 * ```ts
 * addPipelineCommands(program, command, example, io);
 * ```
 */
export function addPipelineCommands(program: Command, command: (parent: Command, name: string) => Command, example: (lines: string) => string, io: CliIo): void {
  const format = `
The pipeline file (mlship.yaml); paths are relative to its folder, params are keys of params.yaml:
  stages:
    prepare:
      cmd: node prepare.mjs
      deps: [data/raw.csv, prepare.mjs]
      params: [prepare.split]
      outs: [data/train.csv, data/test.csv]
    train:
      cmd: node train.mjs
      deps: [data/train.csv, train.mjs]
      outs: [model.json]
      metrics: [metrics.json]
`;
  command(program, 'run')
    .description(
      'run the declarative pipeline mlship.yaml as a flow: stages in the order of their out → dep graph (independent ones at once with --jobs), each command with a shell in the pipeline folder; a stage whose cmd, deps, params and outs are unchanged since its last successful run (mlship.lock) is skipped. With stage names, runs those stages and the stages they need',
    )
    .argument('[stage...]', 'stages to run (with their upstream); default: all')
    .option('--file <path>', 'the pipeline file', 'mlship.yaml')
    .option('--force', 'rerun every selected stage, even unchanged ones')
    .option('--jobs <n>', 'how many stages may run at once', positiveInt, 1)
    .option('--dry-run', 'print what would run and why, running nothing')
    .option('--tracking-uri <uri>', 'record the flow run, stage runs and metrics in this tracking store (default: $MLSHIP_TRACKING_URI when set, else not recorded)')
    .option('--json', 'print the stage results as JSON')
    .addHelpText('after', example('mlship run\nmlship run train --jobs 2\nmlship run --force --file pipelines/mlship.yaml\nmlship run --dry-run') + format)
    .action(async (stages: string[], opts: RunOptions) => pipelineRun(stages, opts, io));

  command(program, 'dag')
    .description('print the graph of the pipeline mlship.yaml: stages in run order with their deps and outs, or Graphviz DOT with --dot')
    .option('--file <path>', 'the pipeline file', 'mlship.yaml')
    .option('--dot', 'print Graphviz DOT (render with: mlship dag --dot | dot -Tsvg > dag.svg)')
    .option('--json', 'print the stages as JSON')
    .addHelpText('after', example('mlship dag\nmlship dag --dot | dot -Tsvg > dag.svg') + format)
    .action((opts: DagOptions) => pipelineDag(opts, io));
}
