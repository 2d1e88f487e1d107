import type { Command } from 'commander';
import { MlshipError } from '../core/index.js';
import { addData, checkoutData, dataStatus, pullData, pushData, type DataVersionOptions, type ProgressInfo, type TransferResult } from '../data/index.js';
import { Progress, table, type CliIo } from './io.js';
import { positiveInt } from './options.js';
import { toJson } from './render.js';

// `mlship data add|status|checkout|push|pull`: content-addressed data versions (DVC's job), thin
// commands over the public src/data API.

/** Options every version command takes. */
interface CommonOptions {
  jobs?: number;
  cacheDir?: string;
  json?: boolean;
}

/** `1.5 MB` style sizes (powers of 1000, as `ls -h --si`). */
function bytes(n: number): string {
  if (n < 1000) return `${n} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = n;
  let u = -1;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[u]}`;
}

/** API options from the CLI options, reporting hashing and copying progress on stderr. */
function apiOptions(opts: CommonOptions, io: CliIo, progress: Progress): DataVersionOptions {
  return {
    root: io.cwd ?? process.cwd(),
    ...(opts.cacheDir !== undefined ? { cacheDir: opts.cacheDir } : {}),
    ...(opts.jobs !== undefined ? { jobs: opts.jobs } : {}),
    onProgress: (p: ProgressInfo) => progress.update(p.totalBytes ? p.bytes / p.totalBytes : undefined, `${bytes(p.bytes)}${p.totalRows !== undefined ? `, ${p.rows}/${p.totalRows} files` : ''}`),
  };
}

/** Runs `work` inside a progress step labelled `label`. */
async function step<T>(io: CliIo, label: string, work: (progress: Progress) => Promise<T>, detail: (value: T) => string): Promise<T> {
  const progress = new Progress(io.stderr);
  progress.start(label);
  try {
    const value = await work(progress);
    progress.done(detail(value));
    return value;
  } catch (err) {
    progress.abort();
    throw err;
  }
}

function addCommon(cmd: Command): Command {
  return cmd
    .option('--jobs <n>', 'files hashed or copied at once', positiveInt, 4)
    .option('--cache-dir <dir>', 'the local cache (default: mlship/cache)')
    .option('--json', 'print the result as JSON');
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function transferTable(r: TransferResult, verb: string): string {
  return `${verb} ${plural(r.transferred, 'object')} (${bytes(r.bytes)}), ${r.skipped} already there; remote ${r.remote}\n`;
}

/**
 * Adds `mlship data add|status|checkout|push|pull` to the `data` command group that
 * `addDataCommands` created (call it after that). `command(parent, name)` creates a configured
 * subcommand and `example(lines)` formats the `--help` examples, as main.ts does.
 *
 * @example
 * ```ts
 * addDataCommands(program, command, example, io);
 * addDataVersionCommands(program, command, example, io);
 * ```
 */
export function addDataVersionCommands(program: Command, command: (parent: Command, name: string) => Command, example: (lines: string) => string, io: CliIo): void {
  const data = program.commands.find((c) => c.name() === 'data') ?? command(program, 'data');
  data
    .description(`${data.description() || 'tabular data'}; version data files and folders (add, status, checkout, push, pull: a content-addressed cache and pointer files for git)`)
    .addHelpText('after', example('mlship data add data/train.csv data/images\nmlship data status\nmlship data push --remote /mnt/shared/mlship-data'));

  addCommon(
    command(data, 'add')
      .description('version files or folders: hash them (sha256, in parallel, unchanged files not rehashed), store them in the local cache (mlship/cache), write a pointer file <path>.mlship.json to commit to git, and git-ignore the data in a .gitignore next to it')
      .argument('<path...>', 'files or folders to version'),
  )
    .addHelpText('after', example('mlship data add data/train.csv\nmlship data add data/images data/labels.csv --json\ngit add data/train.csv.mlship.json data/.gitignore'))
    .action(async (paths: string[], opts: CommonOptions) => {
      const results = [];
      for (const path of paths) {
        results.push(await step(io, `versioning ${path}`, (progress) => addData(path, apiOptions(opts, io, progress)), (r) => `${plural(r.pointer.files, 'file')}, ${r.hashed} hashed, ${r.reused} unchanged`));
      }
      if (opts.json) {
        io.stdout.write(toJson(results));
        return;
      }
      io.stdout.write(
        table([
          ['path', 'kind', 'files', 'size', 'sha256', 'hashed', 'unchanged', 'new in cache'],
          ...results.map((r) => [r.path, r.pointer.kind, r.pointer.files, bytes(r.pointer.size), r.pointer.sha256.slice(0, 12), r.hashed, r.reused, r.stored]),
        ]) + `\nto track the versions with git:\n  git add ${results.map((r) => r.pointerFile).join(' ')} ${[...new Set(results.map((r) => gitignoreOf(r.path)))].join(' ')}\n`,
      );
    });

  addCommon(
    command(data, 'status')
      .description('compare each versioned path with its pointer file and the cache: clean, modified (listing the changed files of a folder), missing-workspace (run checkout), missing-cache (run pull), corrupt-cache (with --verify)')
      .argument('[path...]', 'data paths or pointer files (default: every *.mlship.json under the current folder)')
      .option('--verify', 'also rehash the cache objects to detect corruption (slow on big data)'),
  )
    .addHelpText('after', example('mlship data status\nmlship data status data/images --json\nmlship data status --verify'))
    .action(async (paths: string[], opts: CommonOptions & { verify?: boolean }) => {
      const results = await step(io, 'checking data versions', (progress) => dataStatus(paths, { ...apiOptions(opts, io, progress), verify: opts.verify === true }), (r) => plural(r.length, 'pointer'));
      if (opts.json) {
        io.stdout.write(toJson(results));
        return;
      }
      if (results.length === 0) {
        io.stdout.write('no versioned data here (no *.mlship.json pointer files); version data with: mlship data add <path>\n');
        return;
      }
      let out = table([['path', 'status', 'kind', 'sha256', 'changes'], ...results.map((s) => [s.path, s.status, s.kind, s.sha256.slice(0, 12), s.changes.length])]);
      for (const s of results) {
        if (s.changes.length === 0) continue;
        out += `\n${s.path}:\n` + s.changes.map((c) => `  ${c.change.padEnd(9)} ${c.path}\n`).join('');
      }
      const hints = new Set(results.map((s) => s.status));
      if (hints.has('modified')) out += '\nmodified: keep the changes with mlship data add <path>, or discard them with mlship data checkout <path> --force\n';
      if (hints.has('missing-workspace')) out += '\nmissing-workspace: restore with mlship data checkout (or mlship data pull)\n';
      if (hints.has('missing-cache')) out += '\nmissing-cache: fetch with mlship data pull, or re-run mlship data add on the data\n';
      if (hints.has('corrupt-cache')) out += '\ncorrupt-cache: delete the bad objects and re-run mlship data add or mlship data pull\n';
      io.stdout.write(out);
    });

  addCommon(
    command(data, 'checkout')
      .description('restore versioned data in the workspace from the cache (atomic per file, hashes verified); refuses to overwrite local changes unless --force')
      .argument('[path...]', 'data paths or pointer files (default: every *.mlship.json under the current folder)')
      .option('--force', 'overwrite files that differ from the pointer and delete files a versioned folder does not list'),
  )
    .addHelpText('after', example('mlship data checkout\nmlship data checkout data/train.csv --force'))
    .action(async (paths: string[], opts: CommonOptions & { force?: boolean }) => {
      const results = await step(io, 'checking out data', (progress) => checkoutData(paths, { ...apiOptions(opts, io, progress), force: opts.force === true }), (r) => `${plural(r.reduce((s, x) => s + x.restored, 0), 'file')} restored`);
      if (opts.json) io.stdout.write(toJson(results));
      else if (results.length === 0) io.stdout.write('no versioned data here (no *.mlship.json pointer files)\n');
      else io.stdout.write(table([['path', 'restored', 'unchanged', 'removed'], ...results.map((r) => [r.path, r.restored, r.unchanged, r.removed])]));
    });

  for (const verb of ['push', 'pull'] as const) {
    const cmd = addCommon(
      command(data, verb)
        .description(
          verb === 'push'
            ? 'copy the cache objects of versioned data to a remote folder: only missing objects, hashes verified, atomic writes'
            : 'fetch the objects of versioned data missing from the cache from a remote folder (hashes verified), then check the data out',
        )
        .argument('[path...]', 'data paths or pointer files (default: every *.mlship.json under the current folder)')
        .option('--remote <dir>', 'the remote folder (default: "data.remote" in mlship/config.json)'),
    );
    if (verb === 'pull') cmd.option('--force', 'overwrite local changes when checking out');
    cmd
      .addHelpText(
        'after',
        example(
          verb === 'push'
            ? 'mlship data push --remote /mnt/shared/mlship-data\nmlship data push data/images --json\necho \'{"data":{"remote":"/mnt/shared/mlship-data"}}\' > mlship/config.json'
            : 'mlship data pull --remote /mnt/shared/mlship-data\nmlship data pull data/train.csv',
        ),
      )
      .action(async (paths: string[], opts: CommonOptions & { remote?: string; force?: boolean }) => {
        if (opts.remote !== undefined && opts.remote.trim() === '') throw new MlshipError('INVALID_ARGUMENT', '--remote is empty; pass a folder such as --remote /mnt/shared/mlship-data', { field: 'remote' });
        const base = { ...(opts.remote !== undefined ? { remote: opts.remote } : {}) };
        const result = await step(
          io,
          verb === 'push' ? 'pushing data' : 'pulling data',
          (progress) => (verb === 'push' ? pushData(paths, { ...apiOptions(opts, io, progress), ...base }) : pullData(paths, { ...apiOptions(opts, io, progress), ...base, force: opts.force === true })),
          (r) => `${plural(r.transferred, 'object')}, ${bytes(r.bytes)}`,
        );
        if (opts.json) io.stdout.write(toJson(result));
        else {
          let out = transferTable(result, verb === 'push' ? 'pushed' : 'fetched');
          if (result.checkout) out += table([['path', 'restored', 'unchanged', 'removed'], ...result.checkout.map((r) => [r.path, r.restored, r.unchanged, r.removed])]);
          io.stdout.write(out);
        }
      });
  }
}

/** The `.gitignore` next to a data path (`data/train.csv` → `data/.gitignore`). */
function gitignoreOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '.gitignore' : `${path.slice(0, i)}/.gitignore`;
}
