import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { thrownError } from '../../../test/support/errors.js';
import { openSchemaDb, postgresCompiler } from '../../../test/support/search-db.js';
import { NUMERIC_OPS, STRING_OPS, pick, randomFilter, randomOperand, randomString } from '../../../test/support/random-filters.js';
import { Rng, type MlshipError } from '../../core/index.js';
import { SEARCH_KINDS, type Comparison, type Filter, type SearchKind, type SearchValue } from './ast.js';
import { compileFilter, compileOrderBy } from './compile.js';
import { compareEntities, matchesFilter, type EntityView } from './evaluate.js';
import { parseFilter, parseOrderBy } from './parser.js';

/** The INVALID_ARGUMENT error `fn` throws. */
const errorOf = (fn: () => unknown): MlshipError => thrownError(fn, 'INVALID_ARGUMENT');

const attr = (key: string, op: Comparison['op'], value: Comparison['value']): Comparison => ({ kind: 'cmp', entity: 'attribute', key, op, value });
const tag = (key: string, op: Comparison['op'], value: Comparison['value']): Comparison => ({ kind: 'cmp', entity: 'tag', key, op, value });

describe('parseFilter with a search kind', () => {
  it('parses names, attributes, aliases and tags of experiments, registered models and model versions', () => {
    expect(parseFilter("name LIKE 'housing%'", 'experiment')).toEqual(attr('name', 'LIKE', 'housing%'));
    expect(parseFilter("attributes.name = 'a' AND tags.team = 'nlp'", 'experiment')).toEqual({ kind: 'and', items: [attr('name', '=', 'a'), tag('team', '=', 'nlp')] });
    expect(parseFilter("attributes.experiment_id IN ('1', '2')", 'experiment')).toEqual(attr('experiment_id', 'IN', ['1', '2']));
    expect(parseFilter('attributes.last_update_time >= 5 OR creation_time < 3', 'experiment')).toEqual({
      kind: 'or',
      items: [attr('last_update_time', '>=', 5), attr('creation_time', '<', 3)],
    });
    expect(parseFilter('attributes.last_updated_timestamp > 1', 'registered_model')).toEqual(attr('last_updated_time', '>', 1));
    expect(parseFilter('NOT tags.`release date` IS NULL', 'registered_model')).toEqual({ kind: 'not', item: tag('release date', 'IS NULL', null) });
    expect(parseFilter("version >= 2 AND run_id IS NOT NULL AND source_path LIKE '/m/%'", 'model_version')).toEqual({
      kind: 'and',
      items: [attr('version', '>=', 2), attr('run_id', 'IS NOT NULL', null), attr('source', 'LIKE', '/m/%')],
    });
    expect(parseFilter('version_number = 3', 'model_version')).toEqual(attr('version', '=', 3));
    expect(parseFilter('  ', 'model_version')).toBeNull();
    // Runs are the default and unchanged.
    expect(parseFilter("status = 'FINISHED'")).toEqual(attr('status', '=', 'FINISHED'));
    expect(parseFilter("status = 'FINISHED'", 'run')).toEqual(attr('status', '=', 'FINISHED'));
  });

  it('rejects keys the kind does not have, naming the column and listing the valid keys', () => {
    const cases: [SearchKind, string, number, RegExp][] = [
      ['experiment', 'metrics.rmse < 3', 1, /unknown key prefix 'metrics' for an experiment search: use tags\. or attributes\. \(valid experiment keys: name, attributes\.name, attributes\.experiment_id, attributes\.creation_time, attributes\.last_update_time, tags\.<key>\)/],
      ['experiment', "params.a = 'x'", 1, /unknown key prefix 'params'/],
      ['experiment', "run.status = 'x'", 1, /unknown key prefix 'run'/],
      ['experiment', "attributes.lifecycle_stage = 'deleted'", 12, /unknown attribute 'lifecycle_stage' for an experiment search: expected one of name, experiment_id, creation_time, last_update_time/],
      ['experiment', "status = 'x'", 1, /unknown key 'status': expected an experiment key \(one of name, .*tags\.<key>\)/],
      ['experiment', "creation_time = 'x'", 17, /numbers only/],
      ['experiment', 'name < 3', 6, /'<' compares numbers/],
      ['registered_model', 'version = 1', 1, /unknown key 'version'.*one of name, attributes\.creation_time, attributes\.last_updated_time, tags\.<key>/],
      ['registered_model', "datasets.name = 'x'", 1, /unknown key prefix 'datasets'/],
      ['registered_model', "name = 'a' AND", 15, /expected a condition after 'AND'/],
      ['model_version', "version = '3'", 11, /numbers only/],
      ['model_version', "status = 'READY'", 1, /unknown key 'status'.*name, version, run_id, source, attributes\.creation_time, tags\.<key>/],
      ['model_version', 'metrics.acc > 0.9', 1, /valid model version keys/],
      ['model_version', "`name` = 'a'", 1, /expected a model version key/],
    ];
    for (const [kind, text, column, re] of cases) {
      const err = errorOf(() => parseFilter(text, kind));
      expect(err.message, text).toMatch(re);
      expect(err.message, text).toContain(`at column ${column}:`);
      expect(err.details.column, text).toBe(column);
    }
  });

  it('rejects an unknown kind', () => {
    expect(errorOf(() => parseFilter("name = 'a'", 'dataset' as SearchKind)).message).toMatch(/search kind must be one of run, experiment, registered_model, model_version/);
    expect(errorOf(() => parseOrderBy(['name'], 'x' as SearchKind)).message).toMatch(/search kind/);
  });
});

describe('parseOrderBy with a search kind', () => {
  it('accepts each kind’s sort keys', () => {
    expect(parseOrderBy(['name DESC', 'creation_time', 'attributes.last_update_time asc'], 'experiment')).toEqual([
      { entity: 'attribute', key: 'name', direction: 'DESC' },
      { entity: 'attribute', key: 'creation_time', direction: 'ASC' },
      { entity: 'attribute', key: 'last_update_time', direction: 'ASC' },
    ]);
    expect(parseOrderBy(['last_updated_timestamp DESC'], 'registered_model')).toEqual([{ entity: 'attribute', key: 'last_updated_time', direction: 'DESC' }]);
    expect(parseOrderBy(['version DESC', 'source', 'run_id'], 'model_version')).toHaveLength(3);
  });

  it('rejects keys the kind cannot be ordered by, listing those it can', () => {
    expect(errorOf(() => parseOrderBy(['tags.team'], 'experiment')).message).toMatch(/column 1: experiments cannot be ordered by tags: order by one of name, experiment_id, creation_time, last_update_time/);
    expect(parseOrderBy(['attributes.experiment_id DESC'], 'experiment')).toEqual([{ entity: 'attribute', key: 'experiment_id', direction: 'DESC' }]);
    expect(errorOf(() => parseOrderBy(['metrics.x'], 'registered_model')).message).toMatch(/unknown key prefix 'metrics'/);
    expect(errorOf(() => parseOrderBy(['version'], 'registered_model')).message).toMatch(/unknown key 'version'/);
    expect(errorOf(() => parseOrderBy(['name UP'], 'model_version')).message).toMatch(/column 6: expected ASC, DESC or the end/);
    expect(errorOf(() => parseOrderBy([''], 'model_version')).message).toMatch(/expected a model version key/);
  });
});

// ---- SQL over the real schema, checked against the in-memory evaluator

type Db = Kysely<any>;
let db: Db;

const pg = postgresCompiler();

beforeAll(async () => {
  db = await openSchemaDb();
});

afterAll(async () => {
  await db.destroy();
});

const TABLE: Record<Exclude<SearchKind, 'run'>, string> = { experiment: 'experiments', registered_model: 'registered_models', model_version: 'model_versions' };

/** The identity of a row of each kind, as the tests print it. */
function idOf(kind: Exclude<SearchKind, 'run'>, a: Record<string, unknown>): string {
  return kind === 'experiment' ? String(a.experiment_id) : kind === 'registered_model' ? String(a.name) : `${String(a.name)}/${String(a.version)}`;
}

async function insert(kind: Exclude<SearchKind, 'run'>, views: EntityView[]): Promise<void> {
  for (const t of ['model_version_tags', 'model_versions', 'registered_model_tags', 'registered_models', 'experiment_tags', 'experiments']) await db.deleteFrom(t).execute();
  const models = new Set<string>();
  for (const v of views) {
    const a = v.attributes;
    if (kind === 'experiment') {
      await db
        .insertInto('experiments')
        .values({ experiment_id: a.experiment_id, name: a.name, artifact_location: '/a', lifecycle_stage: 'active', creation_time: a.creation_time, last_update_time: a.last_update_time })
        .execute();
      for (const [key, value] of Object.entries(v.tags)) await db.insertInto('experiment_tags').values({ experiment_id: a.experiment_id, key, value }).execute();
    } else if (kind === 'registered_model') {
      await db.insertInto('registered_models').values({ name: a.name, creation_time: a.creation_time, last_updated_time: a.last_updated_time }).execute();
      for (const [key, value] of Object.entries(v.tags)) await db.insertInto('registered_model_tags').values({ name: a.name, key, value }).execute();
    } else {
      if (!models.has(a.name as string)) {
        models.add(a.name as string);
        await db.insertInto('registered_models').values({ name: a.name, creation_time: 0, last_updated_time: 0 }).execute();
      }
      await db
        .insertInto('model_versions')
        .values({ name: a.name, version: a.version, creation_time: a.creation_time, last_updated_time: 0, source: a.source, run_id: a.run_id ?? null, status: 'READY' })
        .execute();
      for (const [key, value] of Object.entries(v.tags)) await db.insertInto('model_version_tags').values({ name: a.name, version: a.version, key, value }).execute();
    }
  }
}

async function sqlIds(kind: Exclude<SearchKind, 'run'>, filter: Filter | null): Promise<string[]> {
  const rows = await db.selectFrom(TABLE[kind]).selectAll().where(compileFilter(filter, 'sqlite', kind)).execute();
  return rows.map((r) => idOf(kind, r)).sort();
}

function memoryIds(kind: Exclude<SearchKind, 'run'>, filter: Filter | null, views: EntityView[]): string[] {
  return views
    .filter((v) => matchesFilter(filter, v))
    .map((v) => idOf(kind, v.attributes))
    .sort();
}

const ALPHABET = ['a', 'A', 'b', '%', '_', '*', '[', '\\', "'", 'é', 'É', ' '];

const randomText = (rng: Rng): string => randomString(rng, ALPHABET);
const TIMES = [0, 1000, 2000, 3000];

function randomView(rng: Rng, kind: Exclude<SearchKind, 'run'>, i: number): EntityView {
  const tags: Record<string, string> = {};
  for (const k of ['t1', 't2']) if (rng.random() < 0.7) tags[k] = randomText(rng);
  const time = () => pick(rng, TIMES);
  if (kind === 'experiment') return { attributes: { experiment_id: String(i), name: `${randomText(rng)}#${i}`, creation_time: time(), last_update_time: time() }, tags };
  if (kind === 'registered_model') return { attributes: { name: `${randomText(rng)}#${i}`, creation_time: time(), last_updated_time: time() }, tags };
  return {
    attributes: { name: pick(rng, ['m', 'M', 'm_x']), version: i + 1, run_id: rng.random() < 0.3 ? null : randomText(rng), source: randomText(rng), creation_time: time() },
    tags,
  };
}

function randomComparison(rng: Rng, kind: Exclude<SearchKind, 'run'>): Comparison {
  const spec = SEARCH_KINDS[kind];
  const isTag = rng.random() < 0.4;
  const key = isTag ? pick(rng, ['t1', 't2']) : pick(rng, Object.keys(spec.attributes));
  const numeric = !isTag && spec.attributes[key] === 'number';
  const op: Comparison['op'] = numeric ? pick(rng, NUMERIC_OPS) : pick(rng, STRING_OPS);
  const one = (): SearchValue => (numeric ? (key === 'version' ? 1 + rng.int(30) : pick(rng, TIMES)) : randomText(rng));
  const value = randomOperand(op, one);
  return { kind: 'cmp', entity: isTag ? 'tag' : 'attribute', key, op, value };
}

describe('compileFilter / compileOrderBy with a search kind', () => {
  it.each(['experiment', 'registered_model', 'model_version'] as const)('%s: SQL equals the in-memory evaluator on 250 random filters and 40 random orders', async (kind) => {
    const rng = new Rng(kind.length * 7919);
    const views = Array.from({ length: 30 }, (_, i) => randomView(rng, kind, i));
    await insert(kind, views);
    let informative = 0;
    for (let i = 0; i < 250; i++) {
      const f = randomFilter(rng, 3, () => randomComparison(rng, kind));
      const expected = memoryIds(kind, f, views);
      expect(await sqlIds(kind, f), JSON.stringify(f)).toEqual(expected);
      if (expected.length > 0 && expected.length < views.length) informative++;
    }
    expect(informative).toBeGreaterThan(100);
    const orderable = SEARCH_KINDS[kind].orderAttributes;
    for (let i = 0; i < 40; i++) {
      const keys = parseOrderBy(
        Array.from({ length: 1 + rng.int(2) }, () => `${pick(rng, orderable)} ${pick(rng, ['ASC', 'DESC'])}`),
        kind,
      );
      const r = await sql<Record<string, unknown>>`SELECT * FROM ${sql.table(TABLE[kind])} ORDER BY ${sql.join(compileOrderBy(keys, 'sqlite', kind))}`.execute(db);
      expect(
        r.rows.map((x) => idOf(kind, x)),
        JSON.stringify(keys),
      ).toEqual([...views].sort(compareEntities(keys, kind)).map((v) => idOf(kind, v.attributes)));
    }
  });

  it('binds every value and tag key: nothing from the filter reaches the SQL text', () => {
    const f = parseFilter("tags.`k'; DROP TABLE experiments; --` = 'a'' OR 1=1 --' OR name ILIKE 'EVIL%' OR creation_time < 42", 'experiment');
    for (const dialect of ['sqlite', 'postgres'] as const) {
      const compiled = compileFilter(f, dialect, 'experiment').compile(dialect === 'sqlite' ? db : pg);
      expect(compiled.sql).not.toMatch(/DROP|1=1|EVIL|evil|42/);
      expect(compiled.sql).toContain('experiment_tags');
      expect(compiled.parameters).toEqual(expect.arrayContaining(["k'; DROP TABLE experiments; --", "a' OR 1=1 --", 42]));
    }
  });

  it('compiles for PostgreSQL with numbered parameters, ILIKE and COLLATE "C"', () => {
    const c = sql`SELECT * FROM model_versions WHERE ${compileFilter(parseFilter("source ILIKE '%x_' AND tags.a = 'b'", 'model_version'), 'postgres', 'model_version')} ORDER BY ${sql.join(
      compileOrderBy(parseOrderBy(['name DESC'], 'model_version'), 'postgres', 'model_version'),
    )}`.compile(pg);
    expect(c.sql).toContain('"model_versions"."source" ILIKE $1');
    expect(c.sql).toContain('_k.name = model_versions.name AND _k.version = model_versions.version');
    expect(c.sql).toContain('"model_versions"."name" COLLATE "C" DESC');
    expect(c.parameters).toEqual(['%x_', 'a', 'b']);
  });

  it('rejects hand-built ASTs with keys the kind does not have', () => {
    const bad: [SearchKind, Filter][] = [
      ['experiment', { kind: 'cmp', entity: 'metric', key: 'rmse', op: '<', value: 1 }],
      ['experiment', { kind: 'cmp', entity: 'attribute', key: 'status', op: '=', value: 'x' }],
      ['registered_model', { kind: 'cmp', entity: 'dataset', key: 'name', op: '=', value: 'x' }],
      ['model_version', { kind: 'cmp', entity: 'param', key: 'a', op: '=', value: 'x' }],
      ['model_version', { kind: 'cmp', entity: 'attribute', key: '__proto__', op: '=', value: 'x' }],
    ];
    for (const [kind, f] of bad) expect(() => compileFilter(f, 'sqlite', kind), JSON.stringify(f)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => compileOrderBy([{ entity: 'tag', key: 'a', direction: 'ASC' }], 'sqlite', 'experiment')).toThrow(/cannot be ordered/);
    expect(() => compileOrderBy([{ entity: 'attribute', key: 'run_id', direction: 'ASC' }], 'sqlite', 'experiment')).toThrow(/unknown experiment attribute/);
    expect(() => compileFilter(null, 'sqlite', 'nope' as SearchKind)).toThrow(/search kind/);
  });
});
