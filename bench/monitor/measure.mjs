// One measurement process of the monitoring benchmark, mlship's side: build the reference profile
// from the reference block, stream the current block from the file in chunks into a CurrentSketch,
// then drift (normalised Wasserstein, Evidently's default for a 100,000-row reference, and KS on the
// same sketches). Prints one JSON line: times, peak RSS (VmHWM) and the per-column values.
//
//   node bench/monitor/measure.mjs <data file> <refRows> <curRows> [module]
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { ROOT } from '../common.mjs';
import { COLUMNS } from './data.mjs';

const [path, refArg, curArg, moduleArg] = process.argv.slice(2);
const refRows = Number(refArg);
const curRows = Number(curArg);
const mod = await import(pathToFileURL(moduleArg ?? join(ROOT, 'dist', 'monitor', 'index.js')).href);
const { buildProfile, CurrentSketch, profileDrift } = mod;

const status = (key) => Number(/(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8').split('\n').find((l) => l.startsWith(key)) ?? '')?.[1] ?? NaN);
const names = Array.from({ length: COLUMNS }, (_, j) => `c${j}`);
const fd = openSync(path, 'r');
const readInto = (buf, byteOffset) => {
  const bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  let done = 0;
  while (done < bytes.length) done += readSync(fd, bytes, done, bytes.length - done, byteOffset + done);
};

const t0 = performance.now();
// The reference profile, as training would build it (then only the profile is kept).
let profile;
{
  const columns = {};
  for (let j = 0; j < COLUMNS; j++) {
    const col = new Float64Array(refRows);
    readInto(col, j * refRows * 8);
    columns[names[j]] = col;
  }
  profile = buildProfile({ task: 'regression', columns, predictions: columns.c0 });
}
const profileBytes = JSON.stringify(profile).length;
const t1 = performance.now();
const rssBeforeCurrent = status('VmRSS:');

// The current window, streamed: 65,536 rows at a time, one buffer per column reused.
const CHUNK = 1 << 16;
const sketch = new CurrentSketch(profile);
const bufs = names.map(() => new Float64Array(CHUNK));
const base = COLUMNS * refRows * 8;
for (let i = 0; i < curRows; i += CHUNK) {
  const n = Math.min(CHUNK, curRows - i);
  const chunk = {};
  for (let j = 0; j < COLUMNS; j++) {
    const b = n === CHUNK ? bufs[j] : bufs[j].subarray(0, n);
    readInto(b, base + (j * curRows + i) * 8);
    chunk[names[j]] = b;
  }
  sketch.add({ columns: chunk });
}
closeSync(fd);
const t2 = performance.now();
const wasserstein = profileDrift(profile, sketch);
const ks = profileDrift(profile, sketch, { perKind: { numeric: { method: 'ks' } } });
const t3 = performance.now();

console.log(
  JSON.stringify({
    profileMs: t1 - t0,
    streamMs: t2 - t1,
    testsMs: t3 - t2,
    driftMs: t3 - t1,
    totalMs: t3 - t0,
    vmHwmKb: status('VmHWM:'),
    rssBeforeCurrentKb: rssBeforeCurrent,
    profileBytes,
    drifted: wasserstein.driftedColumns,
    wasserstein: names.map((n) => wasserstein.columns[n].distance),
    ks: names.map((n) => ks.columns[n].statistic),
    ksP: names.map((n) => ks.columns[n].pValue),
  }),
);
