// The monitoring benchmark's data: seeded synthetic columns written once to a binary file that both
// sides read. Layout: float64 little-endian, column-major, reference block (COLUMNS × refRows) then
// current block (COLUMNS × curRows). Half the columns of the current block are shifted.
//
//   node bench/monitor/data.mjs <refRows> <curRows>   → prints the file path (created when missing)
import { closeSync, existsSync, openSync, renameSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const COLUMNS = 20;

/** The file for a reference and current size (in the system temp folder). */
export const dataPath = (refRows, curRows) => join(tmpdir(), `mlship-bench-monitor-${refRows}x${curRows}x${COLUMNS}.f64`);

/** xorshift128+ seeded with splitmix64-ish mixing: a fast deterministic uniform generator. */
function uniform(seed) {
  let s0 = (seed * 2654435761) >>> 0 || 1;
  let s1 = (seed * 40503 + 12345) >>> 0 || 2;
  return () => {
    let x = s0;
    const y = s1;
    s0 = y;
    x ^= x << 23;
    x ^= x >>> 17;
    x ^= y ^ (y >>> 26);
    s1 = x >>> 0;
    return ((s0 + s1) >>> 0) / 4294967296;
  };
}

/** Column j's generator: a mix of shapes (normal, log-normal, uniform, exponential, integers). */
function generator(j, shifted, seed) {
  const u = uniform(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
  const shift = shifted ? 0.25 : 0;
  switch (j % 5) {
    case 0: return () => 10 + 2 * (normal() + shift);
    case 1: return () => Math.exp(0.5 * normal() + shift);
    case 2: return () => u() * 100 + shift * 30;
    case 3: return () => -Math.log(1 - u()) * (1 + shift);
    default: return () => Math.round(40 + 12 * (normal() + shift)); // integer ages: > 5 distinct values
  }
}

function writeBlock(fd, rows, current, seedBase) {
  const chunk = 1 << 16;
  const buf = new Float64Array(chunk);
  for (let j = 0; j < COLUMNS; j++) {
    const next = generator(j, current && j < COLUMNS / 2, seedBase + j);
    for (let i = 0; i < rows; i += chunk) {
      const n = Math.min(chunk, rows - i);
      for (let k = 0; k < n; k++) buf[k] = next();
      writeSync(fd, new Uint8Array(buf.buffer, 0, n * 8));
    }
  }
}

/** Creates the data file when missing; returns its path. */
export function ensureData(refRows, curRows) {
  const path = dataPath(refRows, curRows);
  if (existsSync(path)) return path;
  const tmp = `${path}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w');
  writeBlock(fd, refRows, false, 1000);
  writeBlock(fd, curRows, true, 2000);
  closeSync(fd);
  renameSync(tmp, path);
  return path;
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop())) {
  const [ref, cur] = process.argv.slice(2).map(Number);
  console.log(ensureData(ref, cur));
}
