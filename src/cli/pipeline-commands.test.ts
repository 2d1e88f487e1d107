import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CliIo } from './io.js';
import { EXIT_FAILURE, EXIT_OK, run } from './main.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mlship-pipeline-cli-'));
  writeFileSync(join(dir, 'raw.txt'), 'raw');
  writeFileSync(join(dir, 'train.mjs'), "import fs from 'node:fs';\nfs.writeFileSync('metrics.json', JSON.stringify({ acc: 0.9 }));\n");
  writeFileSync(join(dir, 'params.yaml'), 'train:\n  alpha: 0.5\n');
  writeFileSync(
    join(dir, 'mlship.yaml'),
    `stages:
  prepare:
    desc: clean the data
    cmd: node -e "require('fs').writeFileSync('clean.txt', 'clean ' + require('fs').readFileSync('raw.txt', 'utf8'))" && echo prepared
    deps: [raw.txt]
    outs: [clean.txt]
  train:
    cmd: node train.mjs
    deps: [clean.txt, train.mjs]
    params: [train.alpha]
    metrics: [metrics.json]
`,
  );
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIo = { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) }, cwd: dir, env: {} };
  const code = await run(argv, io);
  return { code, out, err };
}

describe('mlship run', () => {
  it('runs the pipeline, prints each stage, then skips unchanged stages', async () => {
    const first = await cli(['run']);
    expect(first.code).toBe(EXIT_OK);
    expect(first.out).toMatch(/^prepare: ran in \d+\.\d s \(never run\)\ntrain: ran in \d+\.\d s \(never run\)\n2 ran, 0 skipped, 0 failed, 0 not run\n$/);
    expect(first.err).toContain('[prepare] prepared\n');
    const second = await cli(['run']);
    expect(second.out).toBe('prepare: skipped (unchanged)\ntrain: skipped (unchanged)\n0 ran, 2 skipped, 0 failed, 0 not run\n');
    writeFileSync(join(dir, 'train.mjs'), "import fs from 'node:fs';\nfs.writeFileSync('metrics.json', JSON.stringify({ acc: 0.9 }));\n");
  writeFileSync(join(dir, 'params.yaml'), 'train:\n  alpha: 0.7\n');
    const dry = await cli(['run', '--dry-run']);
    expect(dry.out).toBe("prepare: would skip (unchanged)\ntrain: would run (param 'train.alpha' changed)\n");
    const json = JSON.parse((await cli(['run', 'train', '--json', '--force', '--jobs', '2'])).out) as { ok: boolean; stages: { stage: string; status: string; metrics: object }[] };
    expect(json.ok).toBe(true);
    expect(json.stages.map((s) => [s.stage, s.status])).toEqual([
      ['prepare', 'ran'],
      ['train', 'ran'],
    ]);
    expect(json.stages[1]!.metrics).toEqual({ acc: 0.9 });
  });

  it('records runs with --tracking-uri', async () => {
    const r = await cli(['run', '--tracking-uri', 'sqlite:track.db']);
    expect(r.code).toBe(EXIT_OK);
    const runs = await cli(['runs', 'list', '--experiment', 'pipelines', '--tracking-uri', 'sqlite:track.db', '--json']);
    expect(runs.code).toBe(EXIT_OK);
    expect(runs.out).toContain('train');
  });

  it('exits 1 naming the failed stage and its exit code; the stage after it is not run', async () => {
    writeFileSync(join(dir, 'mlship.yaml'), readFileSync(join(dir, 'mlship.yaml'), 'utf8').replace(`&& echo prepared`, '&& node -e "process.exit(4)"'));
    const r = await cli(['run']);
    expect(r.code).toBe(EXIT_FAILURE);
    expect(r.out).toContain('prepare: failed with exit code 4\ntrain: not run (upstream \'prepare\' failed)\n0 ran, 0 skipped, 1 failed, 1 not run\n');
    expect(r.err).toMatch(/^error \[COMMAND_FAILED\]: stage 'prepare' failed: its command exited with code 4/m);
  });

  it('reports an invalid pipeline cleanly', async () => {
    writeFileSync(join(dir, 'mlship.yaml'), 'stages:\n  a:\n    command: echo hi\n');
    const r = await cli(['run']);
    expect(r.code).toBe(EXIT_FAILURE);
    expect(r.err).toMatch(/^error \[INVALID_ARGUMENT\]: .*mlship\.yaml: stage 'a': unknown key 'command'/m);
    expect(r.err).not.toMatch(/^\s+at /m);
    const missing = await cli(['dag', '--file', 'other.yaml']);
    expect(missing.code).toBe(EXIT_FAILURE);
    expect(missing.err).toMatch(/error \[NOT_FOUND\]: pipeline file .*other\.yaml not found/);
  });

  it('has help with examples and the file format', async () => {
    const r = await cli(['run', '--help']);
    expect(r.out).toContain('mlship run train --jobs 2');
    expect(r.out).toContain('metrics: [metrics.json]');
    expect((await cli(['dag', '--help'])).out).toContain('mlship dag --dot');
  });
});

describe('mlship dag', () => {
  it('prints the stages with their deps, or DOT', async () => {
    const text = await cli(['dag']);
    expect(text.code).toBe(EXIT_OK);
    expect(text.out).toContain('1. prepare  # clean the data\n');
    expect(text.out).toContain('2. train  (after prepare)\n');
    expect(text.out).toContain('     deps:    clean.txt, train.mjs\n     params:  train.alpha\n     metrics: metrics.json\n');
    const dot = await cli(['dag', '--dot', '--file', 'mlship.yaml']);
    expect(dot.out).toContain('"prepare" -> "train" [label="clean.txt"];');
    const json = JSON.parse((await cli(['dag', '--json'])).out) as { order: string[] };
    expect(json.order).toEqual(['prepare', 'train']);
  });
});
