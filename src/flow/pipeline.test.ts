import { existsSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { MlshipClient } from '../tracking/index.js';
import { loadPipeline, pipelineDot, pipelineText, runPipeline, selectStages } from './index.js';
import type { RunPipelineOptions } from './index.js';

// a stage script: `node step.mjs [--sleep=ms] <name> <out> [deps...]` appends its name to
// runs.log, writes <out> from its deps (and <name>.time with its start and end)
const STEP = `import fs from 'node:fs';
const args = process.argv.slice(2);
let sleep = 0;
if (args[0]?.startsWith('--sleep=')) sleep = Number(args.shift().slice(8));
const [name, out, ...deps] = args;
const start = Date.now();
fs.appendFileSync('runs.log', name + '\\n');
if (sleep) await new Promise((r) => setTimeout(r, sleep));
fs.writeFileSync(out, name + '(' + deps.map((d) => fs.readFileSync(d, 'utf8')).join(',') + ')');
fs.writeFileSync(name + '.time', JSON.stringify([start, Date.now()]));
console.log('done ' + name);
console.error('note from ' + name);
`;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mlship-pipeline-'));
  writeFileSync(join(dir, 'step.mjs'), STEP);
  writeFileSync(join(dir, 'raw.txt'), 'raw');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

type Stages = Record<string, Record<string, unknown>>;
function write(stages: Stages, params?: Record<string, unknown>): string {
  writeFileSync(join(dir, 'mlship.yaml'), stringify({ stages }));
  if (params) writeFileSync(join(dir, 'params.yaml'), stringify(params));
  return join(dir, 'mlship.yaml');
}
const step = (name: string, out: string, ...deps: string[]): Record<string, unknown> => ({ cmd: `node step.mjs ${name} ${out} ${deps.join(' ')}`, deps: ['step.mjs', ...deps], outs: [out] });
const runs = (): string[] => (existsSync(join(dir, 'runs.log')) ? readFileSync(join(dir, 'runs.log'), 'utf8').trim().split('\n') : []);
const clearRuns = (): void => rmSync(join(dir, 'runs.log'), { force: true });
async function go(options: RunPipelineOptions = {}): Promise<Record<string, string>> {
  const r = await runPipeline(join(dir, 'mlship.yaml'), options);
  return Object.fromEntries(r.stages.map((s) => [s.stage, s.status]));
}

// a -> b -> c, and d on its own
const CHAIN: Stages = { c: step('c', 'c.txt', 'b.txt'), b: step('b', 'b.txt', 'a.txt'), a: step('a', 'a.txt', 'raw.txt'), d: step('d', 'd.txt', 'raw.txt') };

describe('runPipeline', () => {
  it('runs stages in the order of the out -> dep graph, writes the lock, and captures output', async () => {
    write(CHAIN);
    const lines: string[] = [];
    const r = await runPipeline(join(dir, 'mlship.yaml'), { onOutput: (s, l, stream) => lines.push(`${s}/${stream}: ${l}`) });
    expect(r.ok).toBe(true);
    expect(r.stages.map((s) => s.stage)).toEqual(['a', 'b', 'c', 'd']);
    expect(loadPipeline(join(dir, 'mlship.yaml')).order).toEqual(['a', 'b', 'c', 'd']);
    const order = runs();
    expect(order.sort()).toEqual(['a', 'b', 'c', 'd']);
    expect(runs().filter((n) => n !== 'd')).toEqual(['a', 'b', 'c']);
    expect(readFileSync(join(dir, 'c.txt'), 'utf8')).toBe('c(b(a(raw)))');
    expect(r.stages.every((s) => s.status === 'ran' && s.reason === 'never run' && s.exitCode === 0)).toBe(true);
    expect(r.stages[0]!.log).toContain('done a');
    expect(lines).toContain('a/stdout: done a');
    expect(lines).toContain('a/stderr: note from a');
    expect(r.flowRun!.state).toBe('Completed');
    expect(r.flowRun!.taskRuns.map((t) => `${t.task}:${t.state}`).sort()).toEqual(['a:Completed', 'b:Completed', 'c:Completed', 'd:Completed']);
    const lock = readFileSync(join(dir, 'mlship.lock'), 'utf8');
    expect(lock).toContain('path: a.txt');
    expect(lock).toMatch(/sha256: [0-9a-f]{64}/);
  });

  it('runs independent stages concurrently up to --jobs', async () => {
    write({ x: { ...step('x', 'x.txt', 'raw.txt'), cmd: 'node step.mjs --sleep=400 x x.txt raw.txt' }, y: { ...step('y', 'y.txt', 'raw.txt'), cmd: 'node step.mjs --sleep=400 y y.txt raw.txt' } });
    const overlap = (): boolean => {
      const [x0, x1] = JSON.parse(readFileSync(join(dir, 'x.time'), 'utf8')) as number[];
      const [y0, y1] = JSON.parse(readFileSync(join(dir, 'y.time'), 'utf8')) as number[];
      return x0! < y1! && y0! < x1!;
    };
    await go({ jobs: 2 });
    expect(overlap()).toBe(true);
    await go({ jobs: 1, force: true });
    expect(overlap()).toBe(false);
  });

  it('skips unchanged stages (task state Cached) and reruns what a changed dep, param, cmd or out affects', async () => {
    const stages: Stages = { ...CHAIN, b: { ...step('b', 'b.txt', 'a.txt'), params: ['b.alpha'] } };
    write(stages, { b: { alpha: 1 } });
    await go();
    clearRuns();
    const r = await runPipeline(join(dir, 'mlship.yaml'));
    expect(r.stages.map((s) => `${s.stage}:${s.status}:${s.reason}`)).toEqual(['a:skipped:unchanged', 'b:skipped:unchanged', 'c:skipped:unchanged', 'd:skipped:unchanged']);
    expect(r.flowRun!.taskRuns.every((t) => t.state === 'Cached')).toBe(true);
    expect(runs()).toEqual([]);

    // a dep changes: its stage and everything downstream of changed outputs rerun
    writeFileSync(join(dir, 'raw.txt'), 'raw2');
    expect(await go()).toEqual({ a: 'ran', b: 'ran', c: 'ran', d: 'ran' });
    clearRuns();
    // a param changes: b reruns; its output is the same, so c stays skipped (content, not time)
    write(stages, { b: { alpha: 2 } });
    const p = await runPipeline(join(dir, 'mlship.yaml'));
    expect(p.stages.find((s) => s.stage === 'b')!.reason).toBe("param 'b.alpha' changed");
    expect(Object.fromEntries(p.stages.map((s) => [s.stage, s.status]))).toEqual({ a: 'skipped', b: 'ran', c: 'skipped', d: 'skipped' });
    // the cmd changes
    write({ ...stages, d: { ...step('d', 'd.txt', 'raw.txt'), cmd: 'node step.mjs d d.txt  raw.txt' } });
    const c = await runPipeline(join(dir, 'mlship.yaml'));
    expect(c.stages.find((s) => s.stage === 'd')).toMatchObject({ status: 'ran', reason: 'cmd changed' });
    clearRuns();
    // an out is deleted, or edited
    unlinkSync(join(dir, 'c.txt'));
    const del = await runPipeline(join(dir, 'mlship.yaml'));
    expect(del.stages.find((s) => s.stage === 'c')).toMatchObject({ status: 'ran', reason: "out 'c.txt' missing" });
    writeFileSync(join(dir, 'a.txt'), 'tampered');
    const ed = await runPipeline(join(dir, 'mlship.yaml'));
    expect(ed.stages.find((s) => s.stage === 'a')).toMatchObject({ status: 'ran', reason: "out 'a.txt' changed" });
    expect(runs()).toEqual(['c', 'a']);
    expect(readFileSync(join(dir, 'a.txt'), 'utf8')).toBe('a(raw2)');
  });

  it('--force reruns every stage; dry run reports what would run without running', async () => {
    write(CHAIN);
    await go();
    clearRuns();
    writeFileSync(join(dir, 'raw.txt'), 'changed');
    const dry = await runPipeline(join(dir, 'mlship.yaml'), { dryRun: true });
    expect(dry.stages.map((s) => `${s.stage}:${s.status}:${s.reason}`)).toEqual(["a:would-run:dep 'raw.txt' changed", "b:would-run:upstream 'a' will run", "c:would-run:upstream 'b' will run", "d:would-run:dep 'raw.txt' changed"]);
    expect(runs()).toEqual([]);
    writeFileSync(join(dir, 'raw.txt'), 'raw');
    expect((await runPipeline(join(dir, 'mlship.yaml'), { dryRun: true })).stages.every((s) => s.status === 'would-skip')).toBe(true);
    const forced = await runPipeline(join(dir, 'mlship.yaml'), { force: true });
    expect(forced.stages.every((s) => s.status === 'ran' && s.reason === 'forced')).toBe(true);
    expect(runs().sort()).toEqual(['a', 'b', 'c', 'd']);
  });

  it('runs a named stage and the stages it needs, nothing else', async () => {
    write(CHAIN);
    expect(selectStages(loadPipeline(join(dir, 'mlship.yaml')), ['b'])).toEqual(['a', 'b']);
    expect(await go({ stages: ['b'] })).toEqual({ a: 'ran', b: 'ran' });
    expect(runs()).toEqual(['a', 'b']);
    await expect(go({ stages: ['nope'] })).rejects.toThrow(/no stage 'nope' in .*mlship.yaml; its stages are: a, b, c, d/);
  });

  it('a failing command fails its stage (naming it and the exit code) and stops its dependants, not the others', async () => {
    write({ ...CHAIN, b: { cmd: 'node -e "process.exit(3)"', deps: ['a.txt'], outs: ['b.txt'] } });
    const r = await runPipeline(join(dir, 'mlship.yaml'));
    expect(r.ok).toBe(false);
    const by = Object.fromEntries(r.stages.map((s) => [s.stage, s]));
    expect(by.a!.status).toBe('ran');
    expect(by.b).toMatchObject({ status: 'failed', exitCode: 3 });
    expect(by.b!.error).toMatch(/stage 'b' failed: its command exited with code 3/);
    expect(by.c).toMatchObject({ status: 'not-run', reason: "upstream 'b' failed" });
    expect(by.d!.status).toBe('ran');
    expect(runs().sort()).toEqual(['a', 'd']);
    expect(r.flowRun!.state).toBe('Failed');
    const lock = readFileSync(join(dir, 'mlship.lock'), 'utf8');
    expect(lock).toMatch(/^ {2}a:/m);
    expect(lock).not.toMatch(/^ {2}b:/m);
    // fixed: the succeeded stage is skipped, the rest runs
    write(CHAIN);
    clearRuns();
    expect(await go()).toEqual({ a: 'skipped', b: 'ran', c: 'ran', d: 'skipped' });
  });

  it('hashes folders: a changed file inside a folder dep reruns the stage', async () => {
    const mk = `node -e "const fs = require('fs'); fs.mkdirSync('data/sub', { recursive: true }); fs.writeFileSync('data/sub/x.txt', fs.readFileSync('raw.txt'))"`;
    write({ make: { cmd: mk, deps: ['raw.txt'], outs: ['data'] }, use: step('use', 'use.txt', 'data/sub/x.txt') });
    expect(await go()).toEqual({ make: 'ran', use: 'ran' });
    expect(await go()).toEqual({ make: 'skipped', use: 'skipped' });
    writeFileSync(join(dir, 'data', 'sub', 'y.txt'), 'new file');
    const r = await runPipeline(join(dir, 'mlship.yaml'));
    expect(r.stages[0]).toMatchObject({ stage: 'make', status: 'ran', reason: "out 'data' changed" });
    expect(r.stages[1]).toMatchObject({ stage: 'use', status: 'skipped' });
  });

  it('a stage that does not write a declared out fails', async () => {
    write({ a: { cmd: 'node -e "0"', deps: ['raw.txt'], outs: ['never.txt'] } });
    const r = await runPipeline(join(dir, 'mlship.yaml'));
    expect(r.stages[0]!.status).toBe('failed');
    expect(r.stages[0]!.error).toMatch(/stage 'a' ran but its out 'never.txt' does not exist/);
  });

  it('logs the numbers of metrics files as metrics of the stage run', async () => {
    write({
      a: step('a', 'a.txt', 'raw.txt'),
      train: { cmd: `node -e "require('fs').writeFileSync('metrics.json', JSON.stringify({ acc: 0.75, test: { rmse: 1.5 }, note: 'x' }))"`, deps: ['a.txt'], metrics: ['metrics.json'] },
    });
    const client = await MlshipClient.open({ trackingUri: `sqlite://${dir}/mlship.db` });
    try {
      const r = await runPipeline(join(dir, 'mlship.yaml'), { client });
      expect(r.stages[1]!.metrics).toEqual({ acc: 0.75, 'test.rmse': 1.5 });
      const exp = await client.tracking.getExperimentByName('pipelines');
      const all = await client.tracking.searchAllRuns({ experimentIds: [exp!.experimentId] });
      const train = all.find((x) => x.info.runName?.startsWith('train'))!;
      expect(train.data.metrics.acc?.value).toBe(0.75);
      expect(train.data.metrics['test.rmse']?.value).toBe(1.5);
      expect(train.info.parentRunId).toBe(r.flowRun!.trackingRun!.runId);
      expect(train.data.tags['mlship.state']).toBe('Completed');
      const a = all.find((x) => x.info.runName?.startsWith('a'))!;
      const log = new TextDecoder().decode(await (await client.artifacts(a.info.runId)).readBytes('logs/a.log'));
      expect(log).toContain('done a\n');
      expect(log).toContain('note from a\n');
      // unchanged: recorded as Cached
      const again = await runPipeline(join(dir, 'mlship.yaml'), { client });
      const runs2 = await client.tracking.searchAllRuns({ experimentIds: [exp!.experimentId] });
      const cached = runs2.filter((x) => x.info.parentRunId === again.flowRun!.trackingRun!.runId);
      expect(cached.map((x) => x.data.tags['mlship.state'])).toEqual(['Cached', 'Cached']);
    } finally {
      await client.close();
    }
  });
});

describe('loadPipeline validation', () => {
  const error = (stages: unknown, params?: Record<string, unknown>): string => {
    writeFileSync(join(dir, 'mlship.yaml'), typeof stages === 'string' ? stages : stringify(stages));
    if (params) writeFileSync(join(dir, 'params.yaml'), stringify(params));
    try {
      loadPipeline(join(dir, 'mlship.yaml'));
    } catch (err) {
      return `${(err as { code: string }).code}: ${(err as Error).message}`;
    }
    return 'no error';
  };

  it('names the file, stage and field of each problem', () => {
    expect(error({ stages: { a: { cmd: 'x', dep: ['raw.txt'] } } })).toMatch(/^INVALID_ARGUMENT: .*mlship\.yaml: stage 'a': unknown key 'dep'; a stage has cmd, deps, outs, params, metrics, desc/);
    expect(error({ stages: { a: { deps: ['raw.txt'] } } })).toMatch(/mlship\.yaml: stage 'a': missing 'cmd'/);
    expect(error({ stages: { a: { cmd: '' } } })).toMatch(/stage 'a': cmd must be a non-empty string/);
    expect(error({ stages: { a: { cmd: 'x', deps: 'raw.txt' } } })).toMatch(/stage 'a': deps must be a list of non-empty strings, got "raw.txt"/);
    expect(error({ stages: { a: { cmd: 'x', deps: ['missing.csv'] } } })).toMatch(/stage 'a': dep 'missing.csv' does not exist and no stage lists it in outs/);
    expect(error({ stages: { a: { cmd: 'x', outs: ['o.txt'] }, b: { cmd: 'y', outs: ['./o.txt'] } } })).toMatch(/stage 'b': output 'o.txt' is also written by stage 'a'/);
    expect(error({ stages: { a: { cmd: 'x', outs: ['out'] }, b: { cmd: 'y', metrics: ['out/m.json'] } } })).toMatch(/stage 'b': output 'out\/m.json' is also written by stage 'a' \(as 'out'\)/);
    expect(error({ stages: { a: { cmd: 'x', deps: ['c.txt'], outs: ['a.txt'] }, b: { cmd: 'y', deps: ['a.txt'], outs: ['b.txt'] }, c: { cmd: 'z', deps: ['b.txt'], outs: ['c.txt'] } } })).toMatch(
      /the stages form a cycle: (a -> b -> c -> a|b -> c -> a -> b|c -> a -> b -> c)/,
    );
    expect(error({ stages: { a: { cmd: 'x', deps: ['a.txt'], outs: ['a.txt'] } } })).toMatch(/cycle: a -> a/);
    expect(error({ stages: { a: { cmd: 'x', params: ['train.alpha'] } } }, { train: { beta: 1 } })).toMatch(/stage 'a': param 'train.alpha' is not in .*params\.yaml/);
    expect(error({ stages: { a: { cmd: 'x' } }, vars: {} })).toMatch(/unknown top-level key 'vars'/);
    expect(error({ stages: {} })).toMatch(/'stages' must be a mapping of stage names to stages, with at least one stage/);
    expect(error({ stages: { 'bad name': { cmd: 'x' } } })).toMatch(/stage name 'bad name' must be/);
    expect(error('stages:\n  a: [unclosed\n')).toMatch(/^PARSE_ERROR: .*mlship\.yaml:\d+: invalid YAML/);
    expect(() => loadPipeline(join(dir, 'none.yaml'))).toThrow(/pipeline file .*none\.yaml not found/);
    expect(error({ stages: { a: { cmd: 'x', deps: ['raw.txt'], params: ['p'] } } }, { p: 3 })).toBe('no error');
  });
});

describe('the graph', () => {
  it('prints the stages in order with their deps, and as Graphviz DOT', () => {
    const file = write({ ...CHAIN, c: { ...step('c', 'c.txt', 'b.txt'), desc: 'the last one' } });
    const p = loadPipeline(file);
    const text = pipelineText(p);
    expect(text).toContain('1. a\n     cmd:     node step.mjs a a.txt raw.txt\n     deps:    step.mjs, raw.txt\n     outs:    a.txt\n');
    expect(text).toContain('2. b  (after a)\n');
    expect(text).toContain('3. c  (after b)  # the last one\n');
    expect(text).toContain('4. d\n');
    const dot = pipelineDot(p);
    expect(dot.startsWith('digraph pipeline {\n')).toBe(true);
    expect(dot).toContain('  "a" -> "b" [label="a.txt"];\n');
    expect(dot).toContain('  "b" -> "c" [label="b.txt"];\n');
    expect(dot).toContain('  "d";\n');
    expect(dot).not.toContain('-> "d"');
  });
});
