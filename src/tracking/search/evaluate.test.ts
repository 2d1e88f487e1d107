import { describe, expect, it } from 'vitest';
import type { Run } from '../entities.js';
import { compareRuns, matchesFilter, runView } from './evaluate.js';
import { parseFilter, parseOrderBy } from './parser.js';

function makeRun(id: string, startTime: number, rmse: number | undefined, model: string | undefined): Run {
  return {
    info: {
      runId: id,
      experimentId: '0',
      runName: `run-${id}`,
      status: 'FINISHED',
      startTime,
      endTime: null,
      lifecycleStage: 'active',
      parentRunId: null,
      artifactUri: `file:///tmp/${id}`,
      userId: null,
      sourceCommit: null,
      sourceDirty: null,
    },
    data: {
      metrics: rmse === undefined ? {} : { rmse: { key: 'rmse', value: rmse, step: 0, timestamp: 0 } },
      params: model === undefined ? {} : { model },
      tags: {},
    },
    inputs: [{ name: 'train', digest: 'abc', context: 'training' }],
  };
}

describe('matchesFilter / runView', () => {
  const runs = [makeRun('a', 1, 2.5, 'rf'), makeRun('b', 2, NaN, 'lr'), makeRun('c', 2, undefined, undefined)].map(runView);

  it('evaluates filters on runs from the store entities', () => {
    const ids = (text: string) => runs.filter((r) => matchesFilter(parseFilter(text), r)).map((r) => r.attributes.run_id);
    expect(ids('')).toEqual(['a', 'b', 'c']);
    expect(ids("metrics.rmse < 3 AND params.model = 'rf'")).toEqual(['a']);
    expect(ids('metrics.rmse != 1')).toEqual(['a']);
    expect(ids('NOT metrics.rmse != 1')).toEqual(['b', 'c']);
    expect(ids('metrics.rmse IS NOT NULL')).toEqual(['a', 'b']);
    expect(ids("params.model NOT IN ('rf')")).toEqual(['b']);
    expect(ids("attributes.user_id IS NULL AND run_name LIKE 'run-_'")).toEqual(['a', 'b', 'c']);
    expect(ids("datasets.context = 'training' AND datasets.digest = 'abc'")).toEqual(['a', 'b', 'c']);
  });

  it('sorts numbers first, then NaN, then missing, with ties by start_time DESC and run_id', () => {
    const order = (keys: string[]) => [...runs].sort(compareRuns(parseOrderBy(keys))).map((r) => r.attributes.run_id);
    expect(order(['metrics.rmse DESC'])).toEqual(['a', 'b', 'c']);
    expect(order(['metrics.rmse ASC'])).toEqual(['a', 'b', 'c']);
    expect(order([])).toEqual(['b', 'c', 'a']);
    expect(order(['params.model DESC'])).toEqual(['a', 'b', 'c']);
  });

  it('does not read inherited properties as keys', () => {
    expect(matchesFilter(parseFilter("params.constructor IS NULL AND tags.`__proto__` IS NULL"), runs[0]!)).toBe(true);
  });
});
