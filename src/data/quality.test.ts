import { describe, expect, it } from 'vitest';
import { loadFixture } from '../../test/support/sklearn-fixtures.js';
import { useTempDir } from '../../test/support/temp-files.js';
import { CategoryColumn, NumericColumn, StringColumn, Table } from '../core/index.js';
import { formatQualityReport, loadCaliforniaHousing, loadTableDataset, qualityReport, type ColumnQuality, type QualityReport } from './index.js';

const tmp = useTempDir('quality');

interface PandasColumn {
  missing: number;
  distinct: number;
  min?: number;
  max?: number;
  mean?: number;
  std?: number;
  q1?: number;
  median?: number;
  q3?: number;
  outliers?: number;
  lower?: number;
  upper?: number;
}
const fixture = loadFixture('data-tabular.json') as {
  boston: { rows: number; duplicates: number; columns: Record<string, PandasColumn> };
  california: { rows: number; duplicates: number; csv: string; columns: Record<string, PandasColumn> };
};

/** Compares a report with pandas' describe(), nunique(), isna() and the 1.5 x IQR outlier count. */
function expectPandas(report: QualityReport, ref: { rows: number; duplicates: number; columns: Record<string, PandasColumn> }): void {
  expect(report.rows).toBe(ref.rows);
  expect(report.duplicates.count).toBe(ref.duplicates);
  for (const [name, p] of Object.entries(ref.columns)) {
    const c = report.columnReports.find((r) => r.name === name)!;
    expect([name, c.missing, c.distinct]).toEqual([name, p.missing, p.distinct]);
    if (p.mean === undefined) continue;
    const s = c.summary!;
    for (const k of ['min', 'max', 'q1', 'median', 'q3'] as const) expect([name, k, s[k]]).toEqual([name, k, p[k]]);
    expect(Math.abs(s.mean - p.mean)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(p.mean)));
    expect(Math.abs(s.std - p.std!)).toBeLessThanOrEqual(1e-12 * Math.max(1, p.std!));
    expect([name, c.outliers!.count]).toEqual([name, p.outliers]);
    expect(c.outliers!.lower).toBeCloseTo(p.lower!, 12);
    expect(c.outliers!.upper).toBeCloseTo(p.upper!, 12);
  }
}

describe('qualityReport', () => {
  it('boston-housing: the same summary, distinct counts and IQR outliers as pandas/numpy; passes with outlier warnings', async () => {
    const report = qualityReport(await loadTableDataset('boston-housing'), { target: 'medv' });
    expectPandas(report, fixture.boston);
    expect(report.verdict).toBe('pass');
    expect(report.reasons).toEqual([]);
    expect(report.classBalance).toBeNull();
    expect(report.warnings).toContain("column 'crim' has 66 IQR outliers (13.0%, outside [-5.3105, 9.0696])");
    // chas is a 0/1 indicator: its IQR "outliers" are counted but never flagged.
    const chas = report.columnReports.find((c) => c.name === 'chas')!;
    expect(chas.outliers).toMatchObject({ count: 35, flagged: false });
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
  });

  it('California layout: missing total_bedrooms, duplicates and category counts as pandas', async () => {
    const t = await loadCaliforniaHousing(await tmp.file('cal.csv', fixture.california.csv));
    const report = qualityReport(t, { target: 'ocean_proximity' });
    expectPandas(report, fixture.california);
    expect(report.duplicates).toMatchObject({ count: 3, examples: [50, 51, 52], flagged: false });
    expect(report.warnings).toContain("column 'total_bedrooms' has 15 missing values (5.0%)");
    expect(report.warnings).toContain('3 duplicate rows (1.0%; first at row 50)');
    // ISLAND is 4 of 300 rows: the minority class fails the report.
    expect(report.classBalance!.minority).toEqual({ value: 'ISLAND', count: 4, rate: 4 / 300 });
    expect(report.verdict).toBe('fail');
    expect(report.reasons).toEqual(["target 'ocean_proximity': class 'ISLAND' is 1.3% of rows (below 10.0%)"]);
    expect(qualityReport(t, { target: 'ocean_proximity', minorityThreshold: 0.01 }).verdict).toBe('pass');
  });

  it('flags missing above the threshold, constant columns, target gaps, duplicates above the threshold', () => {
    const t = new Table([
      NumericColumn.from('x', [1, null, null, 4, 1]),
      StringColumn.from('k', ['a', 'a', 'a', 'a', 'a']),
      CategoryColumn.from('y', ['p', 'q', null, 'p', 'p']),
      NumericColumn.from('z', [null, null, null, null, null]),
    ]);
    const r = qualityReport(t, { target: 'y' });
    const col = (name: string): ColumnQuality => r.columnReports.find((c) => c.name === name)!;
    expect(col('x')).toMatchObject({ missing: 2, missingRate: 0.4, highMissing: true, distinct: 2, constant: false });
    expect(col('k')).toMatchObject({ constant: true, top: [{ value: 'a', count: 5 }] });
    expect(col('z')).toMatchObject({ missing: 5, constant: true, distinct: 0 });
    expect(col('z').summary).toBeUndefined();
    expect(r.verdict).toBe('fail');
    expect(r.reasons).toEqual([
      "column 'x' is 40.0% missing (above 30.0%)",
      "column 'k' is constant (one distinct value)",
      "target 'y' has 1 missing value",
      "column 'z' is 100.0% missing (above 30.0%)",
      "column 'z' is constant (no values)",
      '1 duplicate row (20.0%, above 5.0%)',
    ]);
    expect(r.classBalance).toMatchObject({ column: 'y', classes: [{ value: 'p', count: 3, rate: 0.75 }, { value: 'q', count: 1, rate: 0.25 }], imbalanced: false });
    const lax = qualityReport(t.drop(['z']), { missingThreshold: 0.5, failOnConstant: false, duplicateThreshold: 0.2 });
    expect(lax.verdict).toBe('pass');
    expect(lax.warnings).toContain("column 'k' is constant (one distinct value)");
    const dup = new Table([NumericColumn.from('a', [1, 1, 1, 2]), StringColumn.from('b', ['x', 'x', 'x', 'y'])]);
    const d = qualityReport(dup);
    expect(d.duplicates).toEqual({ count: 2, rate: 0.5, examples: [1, 2], flagged: true });
    expect(d.reasons).toEqual(['2 duplicate rows (50.0%, above 5.0%)']);
    expect(() => qualityReport(t, { missingThreshold: 2 })).toThrow(/missingThreshold must be a rate between 0 and 1/);
    expect(qualityReport(new Table([])).verdict).toBe('fail');
  });

  it('IQR outliers follow the 1.5 x IQR rule with numpy quantiles on a hand-checked column', () => {
    // sorted: 1..9 and 100; q1 = 3.25, q3 = 7.75, IQR 4.5 → fences [-3.5, 14.5]: one outlier.
    const t = new Table([NumericColumn.from('v', [5, 1, 9, 100, 3, 7, 2, 8, 4, 6])]);
    const c = qualityReport(t).columnReports[0]!;
    expect(c.summary).toMatchObject({ min: 1, max: 100, q1: 3.25, median: 5.5, q3: 7.75, mean: 14.5 });
    expect(c.outliers).toEqual({ count: 1, rate: 0.1, lower: -3.5, upper: 14.5, flagged: true });
    expect(qualityReport(t, { iqrMultiplier: 30 }).columnReports[0]!.outliers!.count).toBe(0);
  });
});

describe('formatQualityReport', () => {
  it('prints the verdict, reasons, warnings and an aligned column table', async () => {
    const text = formatQualityReport(qualityReport(await loadTableDataset('boston-housing'), { target: 'medv' }));
    const lines = text.split('\n');
    expect(lines[0]).toBe("data quality: PASS (506 rows, 14 columns, target 'medv')");
    expect(text).toContain('warnings:\n  - column');
    const header = lines.findIndex((l) => l.startsWith('  column '));
    expect(lines[header + 1]).toMatch(/^ {2}-+ {2}-+/);
    const crim = lines.find((l) => l.startsWith('  crim '))!;
    const medv = lines.find((l) => l.startsWith('  medv '))!;
    expect(crim.indexOf('number')).toBe(medv.indexOf('number'));
    expect(medv).toContain('target');
    expect(text).toContain('duplicate rows: 0 (0.0%)');
    const cls = formatQualityReport(qualityReport(new Table([CategoryColumn.from('y', ['a', 'a', 'b'])]), { target: 'y' }));
    expect(cls).toContain("class balance of 'y':");
    expect(cls).toMatch(/a +2 +66\.7%/);
  });
});
