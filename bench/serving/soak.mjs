#!/usr/bin/env node
// bench/serving soak: `mlship serve models:/spam@champion` under steady load while the champion
// alias flips between two registered versions every 10 s. Checks every response and samples the
// server's RSS every second. Writes the "Serving soak" section of docs/benchmarks.md.
// Loopback only; not part of `npm test`.
//
//   node bench/serving/soak.mjs                 # 5 minutes
//   node bench/serving/soak.mjs --minutes 1     # shorter, for development
//
// What it verifies:
// - zero failed requests (network errors, non-200 answers, malformed bodies);
// - every response names one version: the x-model-version header equals the body's model_version,
//   and that version was the alias target at some point during the request's window (from just
//   before it was sent to when it was answered), allowing for the server's registry poll: a response
//   may still name the previous target for at most poll interval + reload time after the move;
// - no flapping: once a client has seen the new version, no request sent later gets the old one
//   (the switch is atomic), until the next flip;
// - RSS flat: the RSS at the end is less than 10% above the RSS after warm-up.
import { Agent, request } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join, relative, resolve } from 'node:path';
import { ROOT, fmt, loadavg, median, readArgs, writeSection } from '../common.mjs';
import { REVIEW, check, checkTools, cli, predictionLogCounters, rssKb, startMlship } from './harness.mjs';

const HELP = `usage: node bench/serving/soak.mjs [--minutes N] [--flip-seconds S] [--poll-interval MS]
                                 [--concurrency C] [--warmup-seconds S] [--no-log-predictions]
                                 [--out FILE] [--no-write]

  --minutes N           how long to drive load (default 5; fractions allowed)
  --flip-seconds S      move the champion alias to the other version every S seconds (default 10)
  --poll-interval MS    mlship serve --poll-interval (default 500)
  --concurrency C       requests in flight at all times, over keep-alive connections (default 16)
  --warmup-seconds S    the RSS baseline for "flat" is the median of the 10 samples after this many
                        seconds (default 60, or a fifth of the run when that is shorter)
  --no-log-predictions  serve without the prediction log (by default it is on, as in production)
  --out FILE            where to write the report (default docs/benchmarks.md)
  --no-write            print the result only

example: node bench/serving/soak.mjs --minutes 1 --no-write`;

function parseArgs(argv) {
  const fail = (m) => {
    console.error(`bench:serving soak: ${m}`);
    process.exit(2);
  };
  const a = readArgs(
    argv,
    { minutes: 5, flipSeconds: 10, pollInterval: 500, concurrency: 16, warmupSeconds: undefined, logPredictions: true, out: join(ROOT, 'docs', 'benchmarks.md'), write: true },
    {
      '--minutes': { key: 'minutes', parse: Number },
      '--flip-seconds': { key: 'flipSeconds', parse: Number },
      '--poll-interval': { key: 'pollInterval', parse: Number },
      '--concurrency': { key: 'concurrency', parse: Number },
      '--warmup-seconds': { key: 'warmupSeconds', parse: Number },
      '--no-log-predictions': { key: 'noLog', flag: true },
      '--out': { key: 'out', parse: (v) => resolve(v) },
      '--no-write': { key: 'noWrite', flag: true },
    },
    { help: HELP, fail },
  );
  if (!(a.minutes > 0)) fail(`--minutes must be a positive number, got ${a.minutes}`);
  if (!(a.flipSeconds > 0)) fail(`--flip-seconds must be a positive number, got ${a.flipSeconds}`);
  if (!Number.isInteger(a.pollInterval) || a.pollInterval < 1) fail(`--poll-interval must be an integer >= 1 (ms), got ${a.pollInterval}`);
  if (!Number.isInteger(a.concurrency) || a.concurrency < 1) fail(`--concurrency must be an integer >= 1, got ${a.concurrency}`);
  a.warmupSeconds ??= Math.min(60, (a.minutes * 60) / 5);
  if (!(a.warmupSeconds >= 0)) fail(`--warmup-seconds must be >= 0, got ${a.warmupSeconds}`);
  if (a.noLog) a.logPredictions = false;
  if (a.noWrite) a.write = false;
  return a;
}

const log = (m) => console.error(`bench:serving soak: ${m}`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const now = () => performance.now();

/** One POST over the keep-alive agent; resolves { status, version, headerVersion, body } or { error }. */
function post(agent, url, payload) {
  return new Promise((res) => {
    const req = request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': payload.length } }, (r) => {
      const chunks = [];
      r.on('data', (c) => chunks.push(c));
      r.on('end', () => {
        let body = null;
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          /* reported as malformed below */
        }
        res({ status: r.statusCode, headerVersion: r.headers['x-model-version'], body });
      });
      r.on('error', (e) => res({ error: e.message }));
    });
    req.on('error', (e) => res({ error: e.message }));
    req.end(payload);
  });
}

/**
 * The alias timeline: [{ version, from, to }] where `from` is when the move to it started and `to`
 * when the move away finished (Infinity for the last): the version was the target at some point in
 * [from, to], and certainly not outside it.
 */
function timeline(initial, flips) {
  const out = [{ version: initial, from: -Infinity, to: Infinity }];
  for (const f of flips) {
    out[out.length - 1].to = f.t1;
    out.push({ version: f.version, from: f.t0, to: Infinity });
  }
  return out;
}

/** Least-squares slope of ys over xs, or null with fewer than 2 points. */
function slope(xs, ys) {
  const n = xs.length;
  if (n < 2) return null;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i] - mx) * (ys[i] - my);
    sxx += (xs[i] - mx) ** 2;
  }
  return sxx === 0 ? null : sxy / sxx;
}

/** Median RSS (MB) of the samples in each minute of the run. */
function rssByMinute(rss) {
  const out = [];
  for (let m = 0; m * 60 <= (rss[rss.length - 1]?.t ?? 0); m++) {
    const kb = median(rss.filter((x) => x.t >= m * 60 && x.t < (m + 1) * 60).map((x) => x.kb));
    if (kb != null) out.push(fmt.mb(kb));
  }
  return out;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  checkTools({ python: false, wrk: false });
  const started = new Date();
  const loadStart = loadavg();
  const dir = mkdtempSync(join(os.tmpdir(), 'mlship-soak-'));
  const trackingUri = `sqlite://${join(dir, 'mlship.db')}`;
  let server = null;
  let client = null;
  const cleanup = async () => {
    if (server) await server.stop();
    if (client) await client.close();
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('SIGINT', () => cleanup().finally(() => process.exit(130)));
  try {
    // Two versions of the spam model: the same pipeline fit on two different splits (seeds 42 and 7).
    for (const [file, seed] of [['spam-a.mlship', 42], ['spam-b.mlship', 7]]) {
      log(`training ${file} (mlship train text --data spam-assassin --model nb --seed ${seed})`);
      cli(['train', 'text', '--data', 'spam-assassin', '--model', 'nb', '--seed', String(seed), '--no-track', '--json', '--out', join(dir, file)]);
    }
    const register = (file, extra) => JSON.parse(cli(['models', 'register', join(dir, file), '--name', 'spam', ...extra, '--tracking-uri', trackingUri, '--json'])).version;
    const initial = register('spam-a.mlship', ['--alias', 'champion']);
    const other = register('spam-b.mlship', []);
    const { MlshipClient } = await import('mlship/tracking');
    client = await MlshipClient.open({ trackingUri });
    check((await client.registry.getModelVersionByAlias('spam', 'champion')).version === initial, `the champion alias does not point at version ${initial}`);
    log(`registered spam versions ${initial} (champion) and ${other} in ${trackingUri}`);

    const serveArgs = ['models:/spam@champion', '--port', '0', '--tracking-uri', trackingUri, '--poll-interval', String(args.pollInterval), ...(args.logPredictions ? [] : ['--no-log-predictions'])];
    server = await startMlship(serveArgs);
    const url = `${server.url}/predict`;
    log(`serving at ${server.url} (pid ${server.pid}); load: ${args.concurrency} concurrent keep-alive requests for ${args.minutes} min, alias flip every ${args.flipSeconds} s`);

    const payload = Buffer.from(JSON.stringify({ text: REVIEW }));
    const agent = new Agent({ keepAlive: true, maxSockets: args.concurrency });
    const t0 = now();
    const endAt = t0 + args.minutes * 60000;
    const responses = []; // [send, recv, version] of every good response, as a flat Float64 triple list
    const failures = [];
    let inconsistent = 0;
    let total = 0;
    const failure = (kind, detail) => {
      if (failures.length < 20) failures.push({ kind, detail, atS: ((now() - t0) / 1000).toFixed(1) });
      failures.count = (failures.count ?? 0) + 1;
    };
    const worker = async () => {
      while (now() < endAt) {
        const send = now();
        const r = await post(agent, url, payload);
        const recv = now();
        total++;
        if (r.error) failure('network', r.error);
        else if (r.status !== 200) failure(`HTTP ${r.status}`, JSON.stringify(r.body).slice(0, 200));
        else if (!r.body || typeof r.body.label !== 'string' || typeof r.body.probabilities !== 'object') failure('malformed', JSON.stringify(r.body).slice(0, 200));
        else {
          const v = Number(r.body.model_version);
          if (String(r.headerVersion) !== String(r.body.model_version) || !Number.isInteger(v)) {
            inconsistent++;
            failure('inconsistent version', `header ${r.headerVersion}, body ${r.body.model_version}`);
          } else responses.push(send, recv, v);
        }
      }
    };

    // RSS every second.
    const rss = [];
    const rssTimer = setInterval(() => {
      const kb = rssKb(server.pid);
      if (kb !== null) rss.push({ t: (now() - t0) / 1000, kb });
    }, 1000);
    // Alias flips.
    const flips = [];
    let target = initial;
    const flipper = (async () => {
      let next = t0 + args.flipSeconds * 1000;
      while (next < endAt - 1000) {
        await sleep(Math.max(0, next - now()));
        const to = target === initial ? other : initial;
        const f0 = now();
        await client.registry.setAlias('spam', 'champion', to, { reason: 'soak flip' });
        flips.push({ version: to, t0: f0, t1: now() });
        target = to;
        next += args.flipSeconds * 1000;
      }
    })();
    const progress = setInterval(() => {
      const s = (now() - t0) / 1000;
      const last = rss[rss.length - 1];
      process.stderr.write(`\r  ${s.toFixed(0)}/${(args.minutes * 60).toFixed(0)} s: ${fmt.int(total)} requests, ${failures.count ?? 0} failed, ${flips.length} flips, RSS ${last ? fmt.mb(last.kb) : '?'} MB   `);
    }, 2000);
    await Promise.all([...Array.from({ length: args.concurrency }, worker), flipper]);
    clearInterval(progress);
    clearInterval(rssTimer);
    process.stderr.write('\n');
    const elapsed = (now() - t0) / 1000;
    agent.destroy();

    await sleep(1000); // let the prediction log flush its last batch before reading its counters
    const { written, dropped } = await predictionLogCounters(server.url);
    const stopped = await server.stop();
    server = null;

    // Versions against the alias timeline.
    const tl = timeline(initial, flips);
    let inWindow = 0;
    let stale = 0;
    let maxStaleMs = 0;
    const staleAllowanceMs = args.pollInterval + 2000;
    let beyondAllowance = 0;
    let unknown = 0;
    const n = responses.length / 3;
    for (let i = 0; i < responses.length; i += 3) {
      const send = responses[i];
      const recv = responses[i + 1];
      const v = responses[i + 2];
      const spans = tl.filter((s) => s.version === v);
      if (spans.length === 0) {
        unknown++;
        continue;
      }
      if (spans.some((s) => s.from <= recv && s.to >= send)) inWindow++;
      else {
        stale++;
        // how long after this version stopped being the target was the request sent
        const ended = Math.max(...spans.filter((s) => s.to <= send).map((s) => s.to));
        const lag = send - ended;
        maxStaleMs = Math.max(maxStaleMs, lag);
        if (lag > staleAllowanceMs) beyondAllowance++;
      }
    }
    // Switch latency and flapping: per flip, the first response naming the new version, and any
    // request sent after it (and before the next flip) answered by the old one.
    const switchMs = [];
    let flapping = 0;
    let unobserved = 0;
    for (let k = 0; k < flips.length; k++) {
      const f = flips[k];
      const until = k + 1 < flips.length ? flips[k + 1].t0 : Infinity;
      let firstNew = Infinity;
      for (let i = 0; i < responses.length; i += 3) if (responses[i + 2] === f.version && responses[i] >= f.t0 && responses[i + 1] < firstNew && responses[i] < until) firstNew = responses[i + 1];
      if (firstNew === Infinity) {
        unobserved++;
        continue;
      }
      switchMs.push(firstNew - f.t1);
      for (let i = 0; i < responses.length; i += 3) if (responses[i] > firstNew && responses[i] < until && responses[i + 2] !== f.version) flapping++;
    }

    // RSS: baseline = median of the 10 samples after warm-up, end = median of the last 10 samples,
    // and the least-squares slope after warm-up (a leak shows as a steady positive slope).
    const afterWarm = rss.filter((s) => s.t >= args.warmupSeconds);
    const baseline = median(afterWarm.slice(0, 10).map((s) => s.kb)) ?? rss[0]?.kb ?? null;
    const slopeMbPerMin = slope(afterWarm.map((s) => s.t / 60), afterWarm.map((s) => s.kb / 1024));
    const endKb = median(rss.slice(-10).map((s) => s.kb));
    const maxKb = Math.max(...rss.map((s) => s.kb));
    const growth = baseline ? (endKb - baseline) / baseline : null;

    const failed = failures.count ?? 0;
    const result = {
      elapsed,
      total,
      rps: total / elapsed,
      failed,
      failures,
      inconsistent,
      n,
      inWindow,
      stale,
      maxStaleMs,
      staleAllowanceMs,
      beyondAllowance,
      unknown,
      flips: flips.length,
      unobserved,
      switchMs: { median: median(switchMs), max: switchMs.length ? Math.max(...switchMs) : null },
      flapping,
      rss: { first: rss[0]?.kb ?? null, baseline, end: endKb, max: maxKb, growth, slopeMbPerMin, samples: rss.length },
      predictionLog: { written, dropped },
      exit: stopped,
    };
    const checks = [
      ['zero failed requests', `${failed} of ${fmt.int(total)}`, failed === 0],
      ['each response names one version (header = body)', `${inconsistent} inconsistent`, inconsistent === 0 && unknown === 0],
      [`that version was the alias target during the request window (± the ${args.pollInterval} ms registry poll)`, `${fmt.int(inWindow)} in the window; ${fmt.int(stale)} named the previous target, at most ${maxStaleMs.toFixed(0)} ms after the move (allowed: ${staleAllowanceMs} ms)`, beyondAllowance === 0 && unknown === 0],
      ['atomic switch: no request sent after a client saw the new version got the old one', `${flapping} flapping responses`, flapping === 0],
      ['every alias flip reached clients', `${flips.length - unobserved} of ${flips.length} flips (switch seen ${fmt.int(result.switchMs.median)} ms median, ${fmt.int(result.switchMs.max)} ms max after the move)`, unobserved === 0 && flips.length > 0],
      ['RSS flat (growth < 10% after warm-up)', growth == null ? 'no samples' : `${fmt.mb(baseline)} MB after ${args.warmupSeconds} s → ${fmt.mb(endKb)} MB at the end (${(100 * growth).toFixed(1)}%), max ${fmt.mb(maxKb)} MB; trend after warm-up ${slopeMbPerMin == null ? '–' : slopeMbPerMin.toFixed(1)} MB/min`, growth != null && growth < 0.1],
      ['graceful shutdown (SIGTERM → exit 0)', `exit ${stopped.code ?? stopped.signal} after ${(stopped.ms / 1000).toFixed(1)} s${stopped.forced ? ' (killed after 60 s)' : ''}`, stopped.code === 0],
    ];
    if (args.logPredictions) checks.push(['prediction log kept up (nothing dropped)', written == null ? 'counters not exported in /metrics' : `${fmt.int(written)} written, ${fmt.int(dropped ?? 0)} dropped (of ${fmt.int(total)} requests)`, written != null && (dropped ?? 0) === 0]);

    console.log(`\nRSS by minute (MB): ${rssByMinute(rss).join(', ')}`);
    console.log(`soak: ${fmt.int(total)} requests in ${elapsed.toFixed(0)} s (${fmt.int(result.rps)} req/s), ${flips.length} alias flips`);
    for (const [what, measured, ok] of checks) console.log(`  ${ok ? 'PASS' : 'FAIL'}  ${what}: ${measured}`);
    if (failures.length) console.log(`  first failures: ${JSON.stringify(failures.slice(0, 5))}`);

    const L = [];
    L.push('## Serving soak: alias flips under load');
    L.push('');
    L.push('Generated by `bench/serving/soak.mjs`: `mlship serve models:/spam@champion` with the champion alias moved between two');
    L.push('registered versions while a client keeps a fixed number of requests in flight and checks every response.');
    L.push('');
    L.push('```sh');
    L.push(`node bench/serving/soak.mjs${args.minutes !== 5 ? ` --minutes ${args.minutes}` : ''}`);
    L.push('```');
    L.push('');
    L.push(`- Date: ${started.toISOString()}; ${os.cpus().length} cores, ${os.cpus()[0]?.model ?? 'unknown CPU'}; load average at start ${loadStart}, at end ${loadavg()}. Node ${process.version}.`);
    L.push(`- Server: \`mlship serve models:/spam@champion --poll-interval ${args.pollInterval} --port 0 --tracking-uri sqlite://…\`${args.logPredictions ? ' (prediction log on)' : ' --no-log-predictions'}, one process. Versions ${initial} and ${other}: TF-IDF + MultinomialNB fit by \`mlship train text --data spam-assassin --model nb\` with seeds 42 and 7, registered with \`mlship models register\`.`);
    L.push(`- Load: ${args.concurrency} concurrent \`POST /predict {"text": <64-word review>}\` over keep-alive connections (a Node client, loopback), for ${(elapsed / 60).toFixed(1)} min; every response checked (status 200, label + probabilities, \`x-model-version\` = body \`model_version\`).`);
    L.push(`- Alias: moved to the other version every ${args.flipSeconds} s with \`client.registry.setAlias('spam', 'champion', v)\`, each move timed; RSS = VmRSS of the server from \`/proc/<pid>/status\` every second.`);
    L.push('');
    L.push(`${fmt.int(total)} requests (${fmt.int(result.rps)} req/s), ${flips.length} alias flips.`);
    L.push('');
    L.push('| Check | Measured | Verdict |');
    L.push('|---|---|---|');
    for (const [what, measured, ok] of checks) L.push(`| ${what} | ${measured} | ${ok ? '**PASS**' : '**FAIL**'} |`);
    L.push('');
    L.push(`RSS: ${fmt.mb(result.rss.first)} MB at the first sample, ${fmt.mb(baseline)} MB after warm-up, ${fmt.mb(endKb)} MB at the end, ${fmt.mb(maxKb)} MB max (${rss.length} samples). By minute (MB, median of the samples in that minute): ${rssByMinute(rss).join(', ')}.`);
    if (args.write) {
      writeSection(args.out, 'serving-soak', L.join('\n'));
      log(`wrote the serving-soak section of ${relative(process.cwd(), args.out)}`);
    }
    process.exitCode = checks.every((c) => c[2]) ? 0 : 1;
  } finally {
    await cleanup();
  }
}

main().catch((err) => {
  console.error(`bench:serving soak: ${err.message}`);
  process.exit(1);
});
