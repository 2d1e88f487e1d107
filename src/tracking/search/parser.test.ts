import { describe, expect, it } from 'vitest';
import { thrownError } from '../../../test/support/errors.js';
import type { MlshipError } from '../../core/index.js';
import { parseFilter, parseOrderBy } from './parser.js';
import type { Filter } from './ast.js';

const cmp = (entity: string, key: string, op: string, value: unknown): Filter => ({ kind: 'cmp', entity, key, op, value }) as Filter;

/** The INVALID_ARGUMENT error `fn` throws. */
const errorOf = (fn: () => unknown): MlshipError => thrownError(fn, 'INVALID_ARGUMENT');

describe('parseFilter', () => {
  it('returns null for empty, blank and missing filters', () => {
    expect(parseFilter('')).toBeNull();
    expect(parseFilter('   \n\t')).toBeNull();
    expect(parseFilter(undefined)).toBeNull();
    expect(parseFilter(null)).toBeNull();
  });

  it('parses a single comparison of each entity', () => {
    expect(parseFilter('metrics.rmse < 3')).toEqual(cmp('metric', 'rmse', '<', 3));
    expect(parseFilter("params.model = 'rf'")).toEqual(cmp('param', 'model', '=', 'rf'));
    expect(parseFilter('tags.team != "ml"')).toEqual(cmp('tag', 'team', '!=', 'ml'));
    expect(parseFilter("attributes.status = 'FINISHED'")).toEqual(cmp('attribute', 'status', '=', 'FINISHED'));
    expect(parseFilter("datasets.digest = 'abc'")).toEqual(cmp('dataset', 'digest', '=', 'abc'));
  });

  it('accepts singular prefixes, aliases and bare attribute names', () => {
    expect(parseFilter('metric.acc >= 0.5')).toEqual(cmp('metric', 'acc', '>=', 0.5));
    expect(parseFilter("param.alpha = '1'")).toEqual(cmp('param', 'alpha', '=', '1'));
    expect(parseFilter("tag.x = 'y'")).toEqual(cmp('tag', 'x', '=', 'y'));
    expect(parseFilter("attribute.run_name = 'a'")).toEqual(cmp('attribute', 'run_name', '=', 'a'));
    expect(parseFilter("run_name LIKE 'a%'")).toEqual(cmp('attribute', 'run_name', 'LIKE', 'a%'));
    expect(parseFilter("status = 'RUNNING'")).toEqual(cmp('attribute', 'status', '=', 'RUNNING'));
    expect(parseFilter('attributes.created > 5')).toEqual(cmp('attribute', 'start_time', '>', 5));
    expect(parseFilter('start_time > 5')).toEqual(cmp('attribute', 'start_time', '>', 5));
    for (const a of ['run_id', 'experiment_id', 'user_id', 'artifact_uri', 'parent_run_id']) {
      expect(parseFilter(`attributes.${a} = 'v'`)).toEqual(cmp('attribute', a, '=', 'v'));
    }
  });

  it('parses numbers: ints, floats, exponents, negatives', () => {
    const values = ['3', '-3', '0.25', '-0.25', '.5', '-.5', '1e3', '1.5E-3', '-2e+2', '7.'];
    for (const v of values) {
      expect(parseFilter(`metrics.m = ${v}`)).toEqual(cmp('metric', 'm', '=', Number(v)));
    }
    expect(parseFilter('metrics.m<-1')).toEqual(cmp('metric', 'm', '<', -1));
  });

  it('quotes keys with backticks or double quotes, and allows dotted keys', () => {
    expect(parseFilter('metrics.`val loss` < 1')).toEqual(cmp('metric', 'val loss', '<', 1));
    expect(parseFilter('metrics."val loss" < 1')).toEqual(cmp('metric', 'val loss', '<', 1));
    expect(parseFilter("params.`a``b` = 'x'")).toEqual(cmp('param', 'a`b', '=', 'x'));
    expect(parseFilter('metrics.val.loss < 1')).toEqual(cmp('metric', 'val.loss', '<', 1));
    expect(parseFilter("tags.`mlship.user` = 'me'")).toEqual(cmp('tag', 'mlship.user', '=', 'me'));
    expect(parseFilter("params.AND = 'x'")).toEqual(cmp('param', 'AND', '=', 'x'));
  });

  it('decodes escaped quotes in strings', () => {
    expect(parseFilter("params.x = 'it''s'")).toEqual(cmp('param', 'x', '=', "it's"));
    expect(parseFilter("params.x = 'it\\'s'")).toEqual(cmp('param', 'x', '=', "it's"));
    expect(parseFilter('params.x = "say ""hi"""')).toEqual(cmp('param', 'x', '=', 'say "hi"'));
    expect(parseFilter('params.x = "a\\\\b"')).toEqual(cmp('param', 'x', '=', 'a\\b'));
    expect(parseFilter("params.x LIKE '50\\%'")).toEqual(cmp('param', 'x', 'LIKE', '50\\%'));
    expect(parseFilter("params.x = ''")).toEqual(cmp('param', 'x', '=', ''));
  });

  it('keeps injection attempts inside the value', () => {
    expect(parseFilter("params.x = 'a'' OR 1=1 --'")).toEqual(cmp('param', 'x', '=', "a' OR 1=1 --"));
    expect(parseFilter("params.x = 'x''); DROP TABLE runs; --'")).toEqual(cmp('param', 'x', '=', "x'); DROP TABLE runs; --"));
    expect(parseFilter("params.`a' OR '1'='1` = 'v'")).toEqual(cmp('param', "a' OR '1'='1", '=', 'v'));
    errorOf(() => parseFilter("params.x = 'a' OR 1=1 --"));
    errorOf(() => parseFilter("params.x = 'a'; DROP TABLE runs"));
  });

  it('binds NOT tighter than AND, and AND tighter than OR', () => {
    const a = cmp('metric', 'a', '=', 1);
    const b = cmp('metric', 'b', '=', 2);
    const c = cmp('metric', 'c', '=', 3);
    expect(parseFilter('metrics.a = 1 OR metrics.b = 2 AND metrics.c = 3')).toEqual({ kind: 'or', items: [a, { kind: 'and', items: [b, c] }] });
    expect(parseFilter('metrics.a = 1 AND metrics.b = 2 OR metrics.c = 3')).toEqual({ kind: 'or', items: [{ kind: 'and', items: [a, b] }, c] });
    expect(parseFilter('(metrics.a = 1 OR metrics.b = 2) AND metrics.c = 3')).toEqual({ kind: 'and', items: [{ kind: 'or', items: [a, b] }, c] });
    expect(parseFilter('NOT metrics.a = 1 AND metrics.b = 2')).toEqual({ kind: 'and', items: [{ kind: 'not', item: a }, b] });
    expect(parseFilter('NOT (metrics.a = 1 AND metrics.b = 2)')).toEqual({ kind: 'not', item: { kind: 'and', items: [a, b] } });
    expect(parseFilter('not not metrics.a = 1')).toEqual({ kind: 'not', item: { kind: 'not', item: a } });
    expect(parseFilter('metrics.a = 1 and metrics.b = 2 and metrics.c = 3')).toEqual({ kind: 'and', items: [a, b, c] });
    expect(parseFilter('((metrics.a = 1))')).toEqual(a);
  });

  it('parses IN, NOT IN, LIKE, ILIKE and IS [NOT] NULL', () => {
    expect(parseFilter("attributes.status IN ('FINISHED', 'RUNNING')")).toEqual(cmp('attribute', 'status', 'IN', ['FINISHED', 'RUNNING']));
    expect(parseFilter("params.m not in ('a')")).toEqual(cmp('param', 'm', 'NOT IN', ['a']));
    expect(parseFilter('metrics.m IN (1, 2.5, -3)')).toEqual(cmp('metric', 'm', 'IN', [1, 2.5, -3]));
    expect(parseFilter("tags.t ilike '%ML%'")).toEqual(cmp('tag', 't', 'ILIKE', '%ML%'));
    expect(parseFilter('metrics.m IS NULL')).toEqual(cmp('metric', 'm', 'IS NULL', null));
    expect(parseFilter('attributes.end_time is not null')).toEqual(cmp('attribute', 'end_time', 'IS NOT NULL', null));
    expect(parseFilter("params.a <> 'x'")).toEqual(cmp('param', 'a', '!=', 'x'));
  });

  it('parses the design example', () => {
    const f = parseFilter(`metrics.rmse < 3 AND (params.model = 'rf' OR tags."team" ILIKE '%ml%') AND attributes.status IN ('FINISHED','RUNNING')`);
    expect(f).toEqual({
      kind: 'and',
      items: [
        cmp('metric', 'rmse', '<', 3),
        { kind: 'or', items: [cmp('param', 'model', '=', 'rf'), cmp('tag', 'team', 'ILIKE', '%ml%')] },
        cmp('attribute', 'status', 'IN', ['FINISHED', 'RUNNING']),
      ],
    });
  });

  it('reports errors with the column and what was expected', () => {
    const cases: [string, number, RegExp][] = [
      ['metrics.rmse < ', 16, /expected a value after '<'/],
      ['metrics.rmse < AND', 16, /expected a value after '<'/],
      ["metrics.rmse < 'a'", 16, /numbers only/],
      ["metrics.rmse LIKE '%a'", 14, /LIKE applies to strings/],
      ['params.model = rf', 16, /quote strings, e.g. 'rf'/],
      ['params.model = 3', 16, /quote the value, e.g. '3'/],
      ["params.model < 'a'", 14, /'<' compares numbers/],
      ['attributes.start_time = \'x\'', 25, /numbers only/],
      ["attributes.nope = 'x'", 12, /unknown attribute 'nope'/],
      ["foo.bar = 'x'", 1, /unknown key prefix 'foo'/],
      ["model = 'x'", 1, /unknown key 'model'/],
      ["(params.a = 'x'", 16, /expected '\)' to close the '\(' at column 1/],
      ["params.a = 'x')", 15, /unmatched '\)'/],
      ["params.a = 'x' params.b = 'y'", 16, /expected AND, OR or the end/],
      ["params.a = 'x' AND", 19, /expected a condition after 'AND'/],
      ["params.a = 'x' OR )", 19, /expected a condition after 'OR'/],
      ["params.a = 'unterminated", 12, /unterminated string/],
      ["params.a IN ()", 14, /is empty/],
      ["params.a IN ('x',)", 18, /expected a value after ','/],
      ["params.a IN ('x' 'y')", 18, /expected ',' or '\)'/],
      ["params.a IN 'x'", 13, /expected '\('/],
      ['params.a == 1', 10, /single '='/],
      ["params.a ~ 'x'", 10, /unexpected character "~"/],
      ["params.a 'x'", 10, /expected an operator/],
      ['metrics.m = 1abc', 13, /invalid number/],
      ['metrics.m = 1e999', 13, /out of range/],
      ["params.'a' = 'x'", 8, /not single quotes/],
      ["datasets.size = 'x'", 10, /unknown dataset field/],
      ['datasets.name IS NULL', 15, /does not apply to dataset/],
      ['params.a IS 1', 13, /expected NULL/],
      ["() OR params.a = 'x'", 2, /expected a condition inside/],
      ["params.a = `x`", 12, /backticks quote keys/],
    ];
    for (const [text, column, re] of cases) {
      const err = errorOf(() => parseFilter(text));
      expect(err.message, text).toMatch(re);
      expect(err.message, text).toContain(`at column ${column}:`);
      expect(err.message, text).toContain(JSON.stringify(text));
      expect(err.details.column, text).toBe(column);
    }
  });

  it('rejects deep nesting and non-string input', () => {
    const deep = '('.repeat(150) + 'metrics.a = 1' + ')'.repeat(150);
    expect(errorOf(() => parseFilter(deep)).message).toMatch(/nesting deeper than 100/);
    expect(parseFilter('('.repeat(50) + 'metrics.a = 1' + ')'.repeat(50))).toEqual(cmp('metric', 'a', '=', 1));
    errorOf(() => parseFilter(42 as unknown as string));
  });
});

describe('parseOrderBy', () => {
  it('parses keys with directions', () => {
    expect(parseOrderBy(['metrics.rmse DESC', 'params.model'])).toEqual([
      { entity: 'metric', key: 'rmse', direction: 'DESC' },
      { entity: 'param', key: 'model', direction: 'ASC' },
    ]);
    expect(parseOrderBy(['attributes.start_time asc', 'tags.`a b` desc', 'run_name', 'metric.`val loss`'])).toEqual([
      { entity: 'attribute', key: 'start_time', direction: 'ASC' },
      { entity: 'tag', key: 'a b', direction: 'DESC' },
      { entity: 'attribute', key: 'run_name', direction: 'ASC' },
      { entity: 'metric', key: 'val loss', direction: 'ASC' },
    ]);
    expect(parseOrderBy(undefined)).toEqual([]);
    expect(parseOrderBy([])).toEqual([]);
  });

  it('reports bad entries with the column', () => {
    expect(errorOf(() => parseOrderBy(['metrics.rmse UP'])).message).toMatch(/"metrics.rmse UP" at column 14: expected ASC, DESC or the end/);
    expect(errorOf(() => parseOrderBy(['metrics.rmse DESC x'])).message).toMatch(/column 19/);
    expect(errorOf(() => parseOrderBy([''])).message).toMatch(/column 1: expected a key/);
    expect(errorOf(() => parseOrderBy(['datasets.name'])).message).toMatch(/dataset/);
    errorOf(() => parseOrderBy([3 as unknown as string]));
    errorOf(() => parseOrderBy('metrics.a' as unknown as string[]));
  });
});
