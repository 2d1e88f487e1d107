#!/usr/bin/env node
// bench/tracking: mlship's tracking server over HTTP and the embedded store, the operations issue 4
// sets targets for. Writes the `tracking` section of docs/benchmarks.md. Not part of `npm test`.
//
//   npm run bench:tracking                    # 3 runs per figure (median), 10,000 x 20 search set
//   npm run bench:tracking -- --quick         # 1 run, fewer calls
//   node bench/tracking/run.mjs --runs 5 --connections 16
//
// Per run: a fresh copy of the search data set, one server process (`mlship server` from the built
// dist/cli/bin.js: the server in a worker thread with capped heaps), one client process (bench/tracking/http-client.mjs, keep-alive node:http
// pool), the server's peak RSS read from /proc/<pid>/status, then the server stopped with SIGTERM;
// then one embedded process (bench/tracking/embedded.mjs). MLflow cannot be installed here (not in
// Debian, no PyPI access), so its figures are the ones quoted in issue 4, labelled as such.
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ROOT, failer, fmt, loadavg, machine, median, readArgs, runMeasurement, writeSection } from '../common.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const CACHE = join(ROOT, '.bench-cache');

const HELP = `usage: node bench/tracking/run.mjs [--quick] [--runs N] [--connections N] [--singles N] [--batches N]
                                [--search-runs N] [--search-metrics N] [--out docs/benchmarks.md]

  --quick             1 run, 5,000 single calls, 50 batches, 30 search queries
  --runs N            runs per figure; each figure is the median (default 3)
  --connections N     concurrent keep-alive connections for single calls (default 8)
  --singles N         single log-metric calls per run (default 20000)
  --batches N         logBatch calls of 1,000 metrics per run (default 200)
  --search-runs N     runs in the search data set (default 10000)
  --search-metrics N  metrics per run in the search data set (default 20)
  --out FILE          the benchmarks file whose tracking section is rewritten (default docs/benchmarks.md)

example: npm run bench:tracking -- --runs 3`;

const fail = failer('bench:tracking');

function parseArgs(argv) {
  const a = readArgs(
    argv,
    { quick: false, runs: undefined, connections: 8, singles: undefined, batches: undefined, searchRuns: 10000, searchMetrics: 20, out: join(ROOT, 'docs', 'benchmarks.md') },
    {
      '--quick': { key: 'quick', flag: true },
      '--runs': { key: 'runs', parse: Number },
      '--connections': { key: 'connections', parse: Number },
      '--singles': { key: 'singles', parse: Number },
      '--batches': { key: 'batches', parse: Number },
      '--search-runs': { key: 'searchRuns', parse: Number },
      '--search-metrics': { key: 'searchMetrics', parse: Number },
      '--out': { key: 'out', parse: (v) => resolve(v) },
    },
    { help: HELP, fail },
  );
  a.runs ??= a.quick ? 1 : 3;
  a.singles ??= a.quick ? 5000 : 20000;
  a.batches ??= a.quick ? 50 : 200;
  a.searchQueries = a.quick ? 30 : 100;
  for (const k of ['runs', 'connections', 'singles', 'batches', 'searchRuns', 'searchMetrics']) if (!Number.isInteger(a[k]) || a[k] < 1) fail(`--${k} must be a positive integer, got ${a[k]}`);
  return a;
}

/** The search data set, written once and cached under .bench-cache/. */
function searchTemplate(args) {
  const file = join(CACHE, `tracking-search-${args.searchRuns}x${args.searchMetrics}.db`);
  if (existsSync(file)) {
    // Bring a data set cached by an older mlship to the current schema once, here, so that no
    // measured server spends its start (and its memory) on the upgrade.
    const m = spawnSync(process.execPath, ['--input-type=module', '-e', `const { openTrackingStore } = await import(${JSON.stringify(pathToFileURL(join(ROOT, 'dist/tracking/index.js')).href)}); await (await openTrackingStore(${JSON.stringify(`sqlite://${file}`)})).close();`], { encoding: 'utf8' });
    if (m.status !== 0) fail(`could not upgrade the cached data set ${relative(ROOT, file)}: ${m.stderr}`);
    return { file, experimentId: '1' };
  }
  mkdirSync(CACHE, { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  console.error(`bench:tracking: writing the search data set (${args.searchRuns} runs x ${args.searchMetrics} metrics) to ${relative(ROOT, file)} ...`);
  const r = runMeasurement(process.execPath, [join(HERE, 'populate.mjs'), '--db', tmp, '--runs', String(args.searchRuns), '--metrics', String(args.searchMetrics)]);
  if (r.error) fail(`populate failed: ${r.error}`);
  copyFileSync(tmp, file);
  rmSync(tmp, { force: true });
  return { file, experimentId: r.experimentId };
}

/** Starts the server process on a copy of the template; resolves once it prints its URL. */
function startServer(dir, template) {
  copyFileSync(template, join(dir, 'mlship.db'));
  // The server as users start it: `mlship server` from the built package.
  const child = spawn(process.execPath, [join(ROOT, 'dist', 'cli', 'bin.js'), 'server', '--port', '0', '--tracking-uri', `sqlite://${join(dir, 'mlship.db')}`, '--artifact-root', join(dir, 'artifacts')], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  return new Promise((resolveStart, reject) => {
    child.stdout.on('data', (d) => {
      out += d;
      const m = /listening on (\S+)/.exec(out);
      if (m) resolveStart({ child, url: m[1] });
    });
    child.on('exit', (code) => reject(new Error(`the server exited with status ${code} before listening (its stderr is above)`)));
  });
}

/** Peak and current RSS of a process, in KiB, from /proc (Linux). */
function rssOf(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN);
    return { peakKb: kb('VmHWM'), currentKb: kb('VmRSS') };
  } catch {
    return { peakKb: null, currentKb: null };
  }
}

async function oneRun(args, template, i) {
  const dir = mkdtempSync(join(tmpdir(), 'mlship-bench-tracking-'));
  try {
    const { child, url } = await startServer(dir, template.file);
    const exited = new Promise((r) => child.once('exit', r));
    // One client process per phase, so the server's RSS can be read after each.
    const rss = { start: rssOf(child.pid) };
    const http = {};
    for (const phase of ['single', 'batch', 'search']) {
      const r = runMeasurement(process.execPath, [
        join(HERE, 'http-client.mjs'),
        '--url', url,
        '--phases', phase,
        '--connections', String(args.connections),
        '--singles', String(args.singles),
        '--batches', String(args.batches),
        '--search-queries', String(args.searchQueries),
        '--search-experiment', template.experimentId,
      ]);
      if (r.error) http.error = `${phase}: ${r.error}`;
      else Object.assign(http, r);
      rss[phase] = rssOf(child.pid);
    }
    // V8 gives memory back when the process goes idle: the resident set 10 s after the load.
    await new Promise((r) => setTimeout(r, 10_000));
    rss.rest = rssOf(child.pid);
    child.kill('SIGTERM');
    await exited;
    const embedded = runMeasurement(process.execPath, [join(HERE, 'embedded.mjs'), '--batches', String(args.batches)]);
    const result = { http, rss, embedded };
    console.error(`bench:tracking: run ${i + 1}/${args.runs}: ${JSON.stringify(result)}`);
    return result;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// MLflow 2.12's tracking server (SQLite backend, 4 gunicorn workers), as stated in issue 4.
const MLFLOW = { singleCallsPerSecond: 144, batchMetricsPerSecond: 8800, search200RunsMedianMs: 57, rssMb: 650 };

/** Whether the 1-minute load average at the start exceeded half the cores (other work was running). */
const busy = (m) => Number(m.loadavg.split(' ')[0]) > m.cores / 2;

function verdict(ok) {
  return ok == null ? '–' : ok ? '**PASS**' : '**MISS**';
}

function report(args, runs, m, started, seconds) {
  const get = (f) => median(runs.map((r) => { try { return f(r); } catch { return null; } }));
  const single = get((r) => r.http.single.callsPerSecond);
  const singleP50 = get((r) => r.http.single.p50Ms);
  const singleP99 = get((r) => r.http.single.p99Ms);
  const batch = get((r) => r.http.batch.metricsPerSecond);
  const batchP50 = get((r) => r.http.batch.p50Ms);
  const embedded = get((r) => r.embedded.batch.metricsPerSecond);
  const embeddedSingle = get((r) => r.embedded.single.callsPerSecond);
  const s100p50 = get((r) => r.http.search['100'].p50Ms);
  const s100p95 = get((r) => r.http.search['100'].p95Ms);
  const s1000p50 = get((r) => r.http.search['1000'].p50Ms);
  const s1000p95 = get((r) => r.http.search['1000'].p95Ms);
  const rssPeak = get((r) => r.rss.search.peakKb);
  const rssAt = (phase) => get((r) => r.rss[phase].currentKb);
  const peakAt = (phase) => get((r) => r.rss[phase].peakKb);
  const errors = runs.flatMap((r) => [r.http.error && `http: ${r.http.error}`, r.embedded.error && `embedded: ${r.embedded.error}`].filter(Boolean));
  const size100 = runs.find((r) => r.http.search?.['100'])?.http.search['100'];
  const size1000 = runs.find((r) => r.http.search?.['1000'])?.http.search['1000'];
  const ratio = (a, b) => (a == null || b == null ? '–' : `${(a / b).toFixed(1)}x`);

  return `## Tracking server: mlship over HTTP and embedded

Generated by \`bench/tracking/run.mjs\`. mlship is measured; **MLflow is not**: it cannot be installed on this
machine (not packaged in Debian, no PyPI access), so its column repeats the figures stated in issue 4 for
MLflow 2.12's tracking server (SQLite backend, 4 gunicorn workers) as a **quoted reference, not a measurement**.

### How it was measured

\`\`\`sh
npm run bench:tracking${args.quick ? ' -- --quick' : args.runs !== 3 ? ` -- --runs ${args.runs}` : ''}
\`\`\`

- Date: ${started} (took ${(seconds / 60).toFixed(1)} min)${args.quick ? '; **quick run** (1 run, fewer calls)' : ''}; each figure is the median of ${args.runs} run${args.runs > 1 ? 's' : ''}
- Machine: ${m.cores} cores, ${m.cpu}, ${m.memGb} GB RAM, ${m.os}; load average at start ${m.loadavg}, at end ${loadavg()}
- mlship ${m.commit}: Node ${m.node}, built \`dist/\`, the server started as \`mlship server --port 0\` (one process: Fastify in a worker thread with a 512 MB heap cap and a 6 MB young generation, request logging off), SQLite store (WAL)
- One server process; the client is a separate process on the same machine (it competes for the same cores) using a
  keep-alive \`node:http\` Agent pool. Single calls: ${fmt.int(args.singles)} \`POST /api/v1/runs/<id>/metrics\` over ${args.connections} concurrent connections
  after 1,000 warm-up calls (one request = one transaction). logBatch: ${args.batches} \`POST /api/v1/runs/<id>/log-batch\` of 1,000 metrics
  (10 keys x 100 steps) over 2 connections, bodies serialised before timing. Embedded: the same batches through
  \`store.logBatch\` in its own process.
- Search: \`POST /api/v1/runs/search\` over an experiment of ${fmt.int(args.searchRuns)} runs x ${args.searchMetrics} metrics (+ 2 params, 1 tag each), filter
  \`metrics.m0 < 0.5 AND params.model = 'rf'\` (about ${fmt.int(args.searchRuns / 8)} matches), order \`metrics.m1 DESC\`, one query at a time;
  ${size100?.queries ?? '–'} queries returning a page of 100 runs (${size100?.responseKB ?? '–'} KB of JSON), ${size1000?.queries ?? '–'} returning 1,000 (MLflow's default page, ${size1000?.responseKB ?? '–'} KB).
- Server RSS: peak resident set (\`VmHWM\` in \`/proc/<pid>/status\`) of the server process after all of the above; one
  client process per phase so that the RSS is also read between phases.

${busy(m) ? `> **The machine was busy** while this ran (load average ${m.loadavg} on ${m.cores} cores, from other jobs): the client, the server and
> the other jobs shared the cores, so these figures are pessimistic. Rerun on a quiet machine before quoting them.

` : ''}### Targets (issue 4)

| Operation | Target | mlship (measured) | MLflow 2.12 (quoted) | Verdict |
|---|---|---|---|---|
| single log-metric calls over HTTP | >= 3,000 calls/s | ${fmt.int(single)} calls/s (p50 ${singleP50 ?? '–'} ms, p99 ${singleP99 ?? '–'} ms) | 144 calls/s | ${verdict(single == null ? null : single >= 3000)} |
| logBatch of 1,000 over HTTP | >= 100,000 metrics/s | ${fmt.int(batch)} metrics/s (p50 ${batchP50 ?? '–'} ms per batch) | 8,800 metrics/s | ${verdict(batch == null ? null : batch >= 100000)} |
| logBatch of 1,000 embedded | >= 200,000 metrics/s | ${fmt.int(embedded)} metrics/s | – | ${verdict(embedded == null ? null : embedded >= 200000)} |
| search, filter + order, page of 100 | < 50 ms p95 | p95 ${s100p95 ?? '–'} ms (p50 ${s100p50 ?? '–'} ms) over ${fmt.int(args.searchRuns)} runs | 57 ms median over 200 runs | ${verdict(s100p95 == null ? null : s100p95 < 50)} |
| server RSS | < 150 MB | ${fmt.mb(rssPeak)} MB peak | 650 MB | ${verdict(rssPeak == null ? null : rssPeak / 1024 < 150)} |

Other figures: search returning 1,000 runs p50 ${s1000p50 ?? '–'} ms, p95 ${s1000p95 ?? '–'} ms; embedded single \`logMetric\` ${fmt.int(embeddedSingle)} calls/s.
Server RSS (current / peak, MB): after start ${fmt.mb(rssAt('start'))} / ${fmt.mb(peakAt('start'))}, after the single calls ${fmt.mb(rssAt('single'))} / ${fmt.mb(peakAt('single'))},
after logBatch ${fmt.mb(rssAt('batch'))} / ${fmt.mb(peakAt('batch'))}, after search ${fmt.mb(rssAt('search'))} / ${fmt.mb(peakAt('search'))}; at rest 10 s later ${fmt.mb(rssAt('rest'))}.
The verdict uses the peak.
Against the quoted MLflow figures: single calls ${ratio(single, MLFLOW.singleCallsPerSecond)}, logBatch over HTTP ${ratio(batch, MLFLOW.batchMetricsPerSecond)}, RSS ${ratio(MLFLOW.rssMb, rssPeak == null ? null : rssPeak / 1024)} smaller
(different machines and loads: indicative only).
${errors.length ? `\nErrors: ${errors.join('; ')}\n` : ''}`;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  if (!existsSync(join(ROOT, 'dist', 'serve', 'index.js'))) fail('dist/serve is missing: run `npm run build` first (npm run bench:tracking does)');
  const started = new Date().toISOString();
  const t0 = performance.now();
  const m = machine(join(ROOT, 'bench', 'tabular', 'sklearn_bench.py'));
  const template = searchTemplate(args);
  const runs = [];
  for (let i = 0; i < args.runs; i++) runs.push(await oneRun(args, template, i));
  const seconds = (performance.now() - t0) / 1000;
  const markdown = report(args, runs, m, started, seconds);
  writeSection(args.out, 'tracking', markdown);
  console.log(markdown);
  console.error(`bench:tracking: wrote the tracking section of ${relative(ROOT, args.out)}`);
}

await main();
