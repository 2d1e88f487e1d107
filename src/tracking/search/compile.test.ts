import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSchemaDb, postgresCompiler } from '../../../test/support/search-db.js';
import { NUMERIC_OPS, STRING_OPS, pick, randomFilter, randomOperand, randomString } from '../../../test/support/random-filters.js';
import { Rng } from '../../core/index.js';
import type { Comparison, Filter, OrderKey, SearchValue } from './ast.js';
import { compileFilter, compileOrderBy } from './compile.js';
import { compareRuns, matchesFilter, type RunView } from './evaluate.js';
import { parseFilter, parseOrderBy } from './parser.js';

type Db = Kysely<any>;

async function openDb(): Promise<Db> {
  const db = await openSchemaDb(); // the store's real schema (the issue-4 design, version 1 and later)
  await sql`INSERT INTO experiments VALUES ('0', 'Default', '/tmp/a', 'active', 0, 0, NULL), ('1', 'other', '/tmp/b', 'active', 0, 0, NULL)`.execute(db);
  return db;
}

async function insertRuns(db: Db, runs: RunView[]): Promise<void> {
  for (const table of ['runs', 'params', 'tags', 'latest_metrics', 'dataset_inputs']) await db.deleteFrom(table).execute();
  for (const r of runs) {
    const a = r.attributes;
    await db
      .insertInto('runs')
      .values({
        run_id: a.run_id,
        experiment_id: a.experiment_id,
        run_name: a.run_name,
        status: a.status,
        start_time: a.start_time,
        end_time: a.end_time ?? null,
        lifecycle_stage: 'active',
        parent_run_id: a.parent_run_id ?? null,
        artifact_uri: a.artifact_uri,
        user_id: a.user_id ?? null,
      })
      .execute();
    for (const [key, value] of Object.entries(r.params)) await db.insertInto('params').values({ run_id: a.run_id, key, value }).execute();
    for (const [key, value] of Object.entries(r.tags)) await db.insertInto('tags').values({ run_id: a.run_id, key, value }).execute();
    for (const [key, value] of Object.entries(r.metrics)) {
      const nan = Number.isNaN(value);
      await db
        .insertInto('latest_metrics')
        .values({ run_id: a.run_id, key, value: nan ? null : value, step: 0, timestamp: 0, is_nan: nan ? 1 : 0 })
        .execute();
    }
    for (const d of r.datasets ?? []) {
      await db.insertInto('dataset_inputs').values({ run_id: a.run_id, name: d.name, digest: d.digest, context: d.context ?? null }).execute();
    }
  }
}

function run(id: string, attrs: Partial<RunView['attributes']>, data: Partial<Omit<RunView, 'attributes'>> = {}): RunView {
  return {
    attributes: { run_id: id, run_name: id, status: 'FINISHED', start_time: 0, artifact_uri: `file:///a/${id}`, experiment_id: '0', ...attrs },
    metrics: data.metrics ?? {},
    params: data.params ?? {},
    tags: data.tags ?? {},
    datasets: data.datasets ?? [],
  };
}

const RUNS: RunView[] = [
  run(
    'r1',
    { run_name: 'alpha', start_time: 1000, end_time: 2000, user_id: 'ann' },
    {
      metrics: { rmse: 2.5, acc: 0.9 },
      params: { model: 'rf', alpha: '0.1' },
      tags: { team: 'ML-core', note: "it's" },
      datasets: [{ name: 'train', digest: 'd1', context: 'training' }],
    },
  ),
  run('r2', { run_name: 'beta', status: 'RUNNING', start_time: 2000, end_time: null, user_id: null }, { metrics: { rmse: 3.5, acc: NaN }, params: { model: 'lr' }, tags: { team: 'data' } }),
  run(
    'r3',
    { run_name: 'Gamma_1', status: 'FAILED', start_time: 3000, end_time: 3500, user_id: 'bob', parent_run_id: 'r1', experiment_id: '1' },
    { metrics: { rmse: 1, loss: Infinity }, params: { model: 'RF', alpha: '1' }, tags: { team: 'ml' } },
  ),
  run(
    'r4',
    { run_name: 'gamma%2', start_time: 3000, end_time: 4000 },
    { params: { model: 'a*b?[c]' }, datasets: [{ name: 'test', digest: 'd2', context: null }] },
  ),
  run('r5', { run_name: 'délta', status: 'KILLED', start_time: 500 }, { metrics: { rmse: 2.5, 'val loss': 0.3 }, params: { model: "x' OR 1=1 --" }, tags: { team: 'ÉQUIPE' } }),
  run('r6', { run_name: 'epsilon', start_time: 1000 }, { metrics: { rmse: -1e-3, loss: -Infinity }, tags: { team: 'ml\\core' } }),
];

/** [filter, the ids it must match]. */
const CASES: [string, string[]][] = [
  ['', ['r1', 'r2', 'r3', 'r4', 'r5', 'r6']],
  ['metrics.rmse < 3', ['r1', 'r3', 'r5', 'r6']],
  ['metrics.rmse = 2.5', ['r1', 'r5']],
  ['metrics.rmse != 2.5', ['r2', 'r3', 'r6']],
  ['metrics.rmse >= -1e-3 AND metrics.rmse <= 1', ['r3', 'r6']],
  ['metrics.acc > 0', ['r1']],
  ['metrics.acc != 0.9', []],
  ['NOT metrics.acc > 0', ['r2', 'r3', 'r4', 'r5', 'r6']],
  ['metrics.acc IS NOT NULL', ['r1', 'r2']],
  ['metrics.acc IS NULL', ['r3', 'r4', 'r5', 'r6']],
  ['metrics.loss > 1e308', ['r3']],
  ['metrics.loss < 0', ['r6']],
  ['metrics.rmse IN (1, 3.5)', ['r2', 'r3']],
  ['metrics.rmse NOT IN (1, 3.5)', ['r1', 'r5', 'r6']],
  ['metrics.`val loss` < 1', ['r5']],
  ["params.model = 'rf'", ['r1']],
  ["params.model != 'rf'", ['r2', 'r3', 'r4', 'r5']],
  ["params.model LIKE 'r%'", ['r1']],
  ["params.model ILIKE 'r%'", ['r1', 'r3']],
  ["params.model LIKE 'a*b?[c]'", ['r4']],
  ["params.model LIKE 'a_b_[c]'", ['r4']],
  ["params.model LIKE '%*%'", ['r4']],
  ["params.model IN ('rf', 'lr')", ['r1', 'r2']],
  ["params.model NOT IN ('rf', 'lr')", ['r3', 'r4', 'r5']],
  ["params.model = 'x'' OR 1=1 --'", ['r5']],
  ["params.model = 'a'' OR 1=1 --'", []],
  ["params.alpha = '0.1' OR params.alpha = '1'", ['r1', 'r3']],
  ["tags.team ILIKE 'ml%'", ['r1', 'r3', 'r6']],
  ["tags.team LIKE 'ml%'", ['r3', 'r6']],
  ["tags.team ILIKE 'équipe'", []],
  ["tags.team ILIKE 'ÉQUIPE'", ['r5']],
  ["tags.team LIKE 'ml\\\\\\\\core'", ['r6']],
  ["tags.team = 'ml\\\\core'", ['r6']],
  ["tags.note = 'it''s'", ['r1']],
  ["tags.team IS NULL", ['r4']],
  ["attributes.status = 'FINISHED'", ['r1', 'r4', 'r6']],
  ["status IN ('RUNNING', 'KILLED')", ['r2', 'r5']],
  ["attributes.run_name LIKE 'gamma%'", ['r4']],
  ["attributes.run_name ILIKE 'gamma%'", ['r3', 'r4']],
  ["run_name LIKE 'gamma\\%_'", ['r4']],
  ["run_name LIKE 'Gamma\\_1'", ['r3']],
  ["run_name LIKE 'd_lta'", ['r5']],
  ['attributes.start_time >= 2000', ['r2', 'r3', 'r4']],
  ['attributes.end_time < 3000', ['r1']],
  ['attributes.end_time IS NULL', ['r2', 'r5', 'r6']],
  ['NOT attributes.end_time < 3000', ['r2', 'r3', 'r4', 'r5', 'r6']],
  ["attributes.user_id != 'ann'", ['r3']],
  ["attributes.parent_run_id = 'r1'", ['r3']],
  ["attributes.experiment_id = '1'", ['r3']],
  ["attributes.run_id IN ('r1', 'r6')", ['r1', 'r6']],
  ["attributes.artifact_uri LIKE '%/r2'", ['r2']],
  ["datasets.name = 'train'", ['r1']],
  ["datasets.digest IN ('d1', 'd2')", ['r1', 'r4']],
  ["datasets.context LIKE 'train%'", ['r1']],
  ["metrics.rmse < 3 AND (params.model = 'rf' OR tags.team ILIKE '%ml%') AND attributes.status IN ('FINISHED','RUNNING')", ['r1', 'r6']],
  ["metrics.rmse < 2 OR params.model = 'lr' AND tags.team = 'data'", ['r2', 'r3', 'r6']],
  ["(metrics.rmse < 2 OR params.model = 'lr') AND tags.team = 'data'", ['r2']],
  ["NOT (params.model = 'rf' OR params.model = 'lr')", ['r3', 'r4', 'r5', 'r6']],
  ["NOT params.model = 'rf' AND metrics.rmse > 0", ['r2', 'r3', 'r5']],
];

let db: Db;

beforeAll(async () => {
  db = await openDb();
  await insertRuns(db, RUNS);
});
afterAll(async () => {
  await db.destroy();
});

async function sqlIds(filter: Filter | null): Promise<string[]> {
  const rows = await db.selectFrom('runs').select('runs.run_id').where(compileFilter(filter)).orderBy('runs.run_id').execute();
  return rows.map((r) => r.run_id as string);
}

function memoryIds(filter: Filter | null, runs: RunView[]): string[] {
  return runs
    .filter((r) => matchesFilter(filter, r))
    .map((r) => r.attributes.run_id)
    .sort();
}

describe('compileFilter on SQLite', () => {
  it.each(CASES)('%s', async (text, expected) => {
    const filter = parseFilter(text);
    expect(await sqlIds(filter)).toEqual(expected);
    expect(memoryIds(filter, RUNS)).toEqual(expected);
  });

  it('binds every value and key: nothing from the filter reaches the SQL text', () => {
    const f = parseFilter("params.`k'; DROP TABLE runs; --` = 'a'' OR 1=1 --' OR tags.x ILIKE 'EVIL%' OR metrics.m < 42");
    for (const dialect of ['sqlite', 'postgres'] as const) {
      const compiled = compileFilter(f, dialect).compile(dialect === 'sqlite' ? db : pg);
      expect(compiled.sql).not.toMatch(/DROP|1=1|EVIL|evil|42/);
      expect(compiled.parameters).toEqual(expect.arrayContaining(["k'; DROP TABLE runs; --", "a' OR 1=1 --", 'x', 42]));
    }
  });

  it('survives an injection attempt and leaves the tables intact', async () => {
    const f = parseFilter("params.model = 'x''); DROP TABLE runs; --'");
    expect(await sqlIds(f)).toEqual([]);
    expect((await db.selectFrom('runs').select('run_id').execute()).length).toBe(RUNS.length);
  });

  it('rejects hand-built ASTs it cannot compile with INVALID_ARGUMENT', () => {
    const bad: Filter[] = [
      { kind: 'cmp', entity: 'attribute', key: '__proto__', op: '=', value: 'x' },
      { kind: 'cmp', entity: 'dataset', key: 'size; DROP TABLE runs', op: '=', value: 'x' },
      { kind: 'cmp', entity: 'param', key: 'a', op: 'IN', value: [] },
      { kind: 'cmp', entity: 'dataset', key: 'name', op: 'IS NULL', value: null },
    ];
    for (const f of bad) expect(() => compileFilter(f), JSON.stringify(f)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => compileOrderBy([{ entity: 'attribute', key: 'constructor', direction: 'ASC' }])).toThrow(/unknown run attribute/);
  });

  it('compiles empty AND / OR to true / false', async () => {
    expect(await sqlIds({ kind: 'and', items: [] })).toHaveLength(RUNS.length);
    expect(await sqlIds({ kind: 'or', items: [] })).toEqual([]);
  });
});

const pg = postgresCompiler();

describe('compileFilter for PostgreSQL', () => {
  it('uses LIKE/ILIKE with backslash escapes and numbered parameters', () => {
    const c = compileFilter(parseFilter("params.model LIKE 'a*b\\%' AND tags.t ILIKE '%X_'"), 'postgres').compile(pg);
    expect(c.sql).toContain('"_k"."value" LIKE $2');
    expect(c.sql).toContain('"_k"."value" ILIKE $4');
    expect(c.sql).not.toContain('GLOB');
    expect(c.parameters).toEqual(['model', 'a*b\\%', 't', '%X_']);
  });

  it('sorts text by code point with COLLATE "C"', () => {
    const c = sql`SELECT run_id FROM runs ORDER BY ${sql.join(compileOrderBy(parseOrderBy(['params.model', 'run_name DESC']), 'postgres'))}`.compile(pg);
    expect(c.sql).toContain('COLLATE "C" ASC');
    expect(c.sql).toContain('"runs"."run_name" COLLATE "C" DESC');
  });
});

describe('compileOrderBy on SQLite', () => {
  async function ordered(keys: OrderKey[]): Promise<string[]> {
    const r = await sql<{ run_id: string }>`SELECT run_id FROM runs ORDER BY ${sql.join(compileOrderBy(keys))}`.execute(db);
    return r.rows.map((x) => x.run_id);
  }
  const ORDERS: [string[], string[]][] = [
    [[], ['r3', 'r4', 'r2', 'r1', 'r6', 'r5']],
    [['metrics.rmse ASC'], ['r6', 'r3', 'r1', 'r5', 'r2', 'r4']],
    [['metrics.rmse DESC'], ['r2', 'r1', 'r5', 'r3', 'r6', 'r4']],
    [['metrics.acc DESC'], ['r1', 'r2', 'r3', 'r4', 'r6', 'r5']],
    [['metrics.acc ASC'], ['r1', 'r2', 'r3', 'r4', 'r6', 'r5']],
    [['metrics.loss DESC'], ['r3', 'r6', 'r4', 'r2', 'r1', 'r5']],
    [['params.model'], ['r3', 'r4', 'r2', 'r1', 'r5', 'r6']],
    [['params.model DESC', 'metrics.rmse'], ['r5', 'r1', 'r2', 'r4', 'r3', 'r6']],
    [['tags.team ASC'], ['r1', 'r2', 'r3', 'r6', 'r5', 'r4']],
    [['attributes.end_time ASC'], ['r1', 'r3', 'r4', 'r2', 'r6', 'r5']],
    [['attributes.start_time ASC'], ['r5', 'r1', 'r6', 'r2', 'r3', 'r4']],
    [['run_name DESC'], ['r4', 'r6', 'r5', 'r2', 'r1', 'r3']],
    [['attributes.status', 'metrics.rmse DESC'], ['r3', 'r1', 'r6', 'r4', 'r5', 'r2']],
  ];
  it.each(ORDERS)('%j', async (order, expected) => {
    const keys = parseOrderBy(order);
    expect(await ordered(keys)).toEqual(expected);
    expect([...RUNS].sort(compareRuns(keys)).map((r) => r.attributes.run_id)).toEqual(expected);
  });

  it('works as Kysely orderBy expressions', async () => {
    let q = db.selectFrom('runs').select('runs.run_id');
    for (const frag of compileOrderBy(parseOrderBy(['metrics.rmse DESC']))) q = q.orderBy(frag);
    expect((await q.execute()).map((r) => r.run_id)).toEqual(['r2', 'r1', 'r5', 'r3', 'r6', 'r4']);
  });
});

// ---- property test: the SQL agrees with the in-memory evaluator on random filters over random runs

const ALPHABET = ['a', 'A', 'b', 'B', '%', '_', '*', '?', '[', ']', '\\', "'", 'é', 'É', ' '];
const METRIC_VALUES = [-1, 0, 0.5, 2.5, 3, NaN, Infinity, -Infinity];

const randomText = (rng: Rng): string => randomString(rng, ALPHABET);
function randomRun(rng: Rng, i: number): RunView {
  const metrics: Record<string, number> = {};
  const params: Record<string, string> = {};
  const tags: Record<string, string> = {};
  for (const k of ['m1', 'm2']) if (rng.random() < 0.7) metrics[k] = pick(rng, METRIC_VALUES);
  for (const k of ['p1', 'p2']) if (rng.random() < 0.7) params[k] = randomText(rng);
  if (rng.random() < 0.7) tags.t1 = randomText(rng);
  return run(
    `r${String(i).padStart(2, '0')}`,
    {
      run_name: randomText(rng),
      status: pick(rng, ['RUNNING', 'FINISHED', 'FAILED']),
      start_time: pick(rng, [0, 1000, 2000]),
      end_time: rng.random() < 0.3 ? null : pick(rng, [1000, 3000]),
      user_id: rng.random() < 0.3 ? null : randomText(rng),
    },
    { metrics, params, tags, datasets: rng.random() < 0.5 ? [{ name: randomText(rng), digest: 'd', context: null }] : [] },
  );
}

function randomComparison(rng: Rng): Comparison {
  const kind = rng.int(8);
  const numeric = kind < 2 || kind === 7;
  const [entity, key]: [Comparison['entity'], string] =
    kind < 2
      ? ['metric', pick(rng, ['m1', 'm2'])]
      : kind < 4
        ? ['param', pick(rng, ['p1', 'p2'])]
        : kind === 4
          ? ['tag', 't1']
          : kind === 5
            ? ['attribute', pick(rng, ['run_name', 'user_id', 'status'])]
            : kind === 6
              ? ['dataset', 'name']
              : ['attribute', pick(rng, ['start_time', 'end_time'])];
  let op: Comparison['op'] = numeric ? pick(rng, NUMERIC_OPS) : pick(rng, STRING_OPS);
  if (entity === 'dataset' && (op === 'IS NULL' || op === 'IS NOT NULL')) op = '=';
  const one = (): SearchValue => (numeric ? pick(rng, entity === 'metric' ? [-1, 0, 0.5, 2.5, 3, 1e308] : [0, 1000, 2000, 3000]) : randomText(rng));
  const value = randomOperand(op, one);
  return { kind: 'cmp', entity, key, op, value };
}

describe('property: SQL equals the in-memory evaluator', () => {
  it('on 400 random filters over 40 random runs, and random orders', async () => {
    const rng = new Rng(20261126);
    const runs = Array.from({ length: 40 }, (_, i) => randomRun(rng, i));
    await insertRuns(db, runs);
    try {
      let informative = 0;
      for (let i = 0; i < 400; i++) {
        const f = randomFilter(rng, 3, () => randomComparison(rng));
        const expected = memoryIds(f, runs);
        expect(await sqlIds(f), JSON.stringify(f)).toEqual(expected);
        if (expected.length > 0 && expected.length < runs.length) informative++;
      }
      // Most filters select a proper, non-empty subset, so the agreement means something.
      expect(informative).toBeGreaterThan(200);
      const ORDER_KEYS = ['metrics.m1', 'metrics.m2', 'params.p1', 'tags.t1', 'run_name', 'user_id', 'start_time', 'end_time', 'status'];
      for (let i = 0; i < 60; i++) {
        const keys = parseOrderBy(Array.from({ length: 1 + rng.int(2) }, () => `${pick(rng, ORDER_KEYS)} ${pick(rng, ['ASC', 'DESC'])}`));
        const r = await sql<{ run_id: string }>`SELECT run_id FROM runs ORDER BY ${sql.join(compileOrderBy(keys))}`.execute(db);
        expect(
          r.rows.map((x) => x.run_id),
          JSON.stringify(keys),
        ).toEqual([...runs].sort(compareRuns(keys)).map((x) => x.attributes.run_id));
      }
    } finally {
      await insertRuns(db, RUNS);
    }
  });
});
