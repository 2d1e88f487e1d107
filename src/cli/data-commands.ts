import { resolve } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { MlshipError, type ColumnKind, type Table } from '../core/index.js';
import {
  formatQualityReport,
  inferSchema,
  isTableDataset,
  loadSchema,
  loadTableDataset,
  qualityReport,
  readTable,
  saveSchema,
  validateTable,
  type ReadTableOptions,
  type TableFormat,
} from '../data/index.js';
import { Progress, type CliIo } from './io.js';
import { collect, oneOf } from './options.js';
import { toJson } from './render.js';

// `mlship data profile|schema|validate`: thin commands over the public src/data API.

const KINDS = ['number', 'integer', 'boolean', 'date', 'string', 'category'] as const;

/** `--kind col=kind` (repeatable) into a kinds record. */
function parseKinds(list: readonly string[] | undefined): Record<string, ColumnKind> | undefined {
  if (!list?.length) return undefined;
  const out: Record<string, ColumnKind> = {};
  for (const item of list) {
    const eq = item.lastIndexOf('=');
    const col = item.slice(0, eq);
    const kind = item.slice(eq + 1);
    if (eq <= 0 || !(KINDS as readonly string[]).includes(kind)) {
      throw new MlshipError('INVALID_ARGUMENT', `--kind ${JSON.stringify(item)}: expected column=kind with kind one of ${KINDS.join(', ')}, such as --kind ocean_proximity=category`, {
        field: 'kind',
        value: item,
      });
    }
    out[col] = kind as ColumnKind;
  }
  return out;
}

/** Options shared by the data commands that read a table. */
interface SourceOptions {
  kind?: string[];
  format?: TableFormat;
  delimiter?: string;
  maxRows?: number;
}

/** Loads a built-in tabular dataset or a CSV/JSONL/Parquet file, with a progress line. */
async function loadSource(source: string, opts: SourceOptions, io: CliIo): Promise<Table> {
  const progress = new Progress(io.stderr);
  progress.start(`reading ${source}`);
  try {
    let table: Table;
    if (isTableDataset(source)) table = await loadTableDataset(source);
    else {
      const kinds = parseKinds(opts.kind);
      const options: ReadTableOptions = {
        ...(kinds ? { kinds } : {}),
        ...(opts.format ? { format: opts.format } : {}),
        ...(opts.delimiter !== undefined ? { delimiter: opts.delimiter } : {}),
        ...(opts.maxRows !== undefined ? { maxRows: opts.maxRows } : {}),
        onProgress: (p) => progress.update(p.totalBytes ? p.bytes / p.totalBytes : undefined, `${p.rows} rows`),
      };
      table = await readTable(resolve(io.cwd ?? process.cwd(), source), options);
    }
    progress.done(`${table.numRows} rows, ${table.columns.length} columns`);
    return table;
  } catch (err) {
    progress.abort();
    throw err;
  }
}

function rate(name: string): (value: string) => number {
  return (value: string) => {
    const n = Number(value);
    if (value.trim() === '' || !(n >= 0 && n <= 1)) throw new InvalidArgumentError(`expected a rate between 0 and 1 for ${name}, such as 0.3.`);
    return n;
  };
}

function maxRows(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n)) throw new InvalidArgumentError('expected a non-negative integer, such as 1000.');
  return n;
}

function addSourceOptions(cmd: Command): Command {
  return cmd
    .option('--kind <column=kind>', `override a column's inferred kind (repeatable); kinds: ${KINDS.join(', ')}`, collect)
    .option('--format <format>', 'file format when the extension does not tell (csv, jsonl, parquet)', oneOf(['csv', 'jsonl', 'parquet'] as const))
    .option('--delimiter <char>', 'CSV field delimiter (default: "," or a tab for .tsv)')
    .option('--max-rows <n>', 'read at most n rows', maxRows);
}

/**
 * Adds `mlship data profile|schema|validate` to the program. `command(parent, name)` creates a
 * configured subcommand and `example(lines)` formats the `--help` examples, as main.ts does for
 * the other commands.
 *
 * @example
 * ```ts
 * addDataCommands(program, command, example, io);
 * ```
 */
export function addDataCommands(program: Command, command: (parent: Command, name: string) => Command, example: (lines: string) => string, io: CliIo): void {
  const data = command(program, 'data')
    .description('inspect tabular data: quality report, schema inference, schema validation (CSV, JSONL, Parquet or a built-in table such as boston-housing)')
    .addHelpText('after', example('mlship data profile boston-housing --target medv\nmlship data schema housing.csv --out schema.json\nmlship data validate new.csv --schema schema.json'));

  addSourceOptions(
    command(data, 'profile')
      .description('data-quality report: missing rate per column (flag above 30%), distinct values, constant columns, IQR outliers, duplicate rows, class balance of the target, and a pass/fail verdict (exit status 1 on fail)')
      .argument('<source>', 'a .csv/.tsv, .jsonl or .parquet file, or a built-in tabular dataset (boston-housing)')
      .option('--target <column>', 'the target column (class balance when categorical; its missing values fail the report)')
      .option('--missing-threshold <rate>', 'fail when a column has more missing values than this rate', rate('--missing-threshold'), 0.3)
      .option('--minority-threshold <rate>', 'fail when the smallest target class is below this share', rate('--minority-threshold'), 0.1)
      .option('--duplicate-threshold <rate>', 'fail when duplicate rows exceed this rate', rate('--duplicate-threshold'), 0.05)
      .option('--json', 'print the report as JSON'),
  )
    .addHelpText('after', example('mlship data profile boston-housing --target medv\nmlship data profile housing.csv --kind ocean_proximity=category --json'))
    .action(async (source: string, opts: SourceOptions & { target?: string; missingThreshold: number; minorityThreshold: number; duplicateThreshold: number; json?: boolean }) => {
      const table = await loadSource(source, opts, io);
      const report = qualityReport(table, {
        ...(opts.target !== undefined ? { target: opts.target } : {}),
        missingThreshold: opts.missingThreshold,
        minorityThreshold: opts.minorityThreshold,
        duplicateThreshold: opts.duplicateThreshold,
      });
      io.stdout.write(opts.json ? toJson({ source, ...report }) : formatQualityReport(report));
      if (report.verdict === 'fail') {
        throw new MlshipError('INVALID_DATA', `${source} fails the data-quality checks: ${report.reasons.join('; ')}`, { file: source, reasons: report.reasons });
      }
    });

  addSourceOptions(
    command(data, 'schema')
      .description('infer a schema (kinds, nullability, ranges, allowed categories, uniqueness, row bounds) and save it as JSON to edit by hand')
      .argument('<source>', 'a .csv/.tsv, .jsonl or .parquet file, or a built-in tabular dataset (boston-housing)')
      .option('--out <file>', 'write the schema to this file (default: print it)')
      .option('--target <column>', 'record the target column in the schema')
      .option('--max-categories <n>', 'string columns with at most n distinct values get an allowed-values list', maxRows, 20),
  )
    .addHelpText('after', example('mlship data schema boston-housing --target medv --out boston.schema.json\nmlship data schema housing.csv --kind ocean_proximity=category'))
    .action(async (source: string, opts: SourceOptions & { out?: string; target?: string; maxCategories: number }) => {
      const table = await loadSource(source, opts, io);
      const schema = inferSchema(table, { ...(opts.target !== undefined ? { target: opts.target } : {}), maxCategories: opts.maxCategories });
      if (opts.out) {
        await saveSchema(schema, resolve(io.cwd ?? process.cwd(), opts.out));
        io.stdout.write(`wrote ${opts.out} (${schema.columns.length} columns${schema.target ? `, target '${schema.target}'` : ''}); edit it by hand, then check data with: mlship data validate <data> --schema ${opts.out}\n`);
      } else io.stdout.write(JSON.stringify(schema, null, 2) + '\n');
    });

  addSourceOptions(
    command(data, 'validate')
      .description('check data against a schema; lists every violation (column, rule, rows, examples) and exits with status 1 when there is any')
      .argument('<source>', 'a .csv/.tsv, .jsonl or .parquet file, or a built-in tabular dataset (boston-housing)')
      .requiredOption('--schema <file>', 'the schema JSON (from mlship data schema)')
      .option('--json', 'print the result as JSON'),
  )
    .addHelpText('after', example('mlship data validate new.csv --schema schema.json\nmlship data validate new.parquet --schema schema.json --json'))
    .action(async (source: string, opts: SourceOptions & { schema: string; json?: boolean }) => {
      const schema = await loadSchema(resolve(io.cwd ?? process.cwd(), opts.schema));
      const table = await loadSource(source, opts, io);
      const result = validateTable(table, schema);
      if (opts.json) io.stdout.write(toJson({ source, schema: opts.schema, ...result }));
      else if (result.valid) io.stdout.write(`${source}: valid (${result.rows} rows, ${schema.columns.length} columns match ${opts.schema})\n`);
      if (!result.valid) {
        const v = result.violations;
        throw new MlshipError(
          'SCHEMA_MISMATCH',
          `${source} does not match ${opts.schema} (${v.length} violation${v.length === 1 ? '' : 's'}):\n${v.map((x) => `  - ${x.message}`).join('\n')}\nFix the data, or edit the schema if the data is right.`,
          { file: source },
        );
      }
    });
}
