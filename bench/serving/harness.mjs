// Shared by bench/serving/run.mjs and bench/serving/soak.mjs: training the two equivalent models,
// starting and stopping the servers (`mlship serve` and the FastAPI peer), running wrk, and reading
// a process's RSS and CPU time from /proc.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PYTHON, ROOT } from '../common.mjs';

export const HERE = dirname(fileURLToPath(import.meta.url));
export const CLI = join(ROOT, 'dist', 'cli', 'bin.js');
export const LUA = join(HERE, 'post.lua');
const SPLIT = { testSize: 0.2, seed: 42 };

// A ~60-word product review: the single-text request body on both sides.
export const REVIEW =
  'I ordered this blender after reading a dozen reviews and it has been worth every penny. It crushes ice in seconds, ' +
  'the jar is easy to clean, and it is much quieter than my old one. Customer service answered my question about the ' +
  'warranty within a day. My only complaint is the short power cord, but I would still buy it again without hesitation.';

/** Throws with `message` unless `cond`; the drivers print it and exit 1. */
export function check(cond, message) {
  if (!cond) throw new Error(message);
}

/** Verifies the tools the benchmark needs: a built dist/, wrk, and FastAPI + uvicorn + scikit-learn under /usr/bin/python3. */
export function checkTools({ python = true, wrk = true } = {}) {
  check(existsSync(CLI), `${CLI} is missing: run \`npm run build\` first (npm run bench:serving does)`);
  if (wrk) {
    const w = spawnSync('wrk', ['--version'], { encoding: 'utf8' });
    check(!w.error, 'wrk is not installed: apt-get install -y wrk');
  }
  if (python) {
    const p = spawnSync(PYTHON, ['-c', 'import fastapi, uvicorn, sklearn'], { encoding: 'utf8' });
    check(p.status === 0, `${PYTHON} cannot import fastapi, uvicorn and sklearn (${(p.stderr || '').trim().split('\n').pop()}): apt-get install -y python3-fastapi python3-uvicorn python3-sklearn`);
  }
}

/** Runs the mlship CLI to completion; returns stdout, throws with the tail of stderr on failure. */
export function cli(args, { env } = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`mlship ${args.slice(0, 3).join(' ')} failed (exit ${r.status}): ${(r.stderr || r.error?.message || '').trim().split('\n').slice(-3).join(' | ')}`);
  return r.stdout;
}

/**
 * The spam-assassin corpus split exactly as `mlship train text --data spam-assassin` splits it
 * (stratified, test size 0.2, seed 42), through mlship's public loader and trainTestSplit.
 */
export async function spamSplit() {
  const data = await import('mlship/data');
  const learn = await import('mlship/learn');
  const ds = await data.loadText('spam-assassin');
  const [xTrain, xTest, yTrain, yTest] = learn.trainTestSplit(ds.texts, ds.labels, { testSize: SPLIT.testSize, randomState: SPLIT.seed, stratify: ds.labels });
  return { xTrain, xTest, yTrain: Array.from(yTrain, String), yTest: Array.from(yTest, String), fingerprint: data.fingerprintTextDataset(ds) };
}

const writeJsonl = (path, texts, labels) => writeFileSync(path, texts.map((t, i) => JSON.stringify({ text: t, label: labels[i] })).join('\n') + '\n');

/**
 * Trains mlship's model with the CLI (`train text --data spam-assassin --model nb`) and the
 * scikit-learn pipeline on the same training documents; checks that both saw the same split
 * (document counts, vocabulary size). Returns the two model paths, the split and the facts.
 */
export async function trainBoth(dir, { log = () => {} } = {}) {
  log('training mlship TF-IDF + MultinomialNB (mlship train text --data spam-assassin --model nb)');
  const mlshipPath = join(dir, 'spam-nb.mlship');
  const m = JSON.parse(cli(['train', 'text', '--data', 'spam-assassin', '--model', 'nb', '--seed', String(SPLIT.seed), '--test-size', String(SPLIT.testSize), '--no-track', '--json', '--out', mlshipPath]));
  log('exporting the same training split for scikit-learn');
  const split = await spamSplit();
  check(split.xTrain.length === m.split.train && split.xTest.length === m.split.test, `split mismatch: mlship trained on ${m.split.train}/${m.split.test}, the export has ${split.xTrain.length}/${split.xTest.length}`);
  check(split.fingerprint === m.dataset.fingerprint, 'the exported corpus fingerprint differs from the one mlship trained on');
  const trainPath = join(dir, 'train.jsonl');
  const testPath = join(dir, 'test.jsonl');
  writeJsonl(trainPath, split.xTrain, split.yTrain);
  writeJsonl(testPath, split.xTest, split.yTest);
  log('training scikit-learn TfidfVectorizer() + MultinomialNB() and pickling it');
  const pklPath = join(dir, 'spam-nb.pkl');
  const r = spawnSync(PYTHON, [join(HERE, 'train_sklearn.py'), '--train', trainPath, '--test', testPath, '--out', pklPath], { encoding: 'utf8', maxBuffer: 16 << 20 });
  check(r.status === 0, `train_sklearn.py failed: ${(r.stderr || '').trim().split('\n').pop()}`);
  const s = JSON.parse(r.stdout.trim().split('\n').pop());
  check(s.n_train === m.split.train, `scikit-learn trained on ${s.n_train} documents, mlship on ${m.split.train}`);
  return {
    mlshipPath,
    pklPath,
    split,
    facts: {
      nTrain: m.split.train,
      nTest: m.split.test,
      classes: m.dataset.classes,
      fingerprint: m.dataset.fingerprint,
      features: { mlship: m.model.nFeatures, sklearn: s.n_features },
      accuracy: { mlship: m.model.evaluation.accuracy, sklearn: s.test_accuracy },
    },
  };
}

/** A free TCP port on 127.0.0.1 (for uvicorn, which has no port 0 report). */
export function freePort() {
  return new Promise((res, rej) => {
    const s = net.createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Keeps the last `n` lines a stream wrote, for error messages. */
function tail(stream, n = 20) {
  const lines = [];
  stream?.setEncoding('utf8');
  stream?.on('data', (d) => {
    for (const l of d.split('\n')) if (l.trim()) lines.push(l);
    if (lines.length > n) lines.splice(0, lines.length - n);
  });
  return lines;
}

function exited(child) {
  return new Promise((res) => {
    if (child.exitCode !== null || child.signalCode !== null) res({ code: child.exitCode, signal: child.signalCode });
    else child.once('exit', (code, signal) => res({ code, signal }));
  });
}

/** SIGTERM, wait up to `graceMs`, then SIGKILL. Resolves to { code, signal, forced, ms } (ms: SIGTERM to exit). */
async function stopChild(child, graceMs = 60000) {
  if (child.exitCode !== null || child.signalCode !== null) return { code: child.exitCode, signal: child.signalCode, forced: false, ms: 0 };
  const done = exited(child);
  const t0 = performance.now();
  child.kill('SIGTERM');
  const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
  const r = await done;
  clearTimeout(t);
  return { ...r, forced: r.signal === 'SIGKILL', ms: performance.now() - t0 };
}

/**
 * The prediction log's counters from a server's GET /metrics: the sums of the series whose names
 * mention prediction and written / dropped. { written, dropped } (null when not exported).
 */
export async function predictionLogCounters(url) {
  const text = await fetch(`${url}/metrics`).then((r) => (r.ok ? r.text() : null)).catch(() => null);
  const sum = (re) => {
    if (!text) return null;
    const vals = text
      .split('\n')
      .filter((l) => l && !l.startsWith('#') && re.test(l.split(/[{\s]/)[0]))
      .map((l) => Number(l.trim().split(/\s+/).pop()));
    return vals.length ? vals.reduce((a, b) => a + b, 0) : null;
  };
  return { written: sum(/prediction.*written/), dropped: sum(/prediction.*dropped/) };
}

/**
 * Starts `node dist/cli/bin.js serve <args...>`, waits for its
 * `mlship serve: listening on http://host:port` line and then for GET /v2/health/ready to answer
 * 200 (timeout 120 s each).
 * `nodeFlags` go before the script (e.g. --cpu-prof).
 */
export async function startMlship(args, { nodeFlags = [], env = {}, timeoutMs = 120000 } = {}) {
  const child = spawn(process.execPath, [...nodeFlags, CLI, 'serve', ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const err = tail(child.stderr);
  const url = await new Promise((res, rej) => {
    let buf = '';
    const timer = setTimeout(() => rej(new Error(`mlship serve did not print its listening line within ${timeoutMs / 1000} s; stderr: ${err.slice(-5).join(' | ')}`)), timeoutMs);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d) => {
      buf += d;
      const m = /mlship serve: listening on (http:\/\/\S+)/.exec(buf);
      if (m) {
        clearTimeout(timer);
        buf = '';
        res(m[1].replace(/\/$/, ''));
      } else if (buf.length > 1 << 20) buf = buf.slice(-4096);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      rej(new Error(`mlship serve exited (${code ?? signal}) before listening: ${err.slice(-5).join(' | ')}`));
    });
  });
  child.stdout.resume();
  // It listens before its models are loaded: wait for readiness (GET /v2/health/ready = 200).
  const t0 = Date.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`mlship serve exited (${child.exitCode}) before it was ready: ${err.slice(-5).join(' | ')}`);
    const r = await fetch(`${url}/v2/health/ready`).catch(() => null);
    if (r?.status === 200) break;
    if (Date.now() - t0 > timeoutMs) {
      await stopChild(child);
      throw new Error(`mlship serve was not ready (GET /v2/health/ready) within ${timeoutMs / 1000} s: ${err.slice(-5).join(' | ')}`);
    }
    await sleep(100);
  }
  return { name: 'mlship', child, pid: child.pid, url, stderr: err, stop: () => stopChild(child) };
}

/** Starts the FastAPI peer with one uvicorn worker and waits until GET /health answers. */
export async function startFastapi(pklPath, { timeoutMs = 120000 } = {}) {
  const port = await freePort();
  const args = ['-m', 'uvicorn', 'fastapi_app:app', '--workers', '1', '--host', '127.0.0.1', '--port', String(port), '--no-access-log', '--log-level', 'warning'];
  const child = spawn(PYTHON, args, { cwd: HERE, env: { ...process.env, SPAM_MODEL_PATH: pklPath }, stdio: ['ignore', 'pipe', 'pipe'] });
  const err = tail(child.stderr);
  child.stdout.resume();
  const url = `http://127.0.0.1:${port}`;
  const t0 = Date.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`uvicorn exited (${child.exitCode}) before answering: ${err.slice(-5).join(' | ')}`);
    try {
      const r = await fetch(`${url}/health`);
      if (r.ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() - t0 > timeoutMs) {
      await stopChild(child);
      throw new Error(`uvicorn did not answer GET /health within ${timeoutMs / 1000} s: ${err.slice(-5).join(' | ')}`);
    }
    await sleep(200);
  }
  return { name: 'fastapi', child, pid: child.pid, url, stderr: err, command: `${PYTHON} ${args.join(' ')}`, stop: () => stopChild(child) };
}

/** VmRSS of a process in KiB, or null when it is gone. */
export function rssKb(pid) {
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

let clkTck;
/** User + system CPU seconds a process has used so far (from /proc/<pid>/stat), or null. */
export function cpuSeconds(pid) {
  clkTck ??= Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state); utime and stime are fields 14 and 15
    return (Number(fields[11]) + Number(fields[12])) / clkTck;
  } catch {
    return null;
  }
}

/** POSTs JSON and returns { status, headers, body } (body parsed when it is JSON). */
export async function postJson(url, body, headers = {}) {
  const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const text = await r.text();
  let parsed = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    /* keep the text */
  }
  return { status: r.status, headers: r.headers, body: parsed };
}

/**
 * Runs `wrk -t<threads> -c<connections> -d<seconds>s --latency -s post.lua <url>` with the body in
 * `bodyFile`; returns the parsed summary (requests/s, latency percentiles in ms, errors).
 */
export function runWrk(url, bodyFile, { threads = 2, connections = 32, seconds = 20 } = {}) {
  return new Promise((res, rej) => {
    const args = [`-t${threads}`, `-c${connections}`, `-d${seconds}s`, '--latency', '-s', LUA, url];
    const child = spawn('wrk', args, { env: { ...process.env, WRK_BODY: bodyFile }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d) => (err += d));
    child.once('error', rej);
    child.once('exit', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('WRK_JSON '));
      if (code !== 0 || !line) return rej(new Error(`wrk failed (exit ${code}): ${(err || out).trim().split('\n').slice(-3).join(' | ')}`));
      const j = JSON.parse(line.slice('WRK_JSON '.length));
      const seconds = j.duration_us / 1e6;
      const e = j.errors;
      const nonOk = /Non-2xx or 3xx responses:\s+(\d+)/.exec(out);
      res({
        requests: j.requests,
        seconds,
        rps: j.requests / seconds,
        p50Ms: j.latency_us['50'] / 1000,
        p90Ms: j.latency_us['90'] / 1000,
        p99Ms: j.latency_us['99'] / 1000,
        maxMs: j.latency_us.max / 1000,
        socketErrors: e.connect + e.read + e.write + e.timeout,
        non2xx: nonOk ? Number(nonOk[1]) : e.status,
        errors: e,
        command: `wrk ${args.map((a) => (a === LUA ? 'bench/serving/post.lua' : a)).join(' ')}`,
      });
    });
  });
}
