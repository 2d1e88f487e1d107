#!/usr/bin/env node
// Summarises a V8 .cpuprofile (from `node --cpu-prof`): the top functions by self time and by
// inclusive time, to see where a benchmark spends its time.
//
//   node --cpu-prof --cpu-prof-dir=.bench-cache/prof bench/text/mlship-bench.mjs --corpus .bench-cache/spam-assassin.jsonl --pipeline lr
//   node bench/text/profile-summary.mjs .bench-cache/prof/CPU.*.cpuprofile [--top 25]
import { readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * @param {{ nodes: any[], samples: number[], timeDeltas: number[] }} prof
 * @returns {{ totalMs: number, rows: { name: string, selfMs: number, totalMs: number }[] }}
 */
export function summarize(prof, root = process.cwd()) {
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const key = (n) => {
    const f = n.callFrame;
    const where = f.url ? `${relative(root, f.url.startsWith('file://') ? fileURLToPath(f.url) : f.url)}:${f.lineNumber + 1}` : '';
    return `${f.functionName || '(anonymous)'} ${where}`.trim();
  };
  const self = new Map();
  const total = new Map();
  let totalUs = 0;
  for (let i = 0; i < prof.samples.length; i++) {
    const dt = prof.timeDeltas[i] ?? 0;
    totalUs += dt;
    let id = prof.samples[i];
    const leaf = byId.get(id);
    self.set(key(leaf), (self.get(key(leaf)) ?? 0) + dt);
    const seen = new Set();
    while (id !== undefined) {
      const k = key(byId.get(id));
      if (!seen.has(k)) {
        seen.add(k);
        total.set(k, (total.get(k) ?? 0) + dt);
      }
      id = parent.get(id);
    }
  }
  const rows = [...total.keys()].map((name) => ({ name, selfMs: (self.get(name) ?? 0) / 1000, totalMs: total.get(name) / 1000 }));
  return { totalMs: totalUs / 1000, rows };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const argv = process.argv.slice(2);
  if (argv.length === 0 || argv.includes('--help')) {
    console.log('usage: node bench/text/profile-summary.mjs FILE.cpuprofile [--top 25]\nexample: node bench/text/profile-summary.mjs .bench-cache/prof/CPU.20260101.cpuprofile --top 30');
    process.exit(argv.length === 0 ? 2 : 0);
  }
  const ti = argv.indexOf('--top');
  const top = ti >= 0 ? Number(argv[ti + 1]) : 25;
  const file = argv.find((a, i) => !a.startsWith('--') && (ti < 0 || i !== ti + 1));
  const { totalMs, rows } = summarize(JSON.parse(readFileSync(file, 'utf8')));
  const pct = (ms) => `${((100 * ms) / totalMs).toFixed(1).padStart(5)}%`;
  console.log(`total ${(totalMs / 1000).toFixed(2)} s sampled\n\nby self time:`);
  for (const r of [...rows].sort((a, b) => b.selfMs - a.selfMs).slice(0, top)) console.log(`${pct(r.selfMs)} ${(r.selfMs / 1000).toFixed(2).padStart(7)} s  ${r.name}`);
  console.log('\nby inclusive time:');
  for (const r of [...rows].sort((a, b) => b.totalMs - a.totalMs).slice(0, top)) console.log(`${pct(r.totalMs)} ${(r.totalMs / 1000).toFixed(2).padStart(7)} s  ${r.name}`);
}
