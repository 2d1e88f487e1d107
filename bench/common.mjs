// Shared by the benchmark drivers (bench/text/run.mjs, bench/tabular/run.mjs): medians, the
// machine description, number formats, and writing one benchmark's section of docs/benchmarks.md
// without touching the other benchmarks' sections.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const PYTHON = '/usr/bin/python3';

/** Median of the finite numbers in xs, or null. */
export const median = (xs) => {
  const s = xs.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((p, q) => p - q);
  if (s.length === 0) return null;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** The last line of a child's stdout, parsed as JSON (the measurement scripts print one object). */
export function lastJsonLine(stdout) {
  const lines = stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]);
}

/** Runs one measurement script; returns its JSON or { error } with the last line of stderr. */
export function runMeasurement(cmd, argv) {
  const r = spawnSync(cmd, argv, { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) {
    const lines = (r.stderr || r.error?.message || `exit ${r.status}`).trim().split('\n');
    return { error: lines[lines.length - 1].trim() };
  }
  return lastJsonLine(r.stdout);
}

/** Cores, CPU, memory, OS, Node, the Python peer's versions (from `versionsScript --versions`) and the git commit. */
export function machine(versionsScript) {
  const cpus = os.cpus();
  const v = spawnSync(PYTHON, [versionsScript, '--versions'], { encoding: 'utf8' });
  const py = v.status === 0 ? lastJsonLine(v.stdout) : {};
  const git = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' });
  const dirty = spawnSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: ROOT, encoding: 'utf8' });
  return {
    cores: cpus.length,
    cpu: cpus[0]?.model ?? 'unknown',
    memGb: (os.totalmem() / 2 ** 30).toFixed(1),
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    python: py.python ?? 'unknown',
    sklearn: py.sklearn ?? 'unknown',
    numpy: py.numpy ?? 'unknown',
    scipy: py.scipy ?? 'unknown',
    commit: git.status === 0 ? git.stdout.trim() + (dirty.stdout.trim() ? ' (with uncommitted changes)' : '') : 'unknown',
    loadavg: loadavg(),
  };
}

export const loadavg = () => os.loadavg().map((x) => x.toFixed(2)).join(' ');

export const fmt = {
  s: (x) => (x == null ? '–' : x < 0.1 ? x.toFixed(4) : x < 10 ? x.toFixed(3) : x.toFixed(1)),
  us: (x) => (x == null ? '–' : x < 100 ? x.toFixed(1) : x.toFixed(0)),
  pct: (x) => (x == null ? '–' : (100 * x).toFixed(2)),
  mb: (x) => (x == null ? '–' : (x / 1024).toFixed(0)),
  int: (x) => (x == null ? '–' : Math.round(x).toLocaleString('en-US')),
  num: (x, digits = 4) => (x == null ? '–' : x.toFixed(digits)),
  ratio: (a, b) => (a == null || b == null || b === 0 ? '–' : `${(a / b).toFixed(2)}x`),
};

const HEADER = `# Benchmarks: mlship vs its Python peers

Each section below is written by one benchmark driver in \`bench/\`, which runs mlship and its peer on
the same machine in the same run; do not edit the sections by hand. Each section names the command
that produced it.
`;

/**
 * Replaces (or appends) the section `key` of a benchmarks file, delimited by
 * `<!-- bench:KEY -->` / `<!-- /bench:KEY -->`, leaving the other sections as they are. The file is
 * written atomically (temp file + rename).
 */
export function writeSection(path, key, markdown) {
  const open = `<!-- bench:${key} -->`;
  const close = `<!-- /bench:${key} -->`;
  const block = `${open}\n${markdown.trim()}\n${close}`;
  let text = existsSync(path) ? readFileSync(path, 'utf8') : HEADER;
  const a = text.indexOf(open);
  const b = text.indexOf(close);
  text = a >= 0 && b > a ? text.slice(0, a) + block + text.slice(b + close.length) : `${text.trimEnd()}\n\n${block}\n`;
  mkdirSync(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${process.pid}.benchmarks.tmp`);
  writeFileSync(tmp, text.endsWith('\n') ? text : `${text}\n`);
  renameSync(tmp, path);
}

/** A `fail(message)` for a driver: prints `name: message` and exits with status 2 (a usage error). */
export const failer = (name) => (msg) => {
  console.error(`${name}: ${msg}`);
  process.exit(2);
};

/**
 * The arguments of a driver that takes only `--runs N` (fresh processes, default 5), `--quick` and
 * `--out FILE` (default docs/benchmarks.md), with `help` for `--help` and `fail` for bad input.
 */
export function readRunsArgs(argv, { help, fail }) {
  const positive = (v) => (Number.isInteger(Number(v)) && Number(v) > 0 ? Number(v) : fail('--runs needs a whole number > 0'));
  return readArgs(
    argv,
    { runs: 5, quick: false, out: join(ROOT, 'docs', 'benchmarks.md') },
    { '--runs': { key: 'runs', parse: positive }, '--quick': { key: 'quick', flag: true }, '--out': { key: 'out' } },
    { help, fail },
  );
}

/**
 * Reads command-line arguments onto a copy of `defaults`. `options` maps each `--option` to
 * `{ key, flag: true }` (a switch) or `{ key, parse }` (takes the next argument, through `parse`
 * when given); `--help` prints `help` and exits; an unknown or valueless option calls `fail`.
 */
export function readArgs(argv, defaults, options, { help, fail }) {
  const a = { ...defaults };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    if (k === '--help' || k === '-h') {
      console.log(help);
      process.exit(0);
    }
    const spec = options[k];
    if (!spec) fail(`unknown argument ${k}; see --help`);
    if (spec.flag) {
      a[spec.key] = true;
      continue;
    }
    const v = argv[++i];
    if (v === undefined) fail(`${k} needs a value; see --help`);
    a[spec.key] = spec.parse ? spec.parse(v) : v;
  }
  return a;
}
