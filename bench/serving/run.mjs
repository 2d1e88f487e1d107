#!/usr/bin/env node
// bench/serving: `mlship serve` vs the FastAPI + scikit-learn server of the field's teaching
// projects, loaded with wrk in the same run, serving the same model (TF-IDF + MultinomialNB fit on
// the same SpamAssassin training documents). Writes the "Serving" section of docs/benchmarks.md.
// Not part of `npm test`.
//
//   npm run bench:serving                   # 3 runs x 20 s per figure
//   npm run bench:serving -- --quick        # 1 run x 5 s (development)
//   node bench/serving/run.mjs --runs 5 --duration 30 --profile
//
// One server runs at a time: per repetition each server is started, warmed up, loaded with the
// single-text body and then the 100-text body, and stopped; the servers alternate repetition by
// repetition so background load spreads evenly. Each figure is the median over the repetitions.
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, relative, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';
import { summarize } from '../text/profile-summary.mjs';
import { ROOT, fmt, loadavg, machine as machineInfo, median, readArgs, writeSection } from '../common.mjs';
import { HERE, REVIEW, check, checkTools, cpuSeconds, postJson, predictionLogCounters, rssKb, runWrk, startFastapi, startMlship, trainBoth } from './harness.mjs';

const TARGETS = { rpsRatio: 10, p99Ms: 10, batchRatio: 5 };

const HELP = `usage: node bench/serving/run.mjs [--quick] [--runs N] [--duration S] [--warmup S]
                                [--threads T] [--connections C] [--batch-size B]
                                [--no-logging-pass] [--profile] [--out FILE] [--no-write]

  --quick            1 repetition of 5 s per load (development); the default is 3 x 20 s
  --runs N           repetitions per figure (default 3; medians are reported)
  --duration S       seconds of each wrk load (default 20)
  --warmup S         seconds of wrk warm-up after each server start, not measured (default 3; 1 with --quick)
  --threads T        wrk threads (default 2)
  --connections C    wrk connections (default 32)
  --batch-size B     texts per batch request (default 100)
  --no-logging-pass  skip the second mlship pass with prediction logging on
  --profile          after the benchmark, load mlship serve once more under node --cpu-prof and print
                     its hot spots (the profile is kept under .bench-cache/serving-prof/)
  --out FILE         where to write the report (default docs/benchmarks.md)
  --no-write         print the table only

example: npm run bench:serving -- --quick`;

function parseArgs(argv) {
  const fail = (m) => {
    console.error(`bench:serving: ${m}`);
    process.exit(2);
  };
  const a = readArgs(
    argv,
    { quick: false, runs: undefined, duration: undefined, warmup: undefined, threads: 2, connections: 32, batchSize: 100, loggingPass: true, profile: false, out: join(ROOT, 'docs', 'benchmarks.md'), write: true },
    {
      '--quick': { key: 'quick', flag: true },
      '--runs': { key: 'runs', parse: Number },
      '--duration': { key: 'duration', parse: Number },
      '--warmup': { key: 'warmup', parse: Number },
      '--threads': { key: 'threads', parse: Number },
      '--connections': { key: 'connections', parse: Number },
      '--batch-size': { key: 'batchSize', parse: Number },
      '--no-logging-pass': { key: 'noLoggingPass', flag: true },
      '--profile': { key: 'profile', flag: true },
      '--out': { key: 'out', parse: (v) => resolve(v) },
      '--no-write': { key: 'noWrite', flag: true },
    },
    { help: HELP, fail },
  );
  a.runs ??= a.quick ? 1 : 3;
  a.duration ??= a.quick ? 5 : 20;
  a.warmup ??= a.quick ? 1 : 3;
  if (a.noLoggingPass) a.loggingPass = false;
  if (a.noWrite) a.write = false;
  for (const k of ['runs', 'duration', 'threads', 'connections', 'batchSize']) if (!Number.isInteger(a[k]) || a[k] < 1) fail(`--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} must be an integer >= 1, got ${a[k]}`);
  if (!Number.isInteger(a.warmup) || a.warmup < 0) fail(`--warmup must be an integer >= 0, got ${a.warmup}`);
  if (a.connections < a.threads) fail(`--connections (${a.connections}) must be at least --threads (${a.threads})`);
  return a;
}

const log = (m) => console.error(`bench:serving: ${m}`);

/** The first `words` words of each text (the batch body: held-out emails cut to review length). */
const firstWords = (text, words) => text.split(/\s+/).filter(Boolean).slice(0, words).join(' ');

/** The servers under test: how to start each, and its two endpoints. */
function servers(models, dir, args) {
  const list = [
    { key: 'fastapi', label: 'FastAPI + scikit-learn (uvicorn, 1 worker)', start: () => startFastapi(models.pklPath), single: '/predict', batch: '/predict_batch' },
    { key: 'mlship', label: 'mlship serve (1 process, prediction log off)', start: () => startMlship([models.mlshipPath, '--port', '0', '--no-log-predictions']), single: '/predict', batch: '/predict' },
  ];
  if (args.loggingPass) {
    list.push({
      key: 'mlshipLog',
      label: 'mlship serve (1 process, prediction log on)',
      start: () => startMlship([models.mlshipPath, '--port', '0', '--tracking-uri', `sqlite://${join(dir, 'tracking', 'mlship.db')}`]),
      single: '/predict',
      batch: '/predict',
    });
  }
  return list;
}

/** Checks both servers give the same labels (and near-equal probabilities) on held-out documents. */
async function agreement(fastapi, mlship, texts) {
  const a = await postJson(`${fastapi.url}/predict_batch`, { texts });
  const b = await postJson(`${mlship.url}/predict`, { texts });
  check(a.status === 200, `FastAPI /predict_batch answered ${a.status}: ${JSON.stringify(a.body).slice(0, 200)}`);
  check(b.status === 200, `mlship /predict answered ${b.status}: ${JSON.stringify(b.body).slice(0, 200)}`);
  const pa = a.body.predictions;
  const pb = b.body.predictions;
  check(Array.isArray(pb) && pb.length === texts.length, `mlship /predict {"texts"} returned ${Array.isArray(pb) ? pb.length : 'no'} predictions for ${texts.length} texts`);
  let same = 0;
  let maxDiff = 0;
  for (let i = 0; i < texts.length; i++) {
    if (String(pa[i].label) === String(pb[i].label)) same++;
    for (const [c, p] of Object.entries(pa[i].probabilities)) maxDiff = Math.max(maxDiff, Math.abs(p - (pb[i].probabilities?.[c] ?? Number.NaN)) || 0);
  }
  return { n: texts.length, same, maxDiff };
}

/** Checks one server's single-text response has a label and probabilities (and, for mlship, the version headers). */
async function checkShape(server, path, bodyObj) {
  const r = await postJson(`${server.url}${path}`, bodyObj);
  check(r.status === 200, `${server.name} ${path} answered ${r.status}: ${JSON.stringify(r.body).slice(0, 300)}`);
  check(typeof r.body.label === 'string' && r.body.probabilities && typeof r.body.probabilities === 'object', `${server.name} ${path}: expected {label, probabilities}, got ${JSON.stringify(r.body).slice(0, 300)}`);
  if (server.name === 'mlship') check(r.headers.get('x-model-version') !== null && r.headers.get('x-request-id') !== null, 'mlship /predict: missing x-model-version or x-request-id header');
  return r.body;
}

async function loadOnce(server, spec, bodies, args) {
  const out = {};
  for (const mode of ['single', 'batch']) {
    const path = mode === 'single' ? spec.single : spec.batch;
    const cpu0 = cpuSeconds(server.pid);
    const r = await runWrk(`${server.url}${path}`, bodies[mode], { threads: args.threads, connections: args.connections, seconds: args.duration });
    const cpu1 = cpuSeconds(server.pid);
    r.cpuPct = cpu0 == null || cpu1 == null ? null : (100 * (cpu1 - cpu0)) / r.seconds;
    r.rssKb = rssKb(server.pid);
    r.textsPerS = mode === 'batch' ? r.rps * args.batchSize : r.rps;
    out[mode] = r;
    log(`  ${spec.key} ${mode}: ${fmt.int(r.rps)} req/s (${fmt.int(r.textsPerS)} texts/s), p50 ${r.p50Ms.toFixed(2)} ms, p99 ${r.p99Ms.toFixed(2)} ms, errors ${r.socketErrors + r.non2xx}, server CPU ${r.cpuPct == null ? '?' : r.cpuPct.toFixed(0)}%`);
  }
  return out;
}

function aggregate(runs) {
  const agg = {};
  for (const mode of ['single', 'batch']) {
    const rs = runs.map((r) => r[mode]).filter(Boolean);
    if (rs.length === 0) continue;
    const med = (f) => median(rs.map(f));
    agg[mode] = {
      runs: rs.length,
      rps: med((r) => r.rps),
      textsPerS: med((r) => r.textsPerS),
      p50Ms: med((r) => r.p50Ms),
      p90Ms: med((r) => r.p90Ms),
      p99Ms: med((r) => r.p99Ms),
      maxMs: Math.max(...rs.map((r) => r.maxMs)),
      requests: rs.reduce((s, r) => s + r.requests, 0),
      errors: rs.reduce((s, r) => s + r.socketErrors + r.non2xx, 0),
      cpuPct: med((r) => r.cpuPct),
      rssKb: Math.max(...rs.map((r) => r.rssKb ?? 0)) || null,
      rpsSpread: [Math.min(...rs.map((r) => r.rps)), Math.max(...rs.map((r) => r.rps))],
    };
  }
  return agg;
}

function verdicts(agg, key) {
  const f = agg.fastapi;
  const m = agg[key];
  if (!f?.single || !m?.single) return [];
  const pass = (ok) => (ok ? '**PASS**' : '**MISS**');
  const rows = [
    ['requests/s, single text, >= 10x FastAPI', `${(m.single.rps / f.single.rps).toFixed(1)}x (${fmt.int(m.single.rps)} vs ${fmt.int(f.single.rps)})`, pass(m.single.rps >= TARGETS.rpsRatio * f.single.rps)],
    ['p99 latency, single text, < 10 ms', `${m.single.p99Ms.toFixed(2)} ms (FastAPI ${f.single.p99Ms.toFixed(1)} ms)`, pass(m.single.p99Ms < TARGETS.p99Ms)],
  ];
  if (m.batch && f.batch) rows.push(['texts/s, 100-text batch, >= 5x FastAPI', `${(m.batch.textsPerS / f.batch.textsPerS).toFixed(1)}x (${fmt.int(m.batch.textsPerS)} vs ${fmt.int(f.batch.textsPerS)})`, pass(m.batch.textsPerS >= TARGETS.batchRatio * f.batch.textsPerS)]);
  rows.push(['no failed requests (socket errors + non-2xx)', `${m.single.errors + (m.batch?.errors ?? 0)} of ${fmt.int(m.single.requests + (m.batch?.requests ?? 0))}`, pass(m.single.errors + (m.batch?.errors ?? 0) === 0)]);
  return rows;
}

function table(specs, agg, args) {
  const L = ['| Server | Load | requests/s | texts/s | p50 (ms) | p90 (ms) | p99 (ms) | max (ms) | errors | server CPU | RSS (MB) | texts/s vs FastAPI |', '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|'];
  for (const s of specs) {
    const a = agg[s.key];
    for (const mode of ['single', 'batch']) {
      const r = a?.[mode];
      if (!r) continue;
      const f = agg.fastapi?.[mode];
      const load = mode === 'single' ? '1 text' : `${args.batchSize} texts`;
      L.push(`| ${s.label} | ${load} | ${fmt.int(r.rps)} | ${fmt.int(r.textsPerS)} | ${r.p50Ms.toFixed(2)} | ${r.p90Ms.toFixed(2)} | ${r.p99Ms.toFixed(2)} | ${r.maxMs.toFixed(1)} | ${r.errors} | ${r.cpuPct == null ? '–' : `${r.cpuPct.toFixed(0)}%`} | ${fmt.mb(r.rssKb)} | ${s.key === 'fastapi' ? '1.00x' : fmt.ratio(r.textsPerS, f?.textsPerS)} |`);
    }
  }
  return L.join('\n');
}

function report({ args, specs, agg, facts, agree, mach, versions, started, ended, loadStart, loadEnd, wrkCmd, fastapiCmd, profile, shutdown }) {
  const L = [];
  L.push('## Serving: `mlship serve` vs FastAPI + scikit-learn');
  L.push('');
  L.push('Generated by `bench/serving/run.mjs`. Both servers run on the same machine in the same invocation, one at a time, serve the same');
  L.push('model (TF-IDF + MultinomialNB, default parameters, fit on the same SpamAssassin training documents) and are loaded with the');
  L.push('same `wrk` command and request bodies.');
  L.push('');
  L.push('### How it was measured');
  L.push('');
  L.push('```sh');
  L.push(`npm run bench:serving${args.quick ? ' -- --quick' : ''}`);
  L.push('```');
  L.push('');
  L.push(`- Date: ${started.toISOString()} (took ${((ended - started) / 60000).toFixed(1)} min)${args.quick ? '; **quick run** (1 repetition of 5 s per load, for development)' : ''}`);
  L.push(`- Machine: ${mach.cores} cores, ${mach.cpu}, ${mach.memGb} GB RAM, ${mach.os}; load average at start ${loadStart}, at end ${loadEnd}. wrk runs on the same cores as the server.`);
  L.push(`- mlship ${mach.commit}: Node ${mach.node}, built \`dist/\`; \`node dist/cli/bin.js serve spam-nb.mlship --port 0 --no-log-predictions\`${args.loggingPass ? ', and a second pass with the prediction log on (`--tracking-uri sqlite://…`, the default logging)' : ''}.`);
  L.push(`- Peer: FastAPI ${versions.fastapi}, uvicorn ${versions.uvicorn}, pydantic ${versions.pydantic}, scikit-learn ${versions.sklearn}, numpy ${versions.numpy}, Python ${versions.python} (Debian packages; uvloop ${versions.uvloop ?? 'not installed'}, httptools ${versions.httptools ?? 'not installed'}, so uvicorn runs on asyncio + h11). \`bench/serving/fastapi_app.py\`, started as \`${fastapiCmd}\` (access log off, which favours the peer). Sync \`def\` endpoints: pydantic request model, \`pipeline.predict_proba\`, label + probabilities.`);
  L.push(`- Model: trained by \`mlship train text --data spam-assassin --model nb\` (stratified 80/20 split, seed 42: ${fmt.int(facts.nTrain)} training documents) and by \`bench/serving/train_sklearn.py\` on the same ${fmt.int(facts.nTrain)} documents (exported with mlship's \`loadText\` + \`trainTestSplit\`, checked against the CLI's split sizes and corpus fingerprint). Vocabulary: ${fmt.int(facts.features.mlship)} (mlship) vs ${fmt.int(facts.features.sklearn)} (scikit-learn) features; test accuracy ${fmt.pct(facts.accuracy.mlship)}% vs ${fmt.pct(facts.accuracy.sklearn)}%. Over HTTP, on ${agree.n} held-out documents, the two servers agree on ${agree.same}/${agree.n} labels (largest probability difference ${agree.maxDiff.toExponential(1)}).`);
  L.push(`- Load: \`${wrkCmd}\` (\`post.lua\` posts the body file and reports wrk's summary as JSON), ${args.warmup ? `after ${args.warmup} s of unmeasured warm-up per server start, ` : ''}${args.runs} repetition${args.runs > 1 ? 's' : ''} per figure; each figure is the median, errors are summed. Single text: \`{"text": "<a 64-word product review>"}\` to \`/predict\` on both. Batch: \`{"texts": [${args.batchSize} texts]}\` (the first 60 words of the first ${args.batchSize} held-out emails) to FastAPI's \`/predict_batch\` and mlship's \`/predict\`.`);
  L.push('- Server CPU = user + system CPU time of the server process during the load ÷ wall time (100% = one core); RSS = VmRSS after the load. Latencies are wrk\'s (closed loop, 32 connections).');
  L.push('');
  L.push('### Targets (issue 6)');
  L.push('');
  for (const s of specs.filter((x) => x.key !== 'fastapi')) {
    const v = verdicts(agg, s.key);
    if (v.length === 0) continue;
    L.push(`${s.label}:`);
    L.push('');
    L.push('| Target | Measured | Verdict |');
    L.push('|---|---|---|');
    for (const r of v) L.push(`| ${r.join(' | ')} |`);
    L.push('');
  }
  L.push('### Results');
  L.push('');
  L.push(table(specs, agg, args));
  L.push('');
  L.push(`Median of ${args.runs} repetition${args.runs > 1 ? 's' : ''} of ${args.duration} s each (requests/s range over repetitions: ${specs.map((s) => (agg[s.key]?.single ? `${s.key} ${fmt.int(agg[s.key].single.rpsSpread[0])}–${fmt.int(agg[s.key].single.rpsSpread[1])}` : null)).filter(Boolean).join(', ')} single-text).`);
  L.push('');
  for (const line of shutdown) L.push(`- ${line}`);
  if (profile) {
    L.push('');
    L.push('### Where `mlship serve` spends its time (single-text load, `node --cpu-prof`)');
    L.push('');
    L.push('| self % | function |');
    L.push('|---:|---|');
    for (const r of profile.top) L.push(`| ${r.pct.toFixed(1)} | \`${r.name}\` |`);
  }
  return L.join('\n');
}

/** One line per mlship server kind: SIGTERM → exit (code, time) and the prediction log's counters. */
function summarizeExits(exits, specs) {
  const out = [];
  for (const s of specs.filter((x) => x.key !== 'fastapi')) {
    const es = exits.filter((e) => e.key === s.key);
    if (es.length === 0) continue;
    const codes = es.map((e) => (e.forced ? 'killed after 60 s' : `exit ${e.code ?? e.signal}`));
    let line = `${s.label}: SIGTERM after each repetition → ${codes.join(', ')} (in ${es.map((e) => (e.ms / 1000).toFixed(1)).join(', ')} s)`;
    const c = es.map((e) => e.counters).filter(Boolean);
    if (c.length) line += `; prediction log per repetition (from /metrics before SIGTERM): ${c.map((x) => (x.written == null ? 'counters not exported' : `${fmt.int(x.written)} written, ${fmt.int(x.dropped ?? 0)} dropped`)).join('; ')}`;
    out.push(`${line}.`);
  }
  return out;
}

/** Loads mlship serve once more under `node --cpu-prof` and summarises its hot spots. */
async function profileMlship(models, bodies, args) {
  const dir = join(ROOT, '.bench-cache', 'serving-prof');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  log(`profiling mlship serve under node --cpu-prof (${args.duration} s single-text load)`);
  const s = await startMlship([models.mlshipPath, '--port', '0', '--no-log-predictions'], { nodeFlags: ['--cpu-prof', `--cpu-prof-dir=${dir}`] });
  await runWrk(`${s.url}/predict`, bodies.single, { threads: args.threads, connections: args.connections, seconds: args.duration });
  const stopped = await s.stop();
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  if (files.length === 0) {
    log(`no .cpuprofile written (the server exited with ${stopped.code ?? stopped.signal}; node writes the profile only on a normal exit)`);
    return null;
  }
  const { totalMs, rows } = summarize(JSON.parse(readFileSync(join(dir, files[0]), 'utf8')), ROOT);
  const top = [...rows].sort((a, b) => b.selfMs - a.selfMs).slice(0, 20).map((r) => ({ name: r.name, pct: (100 * r.selfMs) / totalMs }));
  const inclusive = [...rows].sort((a, b) => b.totalMs - a.totalMs).slice(0, 30).map((r) => ({ name: r.name, pct: (100 * r.totalMs) / totalMs }));
  console.log(`\nmlship serve profile (${relative(ROOT, join(dir, files[0]))}, ${(totalMs / 1000).toFixed(1)} s sampled)\nby self time:`);
  for (const r of top) console.log(`${r.pct.toFixed(1).padStart(6)}%  ${r.name}`);
  console.log('by inclusive time:');
  for (const r of inclusive) console.log(`${r.pct.toFixed(1).padStart(6)}%  ${r.name}`);
  return { top, inclusive, file: join(dir, files[0]) };
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  checkTools();
  const started = new Date();
  const loadStart = loadavg();
  log(`load average ${loadStart} on ${os.cpus().length} cores`);
  const dir = mkdtempSync(join(os.tmpdir(), 'mlship-bench-serving-'));
  mkdirSync(join(dir, 'tracking'), { recursive: true });
  let current = null;
  const cleanup = async () => {
    if (current) await current.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('SIGINT', () => cleanup().finally(() => process.exit(130)));
  try {
    const models = await trainBoth(dir, { log });
    const bodies = {
      single: join(dir, 'single.json'),
      batch: join(dir, 'batch.json'),
    };
    const batchTexts = models.split.xTest.slice(0, args.batchSize).map((t) => firstWords(t, 60));
    check(batchTexts.length === args.batchSize, `--batch-size ${args.batchSize} is more than the ${models.split.xTest.length} held-out documents`);
    writeFileSync(bodies.single, JSON.stringify({ text: REVIEW }));
    writeFileSync(bodies.batch, JSON.stringify({ texts: batchTexts }));

    // Sanity: both servers answer the same labels on held-out documents.
    log('checking both servers agree on held-out documents');
    const f = await startFastapi(models.pklPath);
    current = f;
    const m = await startMlship([models.mlshipPath, '--port', '0', '--no-log-predictions']);
    let agree;
    try {
      await checkShape(f, '/predict', { text: REVIEW });
      await checkShape(m, '/predict', { text: REVIEW });
      agree = await agreement(f, m, models.split.xTest.slice(0, 300));
    } finally {
      await m.stop();
      await f.stop();
      current = null;
    }
    log(`agreement: ${agree.same}/${agree.n} labels, max |Δp| ${agree.maxDiff.toExponential(1)}`);

    const specs = servers(models, dir, args);
    const runs = Object.fromEntries(specs.map((s) => [s.key, []]));
    const exits = [];
    for (let rep = 0; rep < args.runs; rep++) {
      for (const spec of specs) {
        log(`repetition ${rep + 1}/${args.runs}: ${spec.label}`);
        const server = await spec.start();
        current = server;
        try {
          if (args.warmup > 0) await runWrk(`${server.url}${spec.single}`, bodies.single, { threads: args.threads, connections: args.connections, seconds: args.warmup });
          runs[spec.key].push(await loadOnce(server, spec, bodies, args));
        } finally {
          const counters = spec.key === 'mlshipLog' ? await predictionLogCounters(server.url) : null;
          const st = await server.stop();
          current = null;
          exits.push({ key: spec.key, ...st, counters });
        }
      }
    }
    const agg = Object.fromEntries(specs.map((s) => [s.key, aggregate(runs[s.key])]));
    const badExit = exits.filter((e) => e.key !== 'fastapi' && (e.code !== 0 || e.forced));
    if (badExit.length) log(`warning: mlship serve did not exit 0 on SIGTERM: ${badExit.map((e) => `${e.key} ${e.code ?? e.signal}${e.forced ? ' (killed after 60 s)' : ''}`).join(', ')}`);
    const shutdown = summarizeExits(exits, specs);
    const profile = args.profile ? await profileMlship(models, bodies, args) : null;

    const ended = new Date();
    const mach = machineInfo(join(HERE, 'train_sklearn.py'));
    const versions = JSON.parse(spawnSync('/usr/bin/python3', [join(HERE, 'train_sklearn.py'), '--versions'], { encoding: 'utf8' }).stdout.trim().split('\n').pop());
    const wrkCmd = `wrk -t${args.threads} -c${args.connections} -d${args.duration}s --latency -s bench/serving/post.lua <url>`;
    const fastapiCmd = 'python3 -m uvicorn fastapi_app:app --workers 1 --no-access-log --log-level warning';
    console.log(`\n${table(specs, agg, args)}\n`);
    for (const s of specs.filter((x) => x.key !== 'fastapi')) for (const v of verdicts(agg, s.key)) console.log(`${s.key}: ${v[0]}: ${v[1]} ${v[2].replace(/\*/g, '')}`);
    console.log(shutdown.join('\n'));
    const md = report({ args, specs, agg, facts: models.facts, agree, mach, versions, started, ended, loadStart, loadEnd: loadavg(), wrkCmd, fastapiCmd, profile, shutdown });
    if (args.write) {
      writeSection(args.out, 'serving', md);
      log(`wrote the serving section of ${relative(process.cwd(), args.out)}`);
    }
  } finally {
    await cleanup();
  }
}

main().catch((err) => {
  console.error(`bench:serving: ${err.message}`);
  process.exit(1);
});
