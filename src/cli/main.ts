#!/usr/bin/env node
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command, Option } from 'commander';
import { mlshipVersion } from '../model/index.js';
import { datasets, evaluate, modelInfo, predict, quickstart, trainText } from './commands.js';
import { addDataCommands } from './data-commands.js';
import { addDataVersionCommands } from './version-commands.js';
import { addTabularCommands } from './tabular-commands.js';
import { trackOptions } from './record-runs.js';
import { addTrackingCommands } from './tracking-commands.js';
import { addRegistryCommands } from './registry-commands.js';
import { addServerCommand } from './server-command.js';
import { addServeModelCommand } from './serve-model-command.js';
import { addFlowCommands } from './flow-commands.js';
import { addPipelineCommands } from './pipeline-commands.js';
import { addExampleCommands } from './example-commands.js';
import { addPredictionCommands } from './prediction-commands.js';
import { addMonitorCommands } from './monitor-commands.js';
import { processIo, type CliIo } from './io.js';
import { configurer, example, quietOnClosedPipe, runProgram } from './program.js';
import { collect, docFrequency, fraction, ngramRange, nonNegativeInt, oneOf, positiveInt, positiveNumber } from './options.js';

export { EXIT_OK, EXIT_FAILURE, EXIT_USAGE, reportError } from './program.js';

/** Builds the command tree; `io` receives all output. */
function buildProgram(io: CliIo): Command {
  const program = new Command('mlship');
  const configure = configurer(io);
  const command = (parent: Command, name: string): Command => configure(parent.command(name));

  configure(program)
    .description('The machine-learning lifecycle for TypeScript: train, evaluate, package and use models.')
    .version(mlshipVersion(), '-V, --version', 'print the mlship version')
    // Program options only before the command name, so a command's own --version (predictions list --version 3, models delete --version 2) is its own.
    .enablePositionalOptions()
    .addHelpText('after', example('mlship quickstart\nmlship train text --data spam-assassin --model logreg --ngram 1,2\nmlship predict --model mlship/models/tfidf-nb.mlship --text "Win a FREE cruise"'));

  trackOptions(command(program, 'quickstart'), false)
    .description('run both reference workloads end to end on the built-in datasets and save every model under ./mlship/models/: text classification on the SpamAssassin corpus (stratified 80/20 split, TF-IDF + MultinomialNB and TF-IDF(1,2) + LogisticRegression) and house-price regression on the Boston housing data (80/20 split, LinearRegression, RandomForest, HistGradientBoosting, permutation importance)')
    .addOption(new Option('--C <c>', 'inverse regularisation strength of the logistic regression').argParser(positiveNumber).default(undefined, '1.0, as scikit-learn'))
    .option('--limit <n>', 'use a stratified seeded subsample of n documents of the text corpus (faster)', positiveInt)
    .option('--test-size <fraction>', 'fraction of documents held out for testing', fraction, 0.2)
    .option('--seed <n>', 'seed of the split (and of --limit subsampling)', nonNegativeInt, 42)
    .option('--out-dir <dir>', 'directory for the model packages', 'mlship/models')
    .option('--json', 'print the results as JSON')
    .addHelpText('after', example('mlship quickstart\nmlship quickstart --limit 1500 --C 10 --json'))
    .action(async (opts) => quickstart(opts, io));

  const train = command(program, 'train')
    .description('train a model and save it as a model package')
    .addHelpText('after', example('mlship train text --data spam-assassin --model nb\nmlship train tabular --data boston-housing --model ridge,hgb'));
  trackOptions(command(train, 'text'))
    .description('train a TF-IDF text classifier (Naive Bayes or logistic regression) on a text source, evaluate it on a held-out split and save it')
    .requiredOption('--data <source>', 'a built-in dataset name (see `mlship datasets`), an IMDB CSV (review,sentiment), a CSV/JSONL file (with --text-column/--label-column), or an aclImdb directory')
    .addOption(new Option('--model <kind>', 'classifier after the TF-IDF step').choices(['nb', 'logreg']).argParser(oneOf(['nb', 'logreg'] as const)).default('nb'))
    .addOption(new Option('--ngram <min,max>', 'word n-gram range of the TF-IDF vectorizer').argParser(ngramRange).default(undefined, '1,1 for nb, 1,2 for logreg'))
    .option('--strip-html', 'remove HTML tags such as <br /> and decode entities before tokenizing (use it for the IMDB layouts)')
    .option('--min-df <df>', 'ignore terms in fewer documents than this (a count such as 2, or a fraction such as 0.001)', docFrequency)
    .option('--max-df <df>', 'ignore terms in more documents than this (a fraction such as 0.95, or a count; 1 means all documents)', docFrequency)
    .addOption(new Option('--C <c>', 'inverse regularisation strength (logreg)').argParser(positiveNumber).default(undefined, '1.0, as scikit-learn'))
    .option('--test-size <fraction>', 'fraction of documents held out for testing', fraction, 0.2)
    .option('--seed <n>', 'seed of the stratified split', nonNegativeInt, 42)
    .option('--limit <n>', 'use a stratified seeded subsample of n documents', positiveInt)
    .option('--text-column <name>', 'text column (CSV) or field (JSONL)')
    .option('--label-column <name>', 'label column (CSV) or field (JSONL)')
    .addOption(new Option('--out <path>', 'where to save the model package').default(undefined, 'mlship/models/tfidf-<model>.mlship'))
    .option('--json', 'print the results as JSON')
    .addHelpText(
      'after',
      example(`mlship train text --data spam-assassin --model logreg --ngram 1,2 --C 10
               mlship train text --data IMDB_Dataset.csv --model nb --strip-html --out imdb-nb.mlship
               mlship train text --data reviews.jsonl --text-column body --label-column stars --json
               mlship train text --data ./aclImdb --model logreg --min-df 2 --max-df 0.95`),
    )
    .action(async (opts) => trainText(opts, io));
  addTabularCommands(train, command, example, io);

  command(program, 'predict')
    .description('predict with a saved model package: labels and class probabilities for documents (text models), or values for table rows (tabular models)')
    .requiredOption('--model <file|uri>', 'a model package (.mlship) or a model URI: models:/name@alias, models:/name/3, runs:/<run id>/model')
    .option('--tracking-uri <uri>', 'the tracking store that resolves model URIs (default: $MLSHIP_TRACKING_URI or sqlite:mlship/mlship.db)')
    .option('--text <text>', 'a document to classify (repeatable)', collect)
    .option('--row <json>', 'a row for a tabular model, as a JSON object of its input columns (repeatable)', collect)
    .option('--input <file>', 'documents to classify: .jsonl (strings or objects with a text field), .csv (a text column) or .txt (one per line); for a tabular model, rows as .csv, .jsonl or .parquet')
    .option('--text-column <name>', "field/column of --input holding the text (default: the model signature's input, usually 'text')")
    .option('--json', 'print the predictions as JSON (with --output: the run report)')
    .option('--output <file>', 'batch mode: stream --input in chunks on worker threads and write the predictions to this .csv or .jsonl file (with a checkpoint for --resume)')
    .option('--chunk-size <n>', 'batch mode: rows per chunk, the unit of work, output write and checkpoint (default: 10000)', positiveInt)
    .option('--workers <n>', 'batch mode: worker threads (0: predict on the main thread) (default: the number of cores)', nonNegativeInt)
    .option('--rejects <file>', 'batch mode: where bad rows go, as JSON lines with line, row, reason and raw row (default: <output>.rejects.jsonl)')
    .option('--id-column <name>', "batch mode: the input's id column, copied to the output; without one, rows are numbered (default: id)")
    .option('--resume', 'batch mode: continue an interrupted run from <output>.checkpoint.json')
    .option('--restart', 'batch mode: discard the checkpoint of an interrupted run and start over')
    .addHelpText('after', example('mlship predict --model mlship/models/tfidf-nb.mlship --text "Win a FREE cruise" --text "Meeting at 3pm"\nmlship predict --model mlship/models/tfidf-logreg.mlship --input emails.jsonl --json\nmlship predict --model mlship/models/housing-hgb.mlship --input houses.csv\nmlship predict --model models:/spam@champion --input emails.jsonl --output scored.csv --workers 4\nmlship predict --model models:/spam@champion --input emails.jsonl --output scored.csv --resume'))
    .action(async (opts) => predict(opts, io));

  command(program, 'evaluate')
    .description('evaluate a saved model package on a labelled dataset: classification report, accuracy, F1, ROC-AUC, confusion matrix')
    .requiredOption('--model <file|uri>', 'a model package (.mlship) or a model URI: models:/name@alias, models:/name/3, runs:/<run id>/model')
    .option('--tracking-uri <uri>', 'the tracking store that resolves model URIs (default: $MLSHIP_TRACKING_URI or sqlite:mlship/mlship.db)')
    .requiredOption('--data <source>', 'a built-in dataset name, an IMDB CSV, a CSV/JSONL file or an aclImdb directory')
    .option('--limit <n>', 'use a stratified seeded subsample of n documents', positiveInt)
    .option('--seed <n>', 'seed of the --limit subsample', nonNegativeInt, 42)
    .option('--text-column <name>', 'text column (CSV) or field (JSONL)')
    .option('--label-column <name>', 'label column (CSV) or field (JSONL)')
    .option('--json', 'print the results as JSON')
    .addHelpText('after', example('mlship evaluate --model mlship/models/tfidf-nb.mlship --data spam-assassin'))
    .action(async (opts) => evaluate(opts, io));

  const model = command(program, 'model')
    .description('inspect model packages')
    .addHelpText('after', example('mlship model info mlship/models/tfidf-nb.mlship'));
  command(model, 'info')
    .description('show the metadata of a model package (estimator, params, classes, signature, metrics, tags) without loading its arrays')
    .argument('<file|uri>', 'a model package (.mlship) or a model URI: models:/name@alias, models:/name/3, runs:/<run id>/model')
    .option('--tracking-uri <uri>', 'the tracking store that resolves model URIs (default: $MLSHIP_TRACKING_URI or sqlite:mlship/mlship.db)')
    .option('--json', 'print the metadata as JSON')
    .addHelpText('after', example('mlship model info mlship/models/tfidf-nb.mlship\nmlship model info model.mlship --json'))
    .action(async (file: string, opts) => modelInfo(file, opts, io));

  addDataCommands(program, command, example, io);
  addDataVersionCommands(program, command, example, io);
  addTrackingCommands(program, command, example, io);
  addRegistryCommands(program, command, example, io);
  addServerCommand(program, command, example, io);
  addServeModelCommand(program, command, example, io);
  addFlowCommands(program, command, example, io);
  addPipelineCommands(program, command, example, io);
  addExampleCommands(program, command, example, io);
  addPredictionCommands(program, command, example, io);
  addMonitorCommands(program, command, example, io);

  command(program, 'datasets')
    .description('list the built-in datasets')
    .option('--json', 'print the list as JSON')
    .addHelpText('after', example('mlship datasets'))
    .action((opts) => datasets(opts, io));

  return program;
}

/**
 * Runs the mlship CLI in process with `argv` (the arguments after `mlship`) and returns the exit
 * status: 0 on success, 1 on a failure (printed as `error [CODE]: message`), 2 on a usage error.
 * Never throws.
 *
 * @example
 * ```ts
 * let out = '';
 * const io = { stdout: { write: (s: string) => (out += s) }, stderr: process.stderr };
 * const status = await run(['model', 'info', 'model.mlship', '--json'], io); // 0, out holds the JSON
 * ```
 */
export async function run(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  return runProgram(buildProgram(io), argv, io);
}

function isMainModule(): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isMainModule()) {
  quietOnClosedPipe();
  process.exitCode = await run(process.argv.slice(2));
}
