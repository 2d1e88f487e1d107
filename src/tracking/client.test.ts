import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isMlshipError, publishDataRead } from '../core/index.js';
import type { ErrorCode } from '../core/index.js';
import { interruptHandlersInstalled } from './active-run.js';
import { MlshipClient } from './client.js';
import { codeVersion } from './code-version.js';
import { parseModelUri } from './model-uri.js';

let dir = '';
let client: MlshipClient;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mlship-client-'));
  client = await MlshipClient.open({ trackingUri: `sqlite://${dir}/mlship.db` });
});

afterEach(async () => {
  // A failing test may leave runs open: end them so the next test starts clean.
  for (let run = client.activeRun(); run; run = client.activeRun()) await run.end('KILLED');
  await client.close();
  rmSync(dir, { recursive: true, force: true });
});

async function errorOf(promise: Promise<unknown>, code: ErrorCode): Promise<string> {
  try {
    await promise;
  } catch (err) {
    if (!isMlshipError(err, code)) throw new Error(`expected ${code}, got ${(err as { code?: string }).code}: ${(err as Error).message}`);
    return err.message;
  }
  throw new Error(`expected ${code}, but the call succeeded`);
}

/** Writes a data-version pointer the way `mlship data add` does (format in src/data/versions/pointer.ts). */
function writePointer(path: string, content: string): string {
  const sha256 = createHash('sha256').update(content).digest('hex');
  const name = path.split('/').pop()!;
  writeFileSync(path, content);
  writeFileSync(`${path}.mlship.json`, JSON.stringify({ format: 'mlship-data', version: 1, path: name, kind: 'file', sha256, size: Buffer.byteLength(content), files: 1 }));
  return sha256;
}

describe('MlshipClient: opening', () => {
  it('puts artifacts next to the database by default and says so', async () => {
    expect(client.artifactRoot).toBe(join(dir, 'artifacts'));
    const run = await client.startRun();
    expect(run.artifactUri.startsWith(join(dir, 'artifacts', '0'))).toBe(true);
    await run.end();
  });

  it('takes an explicit artifact root for runs and registry copies', async () => {
    const other = await MlshipClient.open({ trackingUri: `sqlite://${dir}/second.db`, artifactRoot: join(dir, 'elsewhere') });
    try {
      expect(other.artifactRoot).toBe(join(dir, 'elsewhere'));
      const run = await other.startRun();
      expect(run.artifactUri.startsWith(join(dir, 'elsewhere'))).toBe(true);
      await run.end();
    } finally {
      await other.close();
    }
  });
});

describe('MlshipClient: active runs', () => {
  it('keeps a stack of started runs; nested runs record their parent; end pops', async () => {
    expect(client.activeRun()).toBeUndefined();
    const outer = await client.startRun({ experimentName: 'stack', runName: 'outer', logCodeVersion: false });
    expect(client.activeRun()).toBe(outer);
    expect(interruptHandlersInstalled()).toBe(true);
    expect(await errorOf(client.startRun(), 'INVALID_ARGUMENT')).toMatch(/already active.*nested: true/);
    const inner = await client.startRun({ nested: true, runName: 'inner', logCodeVersion: false });
    expect(client.activeRun()).toBe(inner);
    const innerRun = await inner.getRun();
    expect(innerRun.info.parentRunId).toBe(outer.runId);
    expect(innerRun.info.experimentId).toBe(outer.experimentId); // children follow their parent's experiment
    const ended = await inner.end();
    expect(ended.status).toBe('FINISHED');
    expect(await inner.end('FAILED')).toEqual(ended); // idempotent: the first call wins
    expect(client.activeRun()).toBe(outer);
    await outer.end('KILLED');
    expect(client.activeRun()).toBeUndefined();
    expect(interruptHandlersInstalled()).toBe(false);
    expect((await client.tracking.getRun(outer.runId)).info.status).toBe('KILLED');
    expect(await errorOf(client.startRun({ nested: true }), 'INVALID_ARGUMENT')).toMatch(/needs an active run/);
  });

  it('withRun scopes the run to its callback, ends it FINISHED, or FAILED and rethrows', async () => {
    const id = await client.withRun({ runName: 'ok' }, async (run) => {
      expect(client.activeRun()).toBe(run);
      await run.logMetric('loss', 0.5);
      return run.runId;
    });
    expect(client.activeRun()).toBeUndefined();
    const done = await client.tracking.getRun(id);
    expect(done.info.status).toBe('FINISHED');
    expect(done.data.metrics.loss?.value).toBe(0.5);

    let failedId = '';
    const boom = new Error('boom');
    await expect(
      client.withRun({ runName: 'bad' }, (run) => {
        failedId = run.runId;
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect((await client.tracking.getRun(failedId)).info.status).toBe('FAILED');
  });

  it('gives concurrent withRun callbacks their own run (AsyncLocalStorage), nested ones a parent', async () => {
    const seen: [string, string | undefined][] = [];
    const work = (name: string) =>
      client.withRun({ runName: name, logCodeVersion: false }, async (run) => {
        for (let i = 0; i < 5; i++) {
          await new Promise((r) => setTimeout(r, 1));
          seen.push([run.runId, client.activeRun()?.runId]);
          await client.activeRun()!.logMetric('i', i, { step: i });
        }
        return client.withRun({ nested: true, runName: `${name}-child`, logCodeVersion: false }, async (child) => {
          expect(client.activeRun()).toBe(child);
          return { parent: run.runId, child: child.runId };
        });
      });
    const [a, b] = await Promise.all([work('a'), work('b')]);
    for (const [own, active] of seen) expect(active).toBe(own);
    expect((await client.tracking.getRun(a.child)).info.parentRunId).toBe(a.parent);
    expect((await client.tracking.getRun(b.child)).info.parentRunId).toBe(b.parent);
    expect((await client.tracking.getMetricHistory(a.parent, 'i')).map((m) => m.value)).toEqual([0, 1, 2, 3, 4]);
  });

  it('startRun inside withRun stacks within that scope only, unseen by concurrent scopes', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    let childSeenByOther: string | undefined = 'unset';
    const a = client.withRun({ logCodeVersion: false }, async (run) => {
      const child = await client.startRun({ nested: true, logCodeVersion: false });
      expect(client.activeRun()).toBe(child);
      expect((await child.getRun()).info.parentRunId).toBe(run.runId);
      release();
      await new Promise((r) => setTimeout(r, 20));
      await child.end();
      expect(client.activeRun()).toBe(run);
    });
    const b = client.withRun({ logCodeVersion: false }, async (run) => {
      await gate;
      childSeenByOther = client.activeRun()?.runId;
      expect(childSeenByOther).toBe(run.runId);
    });
    await Promise.all([a, b]);
    expect(client.activeRun()).toBeUndefined();
  });

  it('logs params, metrics, tags, text, JSON, bytes, files and folders', async () => {
    const src = join(dir, 'src');
    mkdirSync(join(src, 'plots/roc'), { recursive: true });
    writeFileSync(join(src, 'plots/roc/curve.csv'), 'fpr,tpr\n0,0\n1,1\n');
    writeFileSync(join(src, 'notes.md'), '# notes');
    const runId = await client.withRun({ experimentName: 'logging', tags: { team: 'pricing' } }, async (run) => {
      await run.logParams({ alpha: 0.5, model: 'ridge', fitIntercept: true });
      await run.logParam('seed', 42);
      await run.logMetrics({ rmse: 3.2, r2: 0.8 }, { step: 1 });
      await run.setTags({ stage: 'dev' });
      await run.logText('hello', 'text/hello.txt');
      await run.logJson({ folds: 5 }, 'cv/config.json');
      await run.writeArtifact('raw.bin', new Uint8Array([1, 2, 3]));
      await run.logArtifact(join(src, 'notes.md'));
      await run.logArtifact(join(src, 'plots'), 'figures');
      await expect(run.logArtifact(join(src, 'missing.txt'))).rejects.toThrow(/missing\.txt/);
      return run.runId;
    });
    const run = await client.tracking.getRun(runId);
    expect(run.data.params).toEqual({ alpha: '0.5', model: 'ridge', fitIntercept: 'true', seed: '42' });
    expect(run.data.metrics.rmse?.step).toBe(1);
    expect(run.data.tags).toMatchObject({ team: 'pricing', stage: 'dev' });
    const artifacts = await client.artifacts(runId);
    expect((await artifacts.list()).map((e) => e.path)).toEqual(['cv', 'figures', 'text', 'notes.md', 'raw.bin']);
    expect(await artifacts.list('figures/plots/roc')).toEqual([{ path: 'figures/plots/roc/curve.csv', isDir: false, size: 16 }]);
    expect(JSON.parse(new TextDecoder().decode(await artifacts.readBytes('cv/config.json')))).toEqual({ folds: 5 });
    expect(new TextDecoder().decode(await artifacts.readBytes('text/hello.txt'))).toBe('hello');
  });

  it('flush and end await background work added with track()', async () => {
    const run = await client.startRun({ logCodeVersion: false });
    let done = false;
    run.track(
      new Promise<void>((resolve) =>
        setTimeout(() => {
          done = true;
          resolve();
        }, 30),
      ).then(() => run.logMetric('late', 1)),
    );
    run.track(Promise.reject(new Error('reported on stderr, not thrown')));
    const written: string[] = [];
    const write = process.stderr.write;
    process.stderr.write = ((chunk: string) => written.push(String(chunk)) > 0) as typeof process.stderr.write;
    try {
      await run.end();
    } finally {
      process.stderr.write = write;
    }
    expect(written.join('')).toMatch(new RegExp(`background logging for run ${run.runId} failed: reported on stderr, not thrown`));
    expect(done).toBe(true);
    expect((await client.tracking.getRun(run.runId)).data.metrics.late?.value).toBe(1);
  });
});

describe('code version', () => {
  it('records the git commit and dirty state of the working folder, or null outside git', async () => {
    const here = await codeVersion(process.cwd());
    const run = await client.startRun();
    const info = (await run.end()).runId ? (await client.tracking.getRun(run.runId)).info : undefined;
    if (existsSync(join(process.cwd(), '.git'))) {
      expect(here.commit).toMatch(/^[0-9a-f]{40}$/);
      expect(typeof here.dirty).toBe('boolean');
      expect(info?.sourceCommit).toBe(here.commit);
      // The commit git reports is the one .git/HEAD names.
      const head = readFileSync(join(process.cwd(), '.git/HEAD'), 'utf8').trim();
      if (!head.startsWith('ref: ')) expect(here.commit).toBe(head);
    }
    expect(await codeVersion(dir)).toEqual({ commit: null, dirty: null });
    const off = await client.startRun({ logCodeVersion: false });
    await off.end();
    expect((await client.tracking.getRun(off.runId)).info).toMatchObject({ sourceCommit: null, sourceDirty: null });
  });

  it('never throws without a git executable', async () => {
    const path = process.env.PATH;
    process.env.PATH = dir;
    try {
      expect(await codeVersion(process.cwd())).toEqual({ commit: null, dirty: null });
    } finally {
      process.env.PATH = path;
    }
  });
});

describe('dataset capture', () => {
  it('records versioned files by their pointer sha256 and unversioned ones by path, size and mtime', async () => {
    const train = join(dir, 'train.csv');
    const sha = writePointer(train, 'x,y\n1,2\n3,4\n');
    const other = join(dir, 'other.csv');
    writeFileSync(other, 'a\n1\n');
    const schema = [{ name: 'x', kind: 'int32' }, { name: 'y', kind: 'int32' }];
    const runId = await client.withRun({ logCodeVersion: false }, (run) => {
      publishDataRead({ path: train, format: 'csv', rows: 2, schema });
      publishDataRead({ path: other, format: 'csv', rows: 1, schema: null });
      return run.runId; // no await: end() must wait for the capture
    });
    const inputs = (await client.tracking.getRun(runId)).inputs;
    const byName = Object.fromEntries(inputs.map((i) => [i.name, i]));
    expect(byName['train.csv']).toMatchObject({ digest: sha, source: train, rowCount: 2, schema, context: 'training' });
    const st = statSync(other);
    const expected = createHash('sha256').update(`${other}\n${st.size}\n${st.mtimeMs}`).digest('hex');
    expect(byName['other.csv']?.digest).toBe(`unversioned:${expected}`);
  });

  it('uses a versioned parent folder, and refuses a stale pointer (size changed)', async () => {
    const folder = join(dir, 'images');
    mkdirSync(join(folder, 'cats'), { recursive: true });
    writeFileSync(join(folder, 'cats/tom.txt'), 'tom');
    const entry = { sha256: createHash('sha256').update('tom').digest('hex'), size: 3 };
    const manifestSha = createHash('sha256').update(`${entry.sha256} 3 cats/tom.txt\n`).digest('hex');
    writeFileSync(`${folder}.mlship.json`, JSON.stringify({ format: 'mlship-data', version: 1, path: 'images', kind: 'folder', sha256: manifestSha, size: 3, files: 1, manifest: { 'cats/tom.txt': entry } }));
    const stale = join(dir, 'stale.csv');
    writePointer(stale, 'a\n1\n');
    writeFileSync(stale, 'a\n1\n2\n'); // edited after `data add`
    const runId = await client.withRun({ logCodeVersion: false }, (run) => {
      publishDataRead({ path: join(folder, 'cats/tom.txt'), format: 'text', rows: null, schema: null });
      publishDataRead({ path: folder, format: 'text-folder', rows: 1, schema: null });
      publishDataRead({ path: stale, format: 'csv', rows: 2, schema: null });
      return run.runId;
    });
    const inputs = (await client.tracking.getRun(runId)).inputs;
    expect(inputs.filter((i) => i.digest === manifestSha).map((i) => i.name)).toEqual(['images']);
    expect(inputs.find((i) => i.name === 'stale.csv')?.digest).toMatch(/^unversioned:/);
  });

  it('records nothing outside a run, or with captureDatasets: false', async () => {
    const file = join(dir, 'd.csv');
    const sha = writePointer(file, 'a\n1\n');
    publishDataRead({ path: file, format: 'csv', rows: 1, schema: null });
    const runId = await client.withRun({ captureDatasets: false, logCodeVersion: false }, (run) => {
      publishDataRead({ path: file, format: 'csv', rows: 1, schema: null });
      return run.runId;
    });
    expect((await client.tracking.getRun(runId)).inputs).toEqual([]);
    const lineage = await client.datasetLineage(sha);
    expect(lineage.runs).toEqual([]);
  });
});

describe('MlshipClient: registry', () => {
  /** A run that logged a (fake) model package with a metric, as autolog's logModel would. */
  async function trainedRun(metrics: Record<string, number>, content = 'pkg'): Promise<string> {
    return client.withRun({ experimentName: 'housing', logCodeVersion: false }, async (run) => {
      await run.logMetrics(metrics);
      await run.writeArtifact('model/model.mlship', new TextEncoder().encode(content));
      return run.runId;
    });
  }

  it('registers from runs:/ and local paths, copying the package into the registry folder', async () => {
    const runId = await trainedRun({ rmse: 3 }, 'v1-bytes');
    const v1 = await client.registerModel(`runs:/${runId}/model`, 'housing', { description: 'first', tags: { owner: 'me' } });
    expect(v1).toMatchObject({ name: 'housing', version: 1, runId, description: 'first', tags: { owner: 'me' } });
    const copy = join(client.artifactRoot, 'registry', 'housing', '1', 'model.mlship');
    expect(v1.source).toBe(join(client.artifactRoot, 'registry', 'housing', '1'));
    expect(readFileSync(copy, 'utf8')).toBe('v1-bytes');
    const file = join(dir, 'local.mlship');
    writeFileSync(file, 'v2-bytes');
    const v2 = await client.registerModel(file, 'housing');
    expect(v2).toMatchObject({ version: 2, runId: null });
    expect(readFileSync(join(client.artifactRoot, 'registry', 'housing', '2', 'model.mlship'), 'utf8')).toBe('v2-bytes');
    // Nothing half-done is left: no staging folders.
    expect(readdir(join(client.artifactRoot, 'registry', 'housing'))).toEqual(['1', '2']);
    // The copy outlives the run's artifacts.
    await (await client.artifacts(runId)).delete();
    expect((await client.resolveModelUri('models:/housing/1')).path).toBe(copy);
    // Bad inputs: no version row, no copy.
    expect(await errorOf(client.registerModel(`runs:/${runId}/nothing`, 'housing'), 'NOT_FOUND')).toMatch(/nothing/);
    expect(await errorOf(client.registerModel(file, 'bad/name'), 'INVALID_ARGUMENT')).toMatch(/bad\/name/);
    expect((await client.registry.getRegisteredModel('housing')).latestVersion).toBe(2);
    // Several registrations at once get consecutive versions, each with its own copy.
    const many = await Promise.all([1, 2, 3].map(() => client.registerModel(file, 'housing')));
    expect(many.map((v) => v.version).sort()).toEqual([3, 4, 5]);
    for (const v of many) expect(existsSync(join(v.source, 'model.mlship'))).toBe(true);
  });

  it('resolves every model URI form, with clear errors', async () => {
    const runId = await trainedRun({ rmse: 3 });
    const v1 = await client.registerModel(`runs:/${runId}/model`, 'm');
    await client.registerModel(`runs:/${runId}/model/model.mlship`, 'm');
    await client.registry.setAlias('m', 'champion', 1);
    const pkg = join(v1.source, 'model.mlship');
    expect(await client.resolveModelUri('models:/m@champion')).toEqual({ uri: 'models:/m@champion', path: pkg, name: 'm', version: 1, runId });
    expect((await client.resolveModelUri('models:/m/2')).version).toBe(2);
    expect((await client.resolveModelUri('models:/m/latest')).version).toBe(2);
    const fromRun = await client.resolveModelUri(`runs:/${runId}/model`);
    expect(fromRun).toMatchObject({ runId, name: null, path: join((await client.tracking.getRun(runId)).info.artifactUri, 'model', 'model.mlship') });
    expect((await client.resolveModelUri(v1.source)).path).toBe(pkg);
    expect((await client.resolveModelUri(`file://${pkg}`)).path).toBe(pkg);

    for (const bad of ['models:/', 'models:/m', 'models:/m/0', 'models:/m/x', 'models://m/1', 'runs:/', `runs:/${runId}`, 'http://x/m', 'models:/m@1a']) {
      expect(await errorOf(client.resolveModelUri(bad), 'INVALID_ARGUMENT')).toMatch(/Accepted forms: models:\/<name>@<alias>/);
    }
    expect(await errorOf(client.resolveModelUri('models:/nope/1'), 'NOT_FOUND')).toMatch(/nope/);
    expect(await errorOf(client.resolveModelUri('models:/m/9'), 'NOT_FOUND')).toMatch(/9/);
    expect(await errorOf(client.resolveModelUri('models:/m@challenger'), 'NOT_FOUND')).toMatch(/challenger/);
    expect(await errorOf(client.resolveModelUri('runs:/no-such-run/model'), 'NOT_FOUND')).toMatch(/no-such-run/);
    expect(await errorOf(client.resolveModelUri(`runs:/${runId}/elsewhere`), 'NOT_FOUND')).toMatch(/elsewhere/);
    expect(await errorOf(client.resolveModelUri(join(dir, 'missing.mlship')), 'NOT_FOUND')).toMatch(/missing\.mlship/);
    const outside = join(dir, 'outside.mlship');
    writeFileSync(outside, 'not from the run');
    symlinkSync(outside, join((await client.tracking.getRun(runId)).info.artifactUri, 'leak.mlship'));
    expect(await errorOf(client.resolveModelUri(`runs:/${runId}/leak.mlship`), 'PERMISSION_DENIED')).toMatch(/leak\.mlship.*outside/);
    expect(await errorOf(client.resolveModelUri(`runs:/${runId}/../../x`), 'INVALID_ARGUMENT')).toMatch(/\.\./);
    rmSync(pkg);
    expect(await errorOf(client.resolveModelUri('models:/m@champion'), 'NOT_FOUND')).toContain(v1.source);
    expect(parseModelUri('models:/m@-x')).toEqual({ kind: 'alias', name: 'm', alias: '-x' });
  });

  it('promotes through the gate: no holder, better by the margin, not better, missing metric, force', async () => {
    const r1 = await trainedRun({ rmse: 3.0, accuracy: 0.8 });
    const r2 = await trainedRun({ rmse: 2.95, accuracy: 0.85 });
    const r3 = await trainedRun({ rmse: 2.5, accuracy: 0.7 });
    const r4 = await trainedRun({ other: 1 });
    for (const r of [r1, r2, r3, r4]) await client.registerModel(`runs:/${r}/model`, 'h');

    const first = await client.promote('h', 1, { metric: 'rmse' });
    expect(first).toMatchObject({ promoted: true, alias: 'champion', version: 1, previousVersion: null, value: 3, previousValue: null, mode: 'min', forced: false });

    const slim = await client.promote('h', 2, { metric: 'rmse', margin: 0.1 });
    expect(slim).toMatchObject({ promoted: false, previousVersion: 1, value: 2.95, previousValue: 3, margin: 0.1 });
    expect(slim.message).toMatch(/only 0\.05 lower, not more than the margin 0\.1/);

    const better = await client.promote('h', 3, { metric: 'rmse', margin: 0.1, reason: 'weekly retrain' });
    expect(better).toMatchObject({ promoted: true, previousVersion: 1, value: 2.5, previousValue: 3 });

    const worse = await client.promote('h', 2, { metric: 'accuracy', alias: 'challenger' });
    expect(worse).toMatchObject({ promoted: true, mode: 'max' }); // nobody held @challenger
    const acc = await client.promote('h', 3, { metric: 'accuracy', alias: 'challenger' });
    expect(acc.promoted).toBe(false);
    expect(acc.message).toMatch(/0\.15 worse \(higher is better\)/);

    expect(await errorOf(client.promote('h', 4, { metric: 'rmse' }), 'INVALID_ARGUMENT')).toMatch(/no 'rmse' metric.*force: true/);
    const forced = await client.promote('h', 4, { metric: 'rmse', force: true, reason: 'hotfix approved by ops' });
    expect(forced).toMatchObject({ promoted: true, forced: true, previousVersion: 3, value: null, previousValue: 2.5 });
    expect((await client.registry.getRegisteredModel('h')).aliases).toEqual({ champion: 4, challenger: 2 });

    const history = await client.registry.getAliasHistory('h', 'champion');
    expect(history.map((c) => [c.action, c.version, c.previousVersion])).toEqual([
      ['force', 4, 3],
      ['promote', 3, 1],
      ['promote', 1, null],
    ]);
    expect(history[0]).toMatchObject({ reason: 'hotfix approved by ops', metric: 'rmse', previousValue: 2.5 });
    expect(history[1]).toMatchObject({ metric: 'rmse', value: 2.5, previousValue: 3, reason: 'weekly retrain' });

    expect((await client.promote('h', 4, { metric: 'rmse' })).message).toMatch(/already holds/);
    expect(await errorOf(client.promote('h', 1, { metric: 'rmse', margin: -1 }), 'INVALID_ARGUMENT')).toMatch(/margin/);
    expect(await errorOf(client.promote('h', 9, { metric: 'rmse' }), 'NOT_FOUND')).toMatch(/9/);
  });

  it('promotes with compare-and-set: a concurrent move is CONFLICT, not a silent overwrite', async () => {
    const runs = [await trainedRun({ rmse: 3 }), await trainedRun({ rmse: 2 }), await trainedRun({ rmse: 1 })];
    for (const r of runs) await client.registerModel(`runs:/${r}/model`, 'cas');
    await client.promote('cas', 1, { metric: 'rmse' });
    const second = await MlshipClient.open({ trackingUri: `sqlite://${dir}/mlship.db` });
    try {
      const results = await Promise.allSettled([client.promote('cas', 2, { metric: 'rmse' }), second.promote('cas', 3, { metric: 'rmse' })]);
      const champion = (await client.registry.getRegisteredModel('cas')).aliases.champion;
      const history = await client.registry.getAliasHistory('cas', 'champion');
      // Every recorded move starts where the previous one ended: nothing was overwritten blindly.
      for (let i = 0; i + 1 < history.length; i++) expect(history[i]!.previousVersion).toBe(history[i + 1]!.version);
      expect(history[0]!.version).toBe(champion);
      for (const r of results) if (r.status === 'rejected') expect(isMlshipError(r.reason, 'CONFLICT')).toBe(true);
    } finally {
      await second.close();
    }
  });

  it('rolls back step by step through the history, then says there is nothing left', async () => {
    const runs = [await trainedRun({ rmse: 3 }), await trainedRun({ rmse: 2 }), await trainedRun({ rmse: 1 })];
    for (const r of runs) await client.registerModel(`runs:/${r}/model`, 'rb');
    expect(await errorOf(client.rollback('rb'), 'NOT_FOUND')).toMatch(/never been set/);
    for (const v of [1, 2, 3]) await client.promote('rb', v, { metric: 'rmse' });
    const back1 = await client.rollback('rb', 'champion', { reason: 'bad canary' });
    expect(back1).toMatchObject({ action: 'rollback', version: 2, previousVersion: 3, reason: 'bad canary' });
    const back2 = await client.rollback('rb');
    expect(back2).toMatchObject({ action: 'rollback', version: 1, previousVersion: 2 });
    expect((await client.resolveModelUri('models:/rb@champion')).version).toBe(1);
    expect(await errorOf(client.rollback('rb'), 'NOT_FOUND')).toMatch(/nothing to roll back for rb@champion.*created the alias/);
    // A new move after rollbacks is rolled back to where the alias was.
    await client.promote('rb', 3, { metric: 'rmse' });
    expect(await client.rollback('rb')).toMatchObject({ version: 1, previousVersion: 3 });
    expect(await errorOf(client.rollback('rb', 'nope'), 'NOT_FOUND')).toMatch(/rb@nope/);
  });

  it('deletes a registered model with its registry copies, and purges experiments with their artifacts', async () => {
    const runId = await trainedRun({ rmse: 1 });
    const v = await client.registerModel(`runs:/${runId}/model`, 'gone');
    const outside = join(dir, 'outside.mlship');
    writeFileSync(outside, 'keep me');
    await client.registry.createModelVersion('gone', { source: outside });
    expect(existsSync(v.source)).toBe(true);
    const removed = await client.deleteRegisteredModel('gone');
    expect(removed).toEqual([v.source]);
    expect(existsSync(join(client.artifactRoot, 'registry', 'gone'))).toBe(false);
    expect(readFileSync(outside, 'utf8')).toBe('keep me'); // not the registry's: left alone
    expect((await client.registerModel(`runs:/${runId}/model`, 'gone')).version).toBe(1); // the name is reusable

    const run = await client.tracking.getRun(runId);
    const artifactDir = run.info.artifactUri;
    expect(existsSync(join(artifactDir, 'model', 'model.mlship'))).toBe(true);
    await client.tracking.deleteExperiment(run.info.experimentId);
    const locations = await client.purgeExperiment(run.info.experimentId);
    expect(locations.length).toBeGreaterThan(0);
    expect(existsSync(artifactDir)).toBe(false);
    for (const l of locations) expect(existsSync(l)).toBe(false);
    expect(await client.tracking.getExperimentByName('housing')).toBeNull();
  });

  it('traces lineage both ways: model version → run, data, code; dataset → runs and versions', async () => {
    const data = join(dir, 'train.csv');
    const sha = writePointer(data, 'x,y\n1,2\n');
    const runId = await client.withRun({ experimentName: 'lineage' }, async (run) => {
      publishDataRead({ path: data, format: 'csv', rows: 1, schema: [{ name: 'x', kind: 'int32' }] });
      await run.logParam('alpha', 1);
      await run.logMetric('rmse', 0.5);
      await run.writeArtifact('model/model.mlship', new TextEncoder().encode('pkg'));
      return run.runId;
    });
    const otherRun = await client.withRun({ experimentName: 'other', logCodeVersion: false }, (run) => {
      publishDataRead({ path: data, format: 'csv', rows: 1, schema: null });
      return run.runId;
    });
    const v = await client.registerModel(`runs:/${runId}/model`, 'lin');
    await client.promote('lin', v.version, { metric: 'rmse' });
    const lineage = await client.modelVersionLineage('lin', v.version);
    expect(lineage.run?.info.runId).toBe(runId);
    expect(lineage.run?.data.params.alpha).toBe('1');
    expect(lineage.experiment?.name).toBe('lineage');
    expect(lineage.datasets.map((d) => d.digest)).toEqual([sha]);
    expect(lineage.code.commit).toBe((await codeVersion()).commit);
    expect(lineage.aliasHistory.map((c) => [c.alias, c.action])).toEqual([['champion', 'promote']]);

    const ds = await client.datasetLineage(sha);
    expect(ds.runs.map((r) => r.runId).sort()).toEqual([runId, otherRun].sort());
    expect(ds.modelVersions.map((m) => [m.name, m.version])).toEqual([['lin', 1]]);
    expect((await client.datasetLineage("it's not there")).runs).toEqual([]);
  });
});

function readdir(path: string): string[] {
  return readdirSync(path).sort();
}
