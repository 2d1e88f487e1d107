import { dirname, join } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { EXAMPLE_PROJECTS, type ExampleOptions, type ExampleProject, type ExampleResult, type ExampleTask } from './examples/common.js';
import { HOUSING_ALPHA_GRID, HOUSING_DEFAULT_DATA, runHousingRegression } from './examples/housing-regression.js';
import { TEXT_ALPHA_GRID, TEXT_DEFAULT_DATA, runTextClassification } from './examples/text-classification.js';
import { Progress, table, type CliIo } from './io.js';
import { portNumber, positiveInt } from './options.js';
import { trackingUriOf, withClient } from './tracking-commands.js';
import { serveModels, type ServeSignalSource } from './serve-model-command.js';

// `mlship example list` and `mlship example run <project>`: the two reference projects, each a
// flow of tasks recorded in the tracking store (see src/cli/examples/ and examples/).

/** Task results are cached next to the SQLite tracking store (`<store folder>/cache/tasks`), else under `./mlship/cache/tasks`. */
function cacheFolderOf(trackingUri: string, cwd: string): string {
  const m = /^sqlite:\/\/(\/.+)$/.exec(trackingUri);
  return m ? join(dirname(m[1]!), 'cache', 'tasks') : join(cwd, 'mlship', 'cache', 'tasks');
}

interface ExampleRunOptions {
  refresh?: boolean;
  serve?: boolean;
  port?: number;
  data?: string;
  limit?: number;
  experiment?: string;
  modelName?: string;
  trackingUri?: string;
  json?: boolean;
}

const PROJECTS: Record<ExampleProject, { run: (o: ExampleOptions) => Promise<ExampleResult>; summary: string; data: string; metric: string }> = {
  'text-classification': {
    run: runTextClassification,
    summary: `TF-IDF + MultinomialNB spam/sentiment classifier; tunes alpha over ${TEXT_ALPHA_GRID.join(', ')} (3-fold CV), promotes on F1`,
    data: `${TEXT_DEFAULT_DATA} (built-in), or an IMDB CSV / aclImdb folder / text CSV`,
    metric: 'f1',
  },
  'housing-regression': {
    run: runHousingRegression,
    summary: `impute + scale + one-hot + Ridge house-price regressor; tunes alpha over ${HOUSING_ALPHA_GRID.join(', ')} (3-fold CV), promotes on RMSE`,
    data: `${HOUSING_DEFAULT_DATA} (built-in), or a California housing CSV`,
    metric: 'rmse',
  },
};

function projectName(value: string): ExampleProject {
  if ((EXAMPLE_PROJECTS as readonly string[]).includes(value)) return value as ExampleProject;
  throw new InvalidArgumentError(`expected one of ${EXAMPLE_PROJECTS.join(', ')} (see mlship example list).`);
}

/**
 * Prints the reference projects: name, default data, what they train and the promotion metric.
 *
 * @example
 * ```ts
 * exampleList({}, processIo());
 * ```
 */
export function exampleList(opts: { json?: boolean }, io: CliIo): void {
  const rows = EXAMPLE_PROJECTS.map((name) => ({ name, data: PROJECTS[name].data, metric: PROJECTS[name].metric, summary: PROJECTS[name].summary }));
  if (opts.json) {
    io.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return;
  }
  io.stdout.write(table([['project', 'data', 'promotion metric'], ...rows.map((r) => [r.name, r.data, r.metric])]));
  for (const r of rows) io.stdout.write(`\n${r.name}: ${r.summary}\n  run it: mlship example run ${r.name}\n`);
}

function ms(t: ExampleTask): string {
  return t.durationMs === null ? '' : `${t.durationMs} ms`;
}

/** The text report of a project run: each task, then where to look. */
export function renderExample(r: ExampleResult): string {
  let out = `${r.project}: flow run ${r.flowRun} ${r.state} in ${(r.durationMs / 1000).toFixed(1)} s\n\n`;
  out += table([['task', 'state', 'time', 'what it did'], ...r.tasks.map((t) => [t.name, t.state, ms(t), t.summary])], { indent: '  ' });
  if (r.runId) {
    out += `\nrun ${r.runId} in experiment '${r.experiment}'\n`;
    for (const a of r.artifacts) out += `  artifact  ${a}\n`;
    if (r.model) out += `  model     runs:/${r.runId}/model -> ${r.model.uri}\n`;
  }
  if (r.promotion) out += `${r.promotion.promoted ? 'promoted' : 'not promoted'}: ${r.promotion.message}\n`;
  if (r.runId) {
    out += `\nwhere to look:\n  mlship runs list --experiment ${JSON.stringify(r.experiment)}\n  mlship runs show ${r.runId}\n  mlship runs logs ${r.runId}\n`;
    if (r.model) out += `  mlship model info models:/${r.model.name}@champion\n  mlship monitor profile show models:/${r.model.name}@champion\n  mlship monitor report --model ${r.model.name} --from 1h   (once the served model has answered requests)\n`;
  }
  return out;
}

/**
 * Runs a reference project end to end and prints what each task did, the run, its artifacts, the
 * registered version and the promotion (or JSON). A failed task (such as the validation gate)
 * prints the task table on stderr and fails the command with the task's error.
 *
 * @example
 * ```ts
 * await exampleRun('housing-regression', { trackingUri: 'sqlite:mlship/mlship.db' }, processIo());
 * ```
 */
export async function exampleRun(name: ExampleProject, opts: ExampleRunOptions, io: CliIo, signals: ServeSignalSource = process): Promise<ExampleResult> {
  const progress = new Progress(io.stderr, !opts.json);
  const uri = trackingUriOf(opts, io);
  const result = await withClient({ trackingUri: uri }, io, (client) =>
    PROJECTS[name].run({
      client,
      cwd: io.cwd ?? process.cwd(),
      progress,
      ...(opts.data !== undefined ? { data: opts.data } : {}),
      ...(opts.limit !== undefined ? { limit: opts.limit } : {}),
      ...(opts.experiment !== undefined ? { experiment: opts.experiment } : {}),
      ...(opts.modelName !== undefined ? { modelName: opts.modelName } : {}),
      ...(opts.refresh ? { refresh: true } : {}),
      cacheStorage: cacheFolderOf(uri, io.cwd ?? process.cwd()),
      onTask: (t) => {
        if (!opts.json) io.stderr.write(`${t.name}: ${t.state}${t.durationMs !== null ? ` in ${t.durationMs} ms` : ''}${t.state === 'Completed' ? '' : ` (${t.summary})`}\n`);
      },
    }),
  );
  if (result.error) {
    io.stderr.write(`\n${renderExample(result)}`);
    throw result.error;
  }
  if (opts.json) io.stdout.write(`${JSON.stringify({ ...result, trackingUri: uri }, null, 2)}\n`);
  else io.stdout.write(renderExample(result));
  if (opts.serve && result.model) await serveChampion(`models:/${result.model.name}@champion`, uri, opts.port ?? DEFAULT_SERVE_PORT, io, signals);
  return result;
}

/** The port `--serve` tries first. */
const DEFAULT_SERVE_PORT = 8080;

/**
 * Serves the project's champion until SIGINT/SIGTERM, following the alias (a later run that
 * promotes a better model is served without a restart). When the port is taken, a free one is
 * used and said so.
 */
async function serveChampion(modelUri: string, trackingUri: string, port: number, io: CliIo, signals: ServeSignalSource): Promise<void> {
  // The whole loop on the defaults: every prediction is logged, and the champion is monitored
  // against its reference profile (the last hour of the log, checked every minute; gauges on /metrics).
  const options = { host: '127.0.0.1', port, workers: 1, trackingUri, pollInterval: 1000, logPredictions: true, maxBatch: 10_000, bodyLimit: 16 * 2 ** 20, monitor: true, monitorWindow: 3_600_000, monitorEvery: 60_000 };
  io.stderr.write(`\nserving the champion, ${modelUri}, as the flow left it; predictions are logged and monitored\n(send shifted traffic from another terminal: npx mlship monitor simulate --url <the address below> --shift 0.5 --labels):\n`);
  try {
    await serveModels([modelUri], options, io, signals);
  } catch (err) {
    if (!isPortTaken(err) || port === 0) throw err;
    io.stderr.write(`port ${port} is taken: serving on a free port instead (choose one with --port)\n`);
    await serveModels([modelUri], { ...options, port: 0 }, io, signals);
  }
}

function isPortTaken(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown; cause?: { code?: unknown } } | null;
  return e?.code === 'EADDRINUSE' || e?.cause?.code === 'EADDRINUSE' || (typeof e?.message === 'string' && e.message.includes('EADDRINUSE'));
}

/**
 * Adds `mlship example list` and `mlship example run <project>` to the program.
 *
 * @example
 * ```ts
 * addExampleCommands(program, command, example, io);
 * ```
 */
export function addExampleCommands(program: Command, command: (parent: Command, name: string) => Command, example: (lines: string) => string, io: CliIo): void {
  const ex = command(program, 'example')
    .description('run the reference projects: each is a flow (ingest, validate, split, tune, train, evaluate, register, promote) recorded in the tracking store')
    .addHelpText('after', example('mlship example list\nmlship example run text-classification\nmlship example run housing-regression --data housing.csv'));

  command(ex, 'list')
    .description('list the reference projects, their default data and promotion metric')
    .option('--json', 'print the list as JSON')
    .addHelpText('after', example('mlship example list'))
    .action((opts: { json?: boolean }) => exampleList(opts, io));

  command(ex, 'run')
    .description(
      'run a reference project end to end as a flow: ingest the data (the built-in dataset, or --data) and record its digest, validate it (a gate that fails the flow), split 80/20 (stratified for text, seeded), tune with a small grid search and 3-fold cross-validation, train with the best params, evaluate on the test set (metrics and SVG plots as artifacts), register the model as a new version and promote it to @champion when it beats the current one',
    )
    .argument('<project>', `one of ${EXAMPLE_PROJECTS.join(', ')}`, projectName)
    .option('--data <path>', 'your data instead of the built-in dataset: an IMDB CSV, an aclImdb folder or a text CSV (text-classification); a California housing CSV (housing-regression)')
    .option('--limit <n>', 'use a seeded subsample of n rows (stratified for text), for a quick run', positiveInt)
    .option('--experiment <name>', "the experiment to record the flow run in (default: the project's name)")
    .option('--model-name <name>', "the registered model to add the version to and whose @champion it must beat (default: the project's name on the built-in data, <project>-<file name> on --data)")
    .option('--tracking-uri <uri>', 'the tracking store (default: $MLSHIP_TRACKING_URI or sqlite:mlship/mlship.db)')
    .option('--refresh', 'recompute cached task results (the grid search is cached by data digest, grid and mlship version)')
    .option('--serve', 'then serve the champion (models:/<model>@champion) over HTTP until Ctrl+C, as `mlship serve` does (npm start does this)')
    .option('--no-serve', 'do not serve (the default; undoes --serve)')
    .option('--port <port>', `with --serve: the port (default ${DEFAULT_SERVE_PORT}; a free one when it is taken)`, portNumber)
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      example(
        'mlship example run text-classification\nmlship example run text-classification --refresh\nmlship example run text-classification --serve --port 8081\nmlship example run text-classification --limit 1000\nmlship example run text-classification --data IMDB-Dataset.csv\nmlship example run housing-regression --data housing.csv --experiment california\nmlship example run housing-regression --json',
      ),
    )
    .action(async (name: ExampleProject, opts: ExampleRunOptions) => {
      await exampleRun(name, opts, io);
    });
}
