/**
 * The conformance suite every model registry backend runs: the same behaviour, errors and edge
 * cases (compare-and-set on aliases, alias history, version numbers never reused, rename, delete and
 * name reuse, paging, several processes moving one alias) for SQLite today and PostgreSQL later.
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { RegistryStore } from '../registry.js';
import { allPages, childCommand, eachFixture, expectError } from './support.js';
import type { Fixture } from './support.js';

/** What `makeStore` returns: a migrated, empty registry, and its URI when other processes can open it. */
export interface RegistryStoreFixture extends Fixture<RegistryStore> {
  /** A URI that `openRegistryStore` opens in a child process; without it the multi-process test is skipped. */
  uri?: string;
}

/** A running `registry-child` process (see registry-child.ts). */
interface RegistryChild {
  ready: Promise<void>;
  go: () => void;
  done: Promise<{ code: number | null; stdout: string; stderr: string }>;
}

/** Starts `registry-child` (compiled `.js` as is, TypeScript sources through tsx). */
function startRegistryChild(args: string[]): RegistryChild {
  const { script, execArgv } = childCommand('registry-child');
  const child = spawn(process.execPath, [...execArgv, script, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    if (stdout.startsWith('ready\n')) markReady();
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.on('error', () => {}); // the child may exit before reading
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code) => {
      markReady();
      resolve({ code, stdout, stderr });
    }),
  );
  return { ready, go: () => child.stdin.end('go\n'), done };
}

/**
 * Registers the conformance tests (vitest `describe`/`it`) for one model registry backend.
 * `makeStore` is called before every test and must return a fresh, migrated, empty registry.
 *
 * @param name - the backend's name, used as the describe title
 * @param makeStore - creates a fresh registry (and its URI, for the multi-process test)
 *
 * @example
 * ```ts
 * import { registryStoreConformance } from '../testing/index.js';
 * registryStoreConformance('sqlite', async () => {
 *   const dir = mkdtempSync(join(tmpdir(), 'mlship-'));
 *   const uri = `sqlite://${dir}/mlship.db`;
 *   return { store: await openRegistryStore(uri), uri, dispose: () => rmSync(dir, { recursive: true }) };
 * });
 * ```
 */
export function registryStoreConformance(name: string, makeStore: () => Promise<RegistryStoreFixture>): void {
  describe(`RegistryStore conformance: ${name}`, () => {
    let fixture: RegistryStoreFixture;
    let store: RegistryStore;
    eachFixture(makeStore, (f) => {
      fixture = f;
      store = f.store;
    });

    /** Creates `n` versions of `model`, with sources `/models/<model>/<i>` and run ids `run-<i>`. */
    const versions = async (model: string, n: number) => {
      for (let i = 1; i <= n; i++) await store.createModelVersion(model, { source: `/models/${model}/${i}`, runId: `run-${i}` });
    };

    describe('registered models', () => {
      it('creates and gets models with description and tags; names are unique; migrate() is idempotent', async () => {
        await store.migrate();
        const before = Date.now();
        const m = await store.createRegisteredModel('housing', { description: 'Boston prices', tags: { team: 'ml', 'owner.name': 'ada' } });
        expect(m).toEqual({
          name: 'housing',
          creationTime: expect.any(Number),
          lastUpdatedTime: m.creationTime,
          description: 'Boston prices',
          tags: { team: 'ml', 'owner.name': 'ada' },
          aliases: {},
          latestVersion: null,
        });
        expect(m.creationTime).toBeGreaterThanOrEqual(before);
        expect(await store.getRegisteredModel('housing')).toEqual(m);
        expect((await store.createRegisteredModel('plain')).description).toBe('');
        await expectError(store.createRegisteredModel('housing'), 'ALREADY_EXISTS', /'housing' already exists/);
        await expectError(store.getRegisteredModel('nope'), 'NOT_FOUND', /no registered model 'nope'/);
        await store.migrate();
        expect((await store.getRegisteredModel('housing')).tags).toEqual({ team: 'ml', 'owner.name': 'ada' });
      });

      it('rejects invalid model names, tags and descriptions with clear errors', async () => {
        await expectError(store.createRegisteredModel(''), 'INVALID_ARGUMENT', /non-empty/);
        await expectError(store.createRegisteredModel('a/b'), 'INVALID_ARGUMENT', /'\/'/);
        await expectError(store.createRegisteredModel('m@champion'), 'INVALID_ARGUMENT', /'@'/);
        await expectError(store.createRegisteredModel('..'), 'INVALID_ARGUMENT', /'\.\.'/);
        await expectError(store.createRegisteredModel(' padded'), 'INVALID_ARGUMENT', /space/);
        await expectError(store.createRegisteredModel('tab\there'), 'INVALID_ARGUMENT', /control/);
        await expectError(store.createRegisteredModel('x'.repeat(201)), 'INVALID_ARGUMENT', /200/);
        await expectError(store.createRegisteredModel(42 as never), 'INVALID_ARGUMENT', /model name/);
        await expectError(store.createRegisteredModel('m', { tags: { 'bad*key': 'v' } }), 'INVALID_ARGUMENT', /bad\*key/);
        await expectError(store.createRegisteredModel('m', { tags: { k: 1 as never } }), 'INVALID_ARGUMENT', /string/);
        await expectError(store.createRegisteredModel('m', { description: 'd'.repeat(50_001) }), 'INVALID_ARGUMENT', /50000/);
        // Nothing was created by the failed calls; spaces, dots and unicode inside a name are fine.
        await expectError(store.getRegisteredModel('m'), 'NOT_FOUND');
        expect((await store.createRegisteredModel('Price model v2.1 – été')).name).toBe('Price model v2.1 – été');
      });

      it('updates descriptions and sets and deletes tags', async () => {
        const created = await store.createRegisteredModel('m', { tags: { a: '1' } });
        await new Promise((r) => setTimeout(r, 5));
        const updated = await store.updateRegisteredModel('m', { description: 'new' });
        expect(updated.description).toBe('new');
        expect(updated.lastUpdatedTime).toBeGreaterThan(created.lastUpdatedTime);
        expect((await store.updateRegisteredModel('m', {})).description).toBe('new');
        await store.setRegisteredModelTag('m', 'a', '2');
        await store.setRegisteredModelTag('m', 'b', 'x');
        expect((await store.getRegisteredModel('m')).tags).toEqual({ a: '2', b: 'x' });
        await store.deleteRegisteredModelTag('m', 'a');
        await store.deleteRegisteredModelTag('m', 'never-set');
        expect((await store.getRegisteredModel('m')).tags).toEqual({ b: 'x' });
        await expectError(store.setRegisteredModelTag('missing', 'a', '1'), 'NOT_FOUND', /missing/);
        await expectError(store.deleteRegisteredModelTag('missing', 'a'), 'NOT_FOUND', /missing/);
        await expectError(store.updateRegisteredModel('missing', { description: 'x' }), 'NOT_FOUND', /missing/);
        await expectError(store.setRegisteredModelTag('m', 'k', 'v'.repeat(8001)), 'INVALID_ARGUMENT', /8000/);
        await expectError(store.updateRegisteredModel('m', { description: 3 as never }), 'INVALID_ARGUMENT', /description/);
      });

      it('searches models by name with a case-sensitive LIKE pattern and pages with opaque tokens', async () => {
        for (const n of ['housing-b', 'housing-a', 'Housing-C', 'iris', 'house_1', 'houseX1']) await store.createRegisteredModel(n);
        const names = async (nameLike?: string) => (await store.searchRegisteredModels({ nameLike })).items.map((m) => m.name);
        // Ordered by name in code-point order (SQLite's BINARY, PostgreSQL's "C" collation).
        expect(await names()).toEqual(['Housing-C', 'houseX1', 'house_1', 'housing-a', 'housing-b', 'iris']);
        expect(await names('housing%')).toEqual(['housing-a', 'housing-b']);
        expect(await names('%ing-_')).toEqual(['Housing-C', 'housing-a', 'housing-b']);
        expect(await names('house\\_1')).toEqual(['house_1']);
        expect(await names('house_1')).toEqual(['houseX1', 'house_1']);
        expect(await names('nothing%')).toEqual([]);
        const { items, pages } = await allPages(4, (p) => store.searchRegisteredModels(p));
        const seen = items.map((m) => m.name);
        expect(pages).toBe(2);
        expect(seen).toEqual(await names());
        // Exactly one full page: no token pointing at an empty page.
        expect((await store.searchRegisteredModels({ maxResults: 6 })).nextPageToken).toBeUndefined();
        await expectError(store.searchRegisteredModels({ pageToken: 'garbage!' }), 'INVALID_ARGUMENT', /pageToken/);
        await expectError(store.searchRegisteredModels({ maxResults: 0 }), 'INVALID_ARGUMENT', /maxResults/);
        await expectError(store.searchRegisteredModels({ nameLike: 5 as never }), 'INVALID_ARGUMENT', /nameLike/);
      });

      it('filters and orders models with the search language (names, tags, times; AND, OR, NOT), also with nameLike', async () => {
        await store.createRegisteredModel('housing-a', { tags: { stage: 'prod', team: 'pricing' } });
        await store.createRegisteredModel('housing-b', { tags: { team: 'ML-core' } });
        await store.createRegisteredModel('iris');
        const names = async (filter?: string, orderBy?: string[], nameLike?: string) => (await store.searchRegisteredModels({ filter, orderBy, nameLike })).items.map((m) => m.name);
        expect(await names(`name LIKE 'housing%' AND tags.stage = 'prod'`)).toEqual(['housing-a']);
        expect(await names(`tags.team ILIKE '%ml%' OR name = 'iris'`)).toEqual(['housing-b', 'iris']);
        expect(await names(`tags.team IS NULL`)).toEqual(['iris']);
        expect(await names(`NOT (tags.team = 'pricing' OR name IN ('iris'))`)).toEqual(['housing-b']);
        expect(await names(`attributes.creation_time > 0 AND attributes.last_updated_time > 0`, undefined, '%-b')).toEqual(['housing-b']);
        expect(await names(`name = 'x'' OR 1=1 --'`)).toEqual([]);
        expect(await names(undefined, ['name DESC'])).toEqual(['iris', 'housing-b', 'housing-a']);
        await new Promise((r) => setTimeout(r, 5));
        await store.setRegisteredModelTag('housing-b', 'stage', 'staging');
        expect((await names(undefined, ['last_updated_time DESC']))[0]).toBe('housing-b');
        // Created in name order, so creation order (ties broken by name) is name order.
        expect(await names(undefined, ['creation_time ASC'])).toEqual(['housing-a', 'housing-b', 'iris']);
        const { items } = await allPages(2, (p) => store.searchRegisteredModels({ filter: `tags.team IS NOT NULL OR name = 'iris'`, orderBy: ['name DESC'], ...p }));
        const seen = items.map((m) => m.name);
        expect(seen).toEqual(['iris', 'housing-b', 'housing-a']);
        await expectError(store.searchRegisteredModels({ filter: 'version = 1' }), 'INVALID_ARGUMENT', /unknown key 'version'.*name, attributes\.creation_time, attributes\.last_updated_time, tags\.<key>/);
        await expectError(store.searchRegisteredModels({ filter: 'metrics.acc > 1' }), 'INVALID_ARGUMENT', /column 1/);
        await expectError(store.searchRegisteredModels({ filter: `name = ` }), 'INVALID_ARGUMENT', /column 8/);
        await expectError(store.searchRegisteredModels({ orderBy: ['tags.team'] }), 'INVALID_ARGUMENT', /name, creation_time, last_updated_time/);
      });

      it('renames a model: versions, tags, aliases and history follow; old name is free', async () => {
        await store.createRegisteredModel('old', { tags: { t: '1' } });
        await versions('old', 2);
        await store.setModelVersionTag('old', 2, 'stage', 'prod');
        await store.setAlias('old', 'champion', 1);
        await store.setAlias('old', 'champion', 2, { action: 'promote', metric: 'rmse', value: 1, previousValue: 2 });
        const renamed = await store.renameRegisteredModel('old', 'new');
        expect(renamed).toMatchObject({ name: 'new', tags: { t: '1' }, aliases: { champion: 2 }, latestVersion: 2 });
        await expectError(store.getRegisteredModel('old'), 'NOT_FOUND');
        const v2 = await store.getModelVersion('new', 2);
        expect(v2).toMatchObject({ name: 'new', version: 2, source: '/models/old/2', tags: { stage: 'prod' }, aliases: ['champion'] });
        expect((await store.getModelVersionByAlias('new', 'champion')).version).toBe(2);
        const history = await store.getAliasHistory('new');
        expect(history.map((h) => [h.name, h.version, h.previousVersion])).toEqual([
          ['new', 2, 1],
          ['new', 1, null],
        ]);
        // Numbering continues after the rename.
        expect((await store.createModelVersion('new', { source: '/s' })).version).toBe(3);
        // The old name can be used for a brand-new model.
        expect((await store.createRegisteredModel('old')).latestVersion).toBeNull();
        await expectError(store.renameRegisteredModel('new', 'old'), 'ALREADY_EXISTS', /'old'/);
        await expectError(store.renameRegisteredModel('missing', 'x'), 'NOT_FOUND', /missing/);
        await expectError(store.renameRegisteredModel('new', 'a/b'), 'INVALID_ARGUMENT', /new model name/);
        expect((await store.renameRegisteredModel('new', 'new')).name).toBe('new');
      });

      it('deletes a model with everything it owns; the name can be reused and numbering restarts', async () => {
        await versions('gone', 3);
        await store.deleteModelVersion('gone', 2);
        await store.setAlias('gone', 'champion', 3);
        await store.setRegisteredModelTag('gone', 't', 'v');
        await store.setModelVersionTag('gone', 3, 't', 'v');
        expect(await store.deleteRegisteredModel('gone')).toEqual(['/models/gone/1', '/models/gone/3']);
        await expectError(store.getRegisteredModel('gone'), 'NOT_FOUND');
        await expectError(store.getModelVersion('gone', 1), 'NOT_FOUND');
        await expectError(store.getAliasHistory('gone'), 'NOT_FOUND');
        expect((await store.searchModelVersions({ runIds: ['run-1', 'run-3'] })).items).toEqual([]);
        await expectError(store.deleteRegisteredModel('gone'), 'NOT_FOUND', /gone/);
        const again = await store.createModelVersion('gone', { source: '/new' });
        expect(again).toMatchObject({ version: 1, tags: {}, aliases: [] });
        const model = await store.getRegisteredModel('gone');
        expect(model).toMatchObject({ tags: {}, aliases: {}, latestVersion: 1 });
        expect(await store.getAliasHistory('gone')).toEqual([]);
      });
    });

    describe('model versions', () => {
      it('creates numbered versions (creating the model on first use) with source, run, description and tags', async () => {
        const before = Date.now();
        const v1 = await store.createModelVersion('auto', { source: '/a/1', runId: 'r1', description: 'first', tags: { k: 'v' } });
        expect(v1).toEqual({
          name: 'auto',
          version: 1,
          creationTime: expect.any(Number),
          lastUpdatedTime: v1.creationTime,
          description: 'first',
          source: '/a/1',
          runId: 'r1',
          status: 'READY',
          tags: { k: 'v' },
          aliases: [],
        });
        expect(v1.creationTime).toBeGreaterThanOrEqual(before);
        const v2 = await store.createModelVersion('auto', { source: '/a/2' });
        expect(v2).toMatchObject({ version: 2, runId: null, description: '', tags: {} });
        expect(await store.getModelVersion('auto', 1)).toEqual(v1);
        expect(await store.getRegisteredModel('auto')).toMatchObject({ name: 'auto', description: '', latestVersion: 2 });
        await expectError(store.getModelVersion('auto', 3), 'NOT_FOUND', /no version 3.*up to 2/);
        await expectError(store.getModelVersion('nope', 1), 'NOT_FOUND', /'nope'/);
        await expectError(store.getModelVersion('auto', 0), 'INVALID_ARGUMENT', /positive integer/);
        await expectError(store.getModelVersion('auto', 1.5), 'INVALID_ARGUMENT', /positive integer/);
        await expectError(store.createModelVersion('auto', { source: '' }), 'INVALID_ARGUMENT', /source/);
        await expectError(store.createModelVersion('auto', { source: '/x', runId: '' }), 'INVALID_ARGUMENT', /runId/);
        await expectError(store.createModelVersion('auto', { source: '/x', tags: { '../up': 'v' } }), 'INVALID_ARGUMENT', /\.\./);
        await expectError(store.createModelVersion('bad/name', { source: '/x' }), 'INVALID_ARGUMENT', /'\/'/);
        // The failed calls used no version number.
        expect((await store.createModelVersion('auto', { source: '/a/3' })).version).toBe(3);
      });

      it('never reuses a version number, even after deleting the latest', async () => {
        await versions('m', 3);
        expect(await store.deleteModelVersion('m', 3)).toBe('/models/m/3');
        expect(await store.deleteModelVersion('m', 1)).toBe('/models/m/1');
        await expectError(store.getModelVersion('m', 3), 'NOT_FOUND');
        await expectError(store.deleteModelVersion('m', 3), 'NOT_FOUND', /no version 3/);
        expect((await store.getRegisteredModel('m')).latestVersion).toBe(3);
        expect((await store.createModelVersion('m', { source: '/s' })).version).toBe(4);
        expect((await store.searchModelVersions({ name: 'm' })).items.map((v) => v.version)).toEqual([4, 2]);
      });

      it('updates descriptions and sets and deletes version tags', async () => {
        await versions('m', 2);
        const before = await store.getModelVersion('m', 1);
        await new Promise((r) => setTimeout(r, 5));
        const updated = await store.updateModelVersion('m', 1, { description: 'better' });
        expect(updated).toMatchObject({ version: 1, description: 'better' });
        expect(updated.lastUpdatedTime).toBeGreaterThan(before.lastUpdatedTime);
        await store.setModelVersionTag('m', 1, 'stage', 'dev');
        await store.setModelVersionTag('m', 1, 'stage', 'prod');
        await store.setModelVersionTag('m', 2, 'stage', 'dev');
        expect((await store.getModelVersion('m', 1)).tags).toEqual({ stage: 'prod' });
        expect((await store.getModelVersion('m', 2)).tags).toEqual({ stage: 'dev' });
        await store.deleteModelVersionTag('m', 1, 'stage');
        await store.deleteModelVersionTag('m', 1, 'stage');
        expect((await store.getModelVersion('m', 1)).tags).toEqual({});
        expect((await store.getModelVersion('m', 2)).tags).toEqual({ stage: 'dev' });
        await expectError(store.setModelVersionTag('m', 9, 'a', 'b'), 'NOT_FOUND', /no version 9/);
        await expectError(store.deleteModelVersionTag('m', 9, 'a'), 'NOT_FOUND', /no version 9/);
        await expectError(store.updateModelVersion('m', 9, { description: 'x' }), 'NOT_FOUND', /no version 9/);
        await expectError(store.setModelVersionTag('m', 1, 'bad key!', 'b'), 'INVALID_ARGUMENT', /bad key!/);
      });

      it('searches versions by model and by run, newest first, with paging', async () => {
        await versions('a', 3);
        await versions('b', 2);
        const all = (await store.searchModelVersions()).items.map((v) => `${v.name}/${v.version}`);
        expect(all).toHaveLength(5);
        // Newest first across models (b was registered last).
        expect(all.slice(0, 2)).toEqual(['b/2', 'b/1']);
        expect((await store.searchModelVersions({ name: 'a' })).items.map((v) => v.version)).toEqual([3, 2, 1]);
        const byRun = (await store.searchModelVersions({ runIds: ['run-1'] })).items.map((v) => `${v.name}/${v.version}`);
        expect(byRun.sort()).toEqual(['a/1', 'b/1']);
        expect((await store.searchModelVersions({ name: 'a', runIds: ['run-2', 'run-3', 'run-3'] })).items.map((v) => v.version)).toEqual([3, 2]);
        expect((await store.searchModelVersions({ runIds: [] })).items).toEqual([]);
        expect((await store.searchModelVersions({ name: 'none' })).items).toEqual([]);
        const { items } = await allPages(2, (p) => store.searchModelVersions(p));
        const seen = items.map((v) => `${v.name}/${v.version}`);
        expect(seen).toEqual(all);
        await store.setAlias('a', 'champion', 2);
        expect((await store.searchModelVersions({ name: 'a' })).items.map((v) => v.aliases)).toEqual([[], ['champion'], []]);
        await expectError(store.searchModelVersions({ pageToken: '%%%' }), 'INVALID_ARGUMENT', /pageToken/);
        await expectError(store.searchModelVersions({ runIds: 'run-1' as never }), 'INVALID_ARGUMENT', /runIds/);
        await expectError(store.searchModelVersions({ maxResults: 50_001 }), 'INVALID_ARGUMENT', /maxResults/);
      });
      it('filters and orders versions with the search language (name, version, run_id, source, tags), also with name and runIds', async () => {
        await versions('a', 3);
        await versions('b', 2);
        await store.createModelVersion('c', { source: '/files/c.mlship', runId: null, tags: { validated: 'no' } });
        await store.setModelVersionTag('a', 2, 'validated', 'yes');
        const vs = async (options: { filter?: string; orderBy?: string[]; name?: string; runIds?: string[] }) =>
          (await store.searchModelVersions(options)).items.map((v) => `${v.name}/${v.version}`);
        expect(await vs({ filter: `name = 'a' AND version >= 2` })).toEqual(['a/3', 'a/2']);
        expect(await vs({ filter: `run_id = 'run-1'`, orderBy: ['name ASC'] })).toEqual(['a/1', 'b/1']);
        expect(await vs({ filter: `run_id IS NULL` })).toEqual(['c/1']);
        expect(await vs({ filter: `tags.validated = 'yes' OR (name = 'b' AND version = 2)`, orderBy: ['name ASC'] })).toEqual(['a/2', 'b/2']);
        expect(await vs({ filter: `NOT tags.validated IS NULL`, orderBy: ['name DESC'] })).toEqual(['c/1', 'a/2']);
        expect(await vs({ filter: `source LIKE '/models/b/%'`, orderBy: ['version ASC'] })).toEqual(['b/1', 'b/2']);
        expect(await vs({ filter: `attributes.creation_time > 0 AND version IN (1, 3) AND name != 'c'`, orderBy: ['name ASC', 'version ASC'] })).toEqual(['a/1', 'a/3', 'b/1']);
        expect(await vs({ orderBy: ['version DESC', 'name ASC'] })).toEqual(['a/3', 'a/2', 'b/2', 'a/1', 'b/1', 'c/1']);
        expect(await vs({ name: 'a', filter: 'version < 3', orderBy: ['version ASC'] })).toEqual(['a/1', 'a/2']);
        expect(await vs({ runIds: ['run-2'], filter: `name = 'b'` })).toEqual(['b/2']);
        expect(await vs({ filter: `source = 'x'' OR 1=1 --'` })).toEqual([]);
        const { items } = await allPages(2, (p) => store.searchModelVersions({ filter: `name IN ('a', 'b')`, orderBy: ['source ASC'], ...p }));
        const seen = items.map((v) => `${v.name}/${v.version}`);
        expect(seen).toEqual(['a/1', 'a/2', 'a/3', 'b/1', 'b/2']);
        await expectError(store.searchModelVersions({ filter: `version = '1'` }), 'INVALID_ARGUMENT', /numbers only/);
        await expectError(store.searchModelVersions({ filter: `metrics.acc > 1` }), 'INVALID_ARGUMENT', /name, version, run_id, source, attributes\.creation_time, tags\.<key>/);
        await expectError(store.searchModelVersions({ filter: `status = 'READY'` }), 'INVALID_ARGUMENT', /unknown key 'status'/);
        await expectError(store.searchModelVersions({ orderBy: ['tags.validated DESC'] }), 'INVALID_ARGUMENT', /cannot be ordered/);
      });
    });

    describe('aliases', () => {
      it('points aliases at versions; models and versions show them', async () => {
        await versions('m', 3);
        const change = await store.setAlias('m', 'champion', 2);
        expect(change).toEqual({
          name: 'm',
          alias: 'champion',
          version: 2,
          previousVersion: null,
          action: 'set',
          time: expect.any(Number),
          reason: null,
          metric: null,
          value: null,
          previousValue: null,
        });
        await store.setAlias('m', 'challenger', 3);
        await store.setAlias('m', 'shadow-2', 2);
        expect((await store.getRegisteredModel('m')).aliases).toEqual({ champion: 2, challenger: 3, 'shadow-2': 2 });
        expect((await store.getModelVersion('m', 2)).aliases).toEqual(['champion', 'shadow-2']);
        expect((await store.getModelVersionByAlias('m', 'champion')).version).toBe(2);
        expect((await store.getModelVersionByAlias('m', 'challenger')).source).toBe('/models/m/3');
        const missing = await expectError(store.getModelVersionByAlias('m', 'staging'), 'NOT_FOUND', /no alias 'staging'.*challenger.*champion/);
        expect(missing.details).toMatchObject({ field: 'alias', value: 'staging' });
        await expectError(store.getModelVersionByAlias('none', 'champion'), 'NOT_FOUND', /'none'/);
        await expectError(store.setAlias('m', 'champion', 7), 'NOT_FOUND', /no version 7/);
        await expectError(store.setAlias('none', 'champion', 1), 'NOT_FOUND', /'none'/);
        expect((await store.getModelVersionByAlias('m', 'champion')).version).toBe(2);
      });

      it('validates alias names: letters, digits, _ and -, not starting with a digit, not v<digits>', async () => {
        await versions('m', 1);
        for (const bad of ['3', '3rd', 'v3', 'V12', 'has space', 'a.b', 'a/b', '', 'x'.repeat(101)]) {
          await expectError(store.setAlias('m', bad, 1), 'INVALID_ARGUMENT', /alias/);
        }
        for (const good of ['champion', 'Challenger_2', 'v', 'v2a', 'vx3', '_hidden', 'blue-green']) await store.setAlias('m', good, 1);
        expect(Object.keys((await store.getRegisteredModel('m')).aliases).sort()).toEqual(['Challenger_2', '_hidden', 'blue-green', 'champion', 'v', 'v2a', 'vx3']);
        await expectError(store.setAlias('m', 'champion', 1, { action: 'delete' }), 'INVALID_ARGUMENT', /action/);
        await expectError(store.setAlias('m', 'champion', 1, { action: 'bogus' as never }), 'INVALID_ARGUMENT', /action/);
        await expectError(store.setAlias('m', 'champion', 1, { expectedVersion: 0 }), 'INVALID_ARGUMENT', /expectedVersion/);
        await expectError(store.setAlias('m', 'champion', 1, { value: '1' as never }), 'INVALID_ARGUMENT', /value/);
      });

      it('compare-and-set: a stale expectedVersion is CONFLICT naming the alias, expected and actual, and changes nothing', async () => {
        await versions('m', 3);
        await store.setAlias('m', 'champion', 1, { expectedVersion: null });
        await store.setAlias('m', 'champion', 2, { expectedVersion: 1 });
        const stale = await expectError(store.setAlias('m', 'champion', 3, { expectedVersion: 1 }), 'CONFLICT', /'champion'.*version 2.*expected version 1/);
        expect(stale.details).toMatchObject({ alias: 'champion', expected: 1, actual: 2 });
        await expectError(store.setAlias('m', 'champion', 3, { expectedVersion: null }), 'CONFLICT', /'champion'.*version 2.*not to exist/);
        await expectError(store.setAlias('m', 'challenger', 3, { expectedVersion: 2 }), 'CONFLICT', /'challenger'.*does not exist.*expected version 2/);
        expect((await store.getModelVersionByAlias('m', 'champion')).version).toBe(2);
        expect((await store.getRegisteredModel('m')).aliases).toEqual({ champion: 2 });
        expect(await store.getAliasHistory('m')).toHaveLength(2);
        await expectError(store.deleteAlias('m', 'champion', { expectedVersion: 3 }), 'CONFLICT', /'champion'.*version 2.*expected version 3/);
        expect((await store.getModelVersionByAlias('m', 'champion')).version).toBe(2);
        const deleted = await store.deleteAlias('m', 'champion', { expectedVersion: 2, reason: 'retired' });
        expect(deleted).toMatchObject({ alias: 'champion', version: null, previousVersion: 2, action: 'delete', reason: 'retired' });
        await expectError(store.getModelVersionByAlias('m', 'champion'), 'NOT_FOUND', /\(none\)/);
        await expectError(store.deleteAlias('m', 'champion'), 'NOT_FOUND', /no alias 'champion'/);
        await expectError(store.deleteAlias('m', 'champion', { expectedVersion: 2 }), 'CONFLICT', /does not exist/);
        await expectError(store.deleteAlias('none', 'champion'), 'NOT_FOUND', /'none'/);
      });

      it('keeps every move in the alias history, newest first, with action, reason and gate values', async () => {
        await versions('m', 3);
        await store.setAlias('m', 'champion', 1);
        await store.setAlias('m', 'challenger', 2, { reason: 'try it' });
        await store.setAlias('m', 'champion', 2, { action: 'promote', metric: 'rmse', value: 2.5, previousValue: 3.25, reason: 'better', expectedVersion: 1 });
        await store.setAlias('m', 'champion', 3, { action: 'force', metric: 'rmse', value: 4, previousValue: 2.5, reason: 'hotfix' });
        // Pointing an alias where it already points records nothing.
        const same = await store.setAlias('m', 'champion', 3);
        expect(same).toMatchObject({ version: 3, previousVersion: 3 });
        await store.setAlias('m', 'champion', 2, { action: 'rollback', reason: 'hotfix broke' });
        await store.deleteAlias('m', 'challenger');
        const history = await store.getAliasHistory('m');
        expect(history.map((h) => [h.alias, h.action, h.previousVersion, h.version])).toEqual([
          ['challenger', 'delete', 2, null],
          ['champion', 'rollback', 3, 2],
          ['champion', 'force', 2, 3],
          ['champion', 'promote', 1, 2],
          ['challenger', 'set', null, 2],
          ['champion', 'set', null, 1],
        ]);
        expect(history[2]).toEqual({ name: 'm', alias: 'champion', version: 3, previousVersion: 2, action: 'force', time: expect.any(Number), reason: 'hotfix', metric: 'rmse', value: 4, previousValue: 2.5 });
        expect(history[3]).toMatchObject({ metric: 'rmse', value: 2.5, previousValue: 3.25, reason: 'better' });
        expect(history[4]).toMatchObject({ reason: 'try it', metric: null, value: null, previousValue: null });
        for (let i = 1; i < history.length; i++) expect(history[i - 1]!.time).toBeGreaterThanOrEqual(history[i]!.time);
        expect((await store.getAliasHistory('m', 'champion')).map((h) => h.version)).toEqual([2, 3, 2, 1]);
        expect(await store.getAliasHistory('m', 'never')).toEqual([]);
        await expectError(store.getAliasHistory('none'), 'NOT_FOUND', /'none'/);
        await expectError(store.getAliasHistory('m', 'v1'), 'INVALID_ARGUMENT', /alias/);
      });

      it('refuses to delete a version an alias points at, naming the aliases; history survives a version delete', async () => {
        await versions('m', 3);
        await store.setAlias('m', 'champion', 2);
        await store.setAlias('m', 'backup', 2);
        const err = await expectError(store.deleteModelVersion('m', 2), 'CONFLICT', /version 2.*'backup', 'champion'.*move or delete/);
        expect(err.details).toMatchObject({ aliases: ['backup', 'champion'] });
        expect((await store.getModelVersion('m', 2)).aliases).toEqual(['backup', 'champion']);
        await store.setAlias('m', 'champion', 3, { expectedVersion: 2 });
        await store.deleteAlias('m', 'backup');
        expect(await store.deleteModelVersion('m', 2)).toBe('/models/m/2');
        expect((await store.getAliasHistory('m', 'champion')).map((h) => [h.previousVersion, h.version])).toEqual([
          [2, 3],
          [null, 2],
        ]);
        await expectError(store.setAlias('m', 'champion', 2), 'NOT_FOUND', /no version 2/);
      });
    });

    describe('several processes', () => {
      it('two processes moving one alias with compare-and-set never see "database is locked" and lose no move', async (ctx) => {
        if (!fixture.uri) return ctx.skip();
        await versions('shared', 3);
        const moves = 150;
        const children = [0, 1].map((i) => startRegistryChild([fixture.uri!, 'shared', 'champion', String(moves), '3', `p${i}`]));
        await Promise.all(children.map((c) => c.ready));
        for (const c of children) c.go();
        const results = await Promise.all(children.map((c) => c.done));
        for (const r of results) {
          expect(r.stderr).not.toMatch(/locked|busy/i);
          expect(r.code, r.stderr).toBe(0);
          expect(r.stdout.match(/^ack /gm)).toHaveLength(moves);
        }
        const history = await store.getAliasHistory('shared', 'champion');
        expect(history).toHaveLength(2 * moves);
        for (const label of ['p0', 'p1']) expect(history.filter((h) => h.reason?.startsWith(`${label} `))).toHaveLength(moves);
        // Every move started from where the previous one left the alias: no lost update.
        const oldestFirst = [...history].reverse();
        expect(oldestFirst[0]!.previousVersion).toBeNull();
        for (let i = 1; i < oldestFirst.length; i++) expect(oldestFirst[i]!.previousVersion).toBe(oldestFirst[i - 1]!.version);
        expect((await store.getModelVersionByAlias('shared', 'champion')).version).toBe(history[0]!.version);
      }, 60_000);
    });
  });
}
