import { describe, expect, it } from 'vitest';
import { CategoryColumn, MlshipError, NumericColumn, StringColumn, Table } from '../core/index.js';
import { recordsToTable, tableSignature, validateSignature } from './index.js';

const X = new Table([
  NumericColumn.from('rooms', [3.5, null, 2]),
  NumericColumn.from('floor', [1, 2, 3]),
  NumericColumn.from('garden', [true, false, true]),
  NumericColumn.from('built', [new Date('2001-05-01'), new Date('1999-01-31'), new Date('2020-12-24')]),
  CategoryColumn.from('ocean', ['INLAND', 'NEAR BAY', 'INLAND']),
  StringColumn.from('note', ['a', 'b', 'c']),
]);

describe('tableSignature', () => {
  it('maps column kinds to field types, categories to allowed values, missing to optional', () => {
    const sig = validateSignature(tableSignature(X, { task: 'regression' }));
    expect(sig.inputs).toEqual([
      { name: 'rooms', type: 'number', optional: true },
      { name: 'floor', type: 'integer' },
      { name: 'garden', type: 'boolean' },
      { name: 'built', type: 'string', description: 'an ISO-8601 date or timestamp' },
      { name: 'ocean', type: 'string', values: ['INLAND', 'NEAR BAY'] },
      { name: 'note', type: 'string' },
    ]);
    expect(sig.outputs).toEqual([{ name: 'prediction', type: 'number', description: 'the predicted value' }]);
  });

  it('gives a classifier a label restricted to its classes and a probability vector', () => {
    const sig = tableSignature(X, { task: 'classification', classes: ['cheap', 'dear'] });
    expect(sig.outputs.map((o) => [o.name, o.values ?? o.shape])).toEqual([
      ['label', ['cheap', 'dear']],
      ['probabilities', [2]],
    ]);
  });
});

describe('recordsToTable', () => {
  const sig = tableSignature(X, { task: 'regression' });

  it('rebuilds the training kinds from request records, categories in training order', () => {
    const t = recordsToTable(sig, [
      { rooms: 4, floor: 2, garden: false, built: '2010-03-04', ocean: 'NEAR BAY', note: 'x' },
      { floor: 7, garden: true, built: '2011-01-01T10:00:00Z', ocean: 'INLAND', note: 'y' },
    ]);
    expect(t.columns.map((c) => c.kind)).toEqual(['number', 'integer', 'boolean', 'date', 'category', 'string']);
    expect(t.get(1, 'rooms')).toBeNull();
    expect(t.get(0, 'built')).toBe(Date.parse('2010-03-04'));
    const ocean = t.column('ocean') as CategoryColumn;
    expect(ocean.categories).toEqual(['INLAND', 'NEAR BAY']);
    expect(Array.from(ocean.codes)).toEqual([1, 0]);
  });

  it('rejects a record with a wrong type, an unknown category or a missing required field, naming the row and field', () => {
    const bad = (r: unknown): MlshipError => {
      try {
        recordsToTable(sig, [{ rooms: 1, floor: 1, garden: true, built: '2000-01-01', ocean: 'INLAND', note: '' }, r]);
      } catch (e) {
        return e as MlshipError;
      }
      throw new Error('no error');
    };
    expect(bad({ rooms: 1, floor: 1.5, garden: true, built: '2000-01-01', ocean: 'INLAND', note: '' }).message).toMatch(/input\[1\]\.floor must be an integer/);
    expect(bad({ rooms: 1, floor: 1, garden: true, built: '2000-01-01', ocean: 'ISLAND', note: '' }).message).toMatch(/input\[1\]\.ocean is "ISLAND"; allowed values: INLAND, NEAR BAY/);
    expect(bad({ rooms: 1, garden: true, built: '2000-01-01', ocean: 'INLAND', note: '' }).code).toBe('SCHEMA_MISMATCH');
    expect(bad({ rooms: 1, floor: 1, garden: true, built: 'last tuesday', ocean: 'INLAND', note: '' }).message).toMatch(/'built'.*not a valid date/);
  });
});
