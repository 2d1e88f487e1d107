import { closeSync, openSync, writeSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { streamJsonl } from './index.js';

/** Size of the generated file; override with MLSHIP_STREAM_TEST_MB. */
const TARGET_MB = Number(process.env.MLSHIP_STREAM_TEST_MB ?? 1024);
const LINES_PER_BLOCK = 1000;
// What is kept (about a million short ids) takes some tens of MB; the rest of the growth is garbage
// the collector has not reclaimed yet, which grows when other processes starve its background
// threads (97 MB on a quiet 2-core machine, up to 220 MB under a load average of 10). A reader that
// held the file would grow by more than the file's 1024 MB, so 300 MB still separates the two.
const RSS_LIMIT_MB = 300;

let dir: string;
let path: string;
let lines = 0;

/** Writes ~TARGET_MB of JSONL: each line a ~1 KB record with a short `id` and a long `text`. */
function generate(file: string): number {
  const filler = 'lorem ipsum dolor sit amet, consectetur adipiscing elit. '.repeat(17); // ~1 KB
  const fd = openSync(file, 'w');
  let written = 0;
  let n = 0;
  try {
    while (written < TARGET_MB * 1024 * 1024) {
      let block = '';
      for (let k = 0; k < LINES_PER_BLOCK; k++, n++) {
        block += `{"id":"d${n}","text":"${filler}","label":"${n % 3 === 0 ? 'spam' : 'ham'}","n":${n}}\n`;
      }
      written += writeSync(fd, block);
    }
  } finally {
    closeSync(fd);
  }
  return n;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mlship-stream-'));
  path = join(dir, 'big.jsonl');
  lines = generate(path);
}, 120_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('streaming memory', () => {
  it(`streams a ${TARGET_MB} MB JSONL file keeping one short field with bounded RSS growth`, async () => {
    const { size } = await stat(path);
    expect(size).toBeGreaterThanOrEqual(TARGET_MB * 1024 * 1024);
    const before = process.memoryUsage().rss;
    let peak = before;
    const ids: string[] = [];
    let spam = 0;
    let last = 0;
    const t0 = performance.now();
    for await (const { line, value } of streamJsonl(path)) {
      const rec = value as { id: string; label: string };
      ids.push(rec.id);
      if (rec.label === 'spam') spam++;
      last = line;
      if ((line & 0x3fff) === 0) peak = Math.max(peak, process.memoryUsage().rss);
    }
    peak = Math.max(peak, process.memoryUsage().rss);
    const seconds = (performance.now() - t0) / 1000;
    const growthMb = (peak - before) / (1024 * 1024);
    console.log(
      `stream-memory: ${(size / 1024 / 1024).toFixed(0)} MB, ${lines} lines in ${seconds.toFixed(1)} s ` +
        `(${(size / 1024 / 1024 / seconds).toFixed(0)} MB/s), RSS growth ${growthMb.toFixed(0)} MB`,
    );
    expect(ids).toHaveLength(lines);
    expect(last).toBe(lines);
    expect(ids[0]).toBe('d0');
    expect(ids.at(-1)).toBe(`d${lines - 1}`);
    expect(spam).toBe(Math.ceil(lines / 3));
    expect(growthMb).toBeLessThan(RSS_LIMIT_MB);
  }, 120_000);
});
