// The client side of bench/tracking: a separate process talking to one mlship server over HTTP
// with keep-alive connections (node:http Agent, a pool of --connections sockets). Measures single
// log-metric calls/s, logBatch metrics/s (batches of --batch-size), and run search latency over the
// populated `search` experiment; --phases picks some of them. Prints one JSON object.
//
//   node bench/tracking/http-client.mjs --url http://127.0.0.1:5000 --search-experiment 1
import http from 'node:http';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const url = new URL(arg('--url'));
const connections = Number(arg('--connections', 8));
const singles = Number(arg('--singles', 20000));
const batches = Number(arg('--batches', 200));
const batchSize = Number(arg('--batch-size', 1000));
const batchConnections = Number(arg('--batch-connections', 2));
const searchQueries = Number(arg('--search-queries', 100));
const searchExperiment = arg('--search-experiment');
const phases = new Set(arg('--phases', 'single,batch,search').split(','));

const agent = new http.Agent({ keepAlive: true, maxSockets: connections });

/** One request; resolves with status and body text. */
function request(method, path, body) {
  return new Promise((resolve, reject) => {
    const headers = body === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) };
    const req = http.request({ host: url.hostname, port: url.port, method, path, agent, headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

async function ok(method, path, body) {
  const r = await request(method, path, body === undefined ? undefined : JSON.stringify(body));
  if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${r.body.slice(0, 300)}`);
  return JSON.parse(r.body);
}

const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
const ms = (t) => Number(t.toFixed(2));

/** Runs `total` calls of `fn(i)` over `lanes` concurrent loops; returns seconds and sorted per-call ms. */
async function lanesOf(total, lanes, fn) {
  const times = new Array(total);
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: lanes }, async () => {
      for (;;) {
        const i = next++;
        if (i >= total) return;
        const s = performance.now();
        await fn(i);
        times[i] = performance.now() - s;
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  return { seconds, times: times.sort((a, b) => a - b) };
}

const experimentId = (await ok('POST', '/api/v1/experiments', { name: `bench-${process.pid}-${Date.now()}` })).experimentId;
const singleRun = (await ok('POST', '/api/v1/runs', { experimentId, runName: 'singles' })).run.info.runId;
const batchRun = (await ok('POST', '/api/v1/runs', { experimentId, runName: 'batches' })).run.info.runId;

const out = { connections };

// ---- single log-metric calls (one HTTP request and one transaction each)
const singlePath = `/api/v1/runs/${singleRun}/metrics`;
const singleBody = (i) => `{"key":"loss","value":${Math.sin(i)},"step":${i}}`;
const post = async (path, body) => {
  const r = await request('POST', path, body);
  if (r.status !== 200) throw new Error(`POST ${path}: ${r.status} ${r.body.slice(0, 300)}`);
};
if (phases.has('single')) {
  await lanesOf(Math.min(1000, singles), connections, (i) => post(singlePath, singleBody(-1 - i))); // warm-up
  const single = await lanesOf(singles, connections, (i) => post(singlePath, singleBody(i)));
  out.single = { calls: singles, seconds: ms(single.seconds), callsPerSecond: Math.round(singles / single.seconds), p50Ms: ms(quantile(single.times, 0.5)), p99Ms: ms(quantile(single.times, 0.99)) };
}

// ---- logBatch of batchSize metrics (10 keys x batchSize/10 steps), bodies serialised up front
const makeBatch = (b) =>
  JSON.stringify({ metrics: Array.from({ length: batchSize }, (_, i) => ({ key: `metric_${i % 10}`, value: Math.sin(b * batchSize + i), step: b * (batchSize / 10) + Math.floor(i / 10), timestamp: 1_700_000_000_000 + b })) });
const batchPath = `/api/v1/runs/${batchRun}/log-batch`;
if (phases.has('batch')) {
  await post(batchPath, makeBatch(0)); // warm-up
  const bodies = Array.from({ length: batches }, (_, b) => makeBatch(b + 1));
  const batch = await lanesOf(batches, batchConnections, (b) => post(batchPath, bodies[b]));
  const history = await ok('GET', `/api/v1/runs/${batchRun}/metrics/history?key=metric_0`);
  if (history.metrics.length !== ((batches + 1) * batchSize) / 10) throw new Error(`expected ${((batches + 1) * batchSize) / 10} values of metric_0, found ${history.metrics.length}`);
  out.batch = { batches, batchSize, connections: batchConnections, seconds: ms(batch.seconds), metricsPerSecond: Math.round((batches * batchSize) / batch.seconds), p50Ms: ms(quantile(batch.times, 0.5)), p95Ms: ms(quantile(batch.times, 0.95)) };
}

// ---- search: a filter and an order over the populated experiment, one query at a time
if (phases.has('search') && searchExperiment !== undefined) {
  const search = {};
  out.search = search;
  for (const maxResults of [100, 1000]) {
    const n = maxResults === 100 ? searchQueries : Math.max(10, Math.floor(searchQueries / 4));
    let bytes = 0;
    let matched = 0;
    const { times } = await lanesOf(n, 1, async (i) => {
      const body = JSON.stringify({ experimentIds: [searchExperiment], filter: `metrics.m0 < ${(0.5 + (i % 10) / 1000).toFixed(3)} AND params.model = 'rf'`, orderBy: ['metrics.m1 DESC'], maxResults });
      const r = await request('POST', '/api/v1/runs/search', body);
      if (r.status !== 200) throw new Error(`search: ${r.status} ${r.body.slice(0, 300)}`);
      bytes = r.body.length;
      matched = JSON.parse(r.body).runs.length;
    });
    search[maxResults] = { queries: n, runsReturned: matched, responseKB: Math.round(bytes / 1024), p50Ms: ms(quantile(times, 0.5)), p95Ms: ms(quantile(times, 0.95)) };
  }
}

agent.destroy();
console.log(JSON.stringify(out));
