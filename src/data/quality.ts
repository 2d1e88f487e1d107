import { CategoryColumn, MlshipError, NumericColumn, type Column, type ColumnKind, type Table } from '../core/index.js';

/**
 * Options of {@link qualityReport}: the target and the thresholds of each flag.
 *
 * @example
 * ```ts
 * qualityReport(table, { target: 'label', missingThreshold: 0.1, minorityThreshold: 0.05 });
 * ```
 */
export interface QualityReportOptions {
  /**
   * The target column: its missing values fail the report, and when it is categorical its class
   * balance is reported.
   * @default undefined
   */
  target?: string;
  /**
   * A column whose missing rate is above this fails the report.
   * @default 0.3
   */
  missingThreshold?: number;
  /**
   * Duplicate rows above this rate fail the report (any duplicates are a warning).
   * @default 0.05
   */
  duplicateThreshold?: number;
  /**
   * A categorical target whose smallest class is below this share fails the report.
   * @default 0.1
   */
  minorityThreshold?: number;
  /**
   * A numeric column with more IQR outliers than this rate gets a warning.
   * @default 0.05
   */
  outlierThreshold?: number;
  /**
   * The IQR multiplier of the outlier fences (`q1 - k*IQR`, `q3 + k*IQR`).
   * @default 1.5
   */
  iqrMultiplier?: number;
  /**
   * An integer target with at most this many distinct values counts as categorical.
   * @default 20
   */
  maxClasses?: number;
  /**
   * Whether a constant column (one distinct value) fails the report (else: a warning).
   * @default true
   */
  failOnConstant?: boolean;
}

/**
 * The numeric summary of a numeric column (missing values left out); quantiles as numpy's linear
 * interpolation, `std` with n - 1 degrees of freedom (as pandas' describe()).
 *
 * @example
 * ```ts
 * const s = qualityReport(table).columnReports[0]!.summary; // { min, max, mean, std, q1, median, q3 }
 * ```
 */
export interface NumericSummary {
  min: number;
  max: number;
  mean: number;
  std: number;
  q1: number;
  median: number;
  q3: number;
}

/**
 * What the report says about one column.
 *
 * @example
 * ```ts
 * const gappy = qualityReport(table).columnReports.filter((c) => c.highMissing).map((c) => c.name);
 * ```
 */
export interface ColumnQuality {
  name: string;
  kind: ColumnKind;
  missing: number;
  missingRate: number;
  /** Missing rate above the threshold. */
  highMissing: boolean;
  /** Distinct non-missing values. */
  distinct: number;
  /** At most one distinct value. */
  constant: boolean;
  /** For `number` and `integer` columns with values. */
  summary?: NumericSummary;
  /** IQR outliers of `number` and `integer` columns (never flagged for columns with two or fewer distinct values). */
  outliers?: { count: number; rate: number; lower: number; upper: number; flagged: boolean };
  /** The most frequent values of non-numeric columns (up to 5). */
  top?: { value: string; count: number }[];
}

/**
 * The class balance of a categorical target.
 *
 * @example
 * ```ts
 * const balance = qualityReport(table, { target: 'label' }).classBalance;
 * if (balance?.imbalanced) console.warn(`rare class: ${balance.minority.value}`);
 * ```
 */
export interface ClassBalance {
  column: string;
  classes: { value: string; count: number; rate: number }[];
  minority: { value: string; count: number; rate: number };
  /** The smallest class is below the minority threshold. */
  imbalanced: boolean;
}

/**
 * The data-quality report: per-column facts and flags, duplicate rows, class balance, and a
 * pass/fail verdict with the reasons (and non-failing warnings). JSON-serialisable.
 *
 * @example
 * ```ts
 * const report: QualityReport = qualityReport(table, { target: 'label' });
 * if (report.verdict === 'fail') throw new Error(report.reasons.join('; '));
 * ```
 */
export interface QualityReport {
  rows: number;
  columns: number;
  target: string | null;
  thresholds: Required<Omit<QualityReportOptions, 'target'>>;
  columnReports: ColumnQuality[];
  duplicates: { count: number; rate: number; examples: number[]; flagged: boolean };
  classBalance: ClassBalance | null;
  verdict: 'pass' | 'fail';
  reasons: string[];
  warnings: string[];
}

/** Linear-interpolation quantile of sorted values (numpy's default). */
function quantile(sorted: Float64Array, q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

function numericFacts(c: NumericColumn, k: number, outlierThreshold: number): Pick<ColumnQuality, 'summary' | 'outliers'> {
  const vals: number[] = [];
  for (let i = 0; i < c.length; i++) if (!c.isNull(i)) vals.push(c.values[i]!);
  if (vals.length === 0) return {};
  const sorted = Float64Array.from(vals).sort();
  let sum = 0;
  for (const v of sorted) sum += v;
  const mean = sum / sorted.length;
  let ss = 0;
  for (const v of sorted) ss += (v - mean) * (v - mean);
  const std = sorted.length > 1 ? Math.sqrt(ss / (sorted.length - 1)) : 0;
  const q1 = quantile(sorted, 0.25);
  const q3 = quantile(sorted, 0.75);
  const iqr = q3 - q1;
  const lower = q1 - k * iqr;
  const upper = q3 + k * iqr;
  let count = 0;
  for (const v of sorted) if (v < lower || v > upper) count++;
  const rate = count / sorted.length;
  return {
    summary: { min: sorted[0]!, max: sorted[sorted.length - 1]!, mean, std, q1, median: quantile(sorted, 0.5), q3 },
    // A binary indicator (0/1) has no meaningful IQR outliers: never flag it.
    outliers: { count, rate, lower, upper, flagged: rate > outlierThreshold && distinctCount(c) > 2 },
  };
}

function valueCounts(c: Column): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i < c.length; i++) {
    if (c.isNull(i)) continue;
    const v = c.kind === 'date' ? isoOf(c.get(i) as number) : String(c.get(i));
    counts.set(v, (counts.get(v) ?? 0) + 1);
  }
  return counts;
}

function isoOf(ms: number): string {
  const iso = new Date(ms).toISOString();
  return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso;
}

function distinctCount(c: Column): number {
  if (c instanceof NumericColumn) {
    const s = new Set<number>();
    for (let i = 0; i < c.length; i++) if (!c.isNull(i)) s.add(c.values[i]!);
    return s.size;
  }
  if (c instanceof CategoryColumn) {
    const s = new Set<number>();
    for (let i = 0; i < c.length; i++) if (c.codes[i]! >= 0) s.add(c.codes[i]!);
    return s.size;
  }
  return valueCounts(c).size;
}

/** Duplicate rows: rows equal (in every column) to an earlier row. */
function duplicateRows(table: Table): number[] {
  const seen = new Set<string>();
  const dups: number[] = [];
  const cols = table.columns;
  for (let i = 0; i < table.numRows; i++) {
    let key = '';
    for (const c of cols) {
      if (c.isNull(i)) key += '\u0000N';
      else if (c instanceof NumericColumn) key += `\u0000${c.values[i]!}`;
      else if (c instanceof CategoryColumn) key += `\u0000${c.codes[i]!}`;
      else key += `\u0000${c.values[i]!.length}:${c.values[i]!}`;
    }
    if (seen.has(key)) dups.push(i);
    else seen.add(key);
  }
  return dups;
}

function pct(x: number): string {
  return `${(100 * x).toFixed(1)}%`;
}

function checkRate(name: string, v: number | undefined, fallback: number): number {
  const x = v ?? fallback;
  if (typeof x !== 'number' || !(x >= 0 && x <= 1)) {
    throw new MlshipError('INVALID_ARGUMENT', `${name} must be a rate between 0 and 1, got ${String(v)}`, { field: name, value: v });
  }
  return x;
}

/**
 * A data-quality report of a table: per column its kind, missing rate (flagged above
 * `missingThreshold`), distinct count, constant flag, numeric summary and IQR outliers (the
 * 1.5 × IQR rule: count and rate); duplicate rows; the class balance of a categorical target
 * (flagging a smallest class under `minorityThreshold`); and a verdict. The report **fails** when a
 * column's missing rate is above the threshold, the target has missing values, a column is
 * constant (unless `failOnConstant: false`), duplicate rows exceed `duplicateThreshold`, or the
 * target's smallest class is under `minorityThreshold`; `reasons` says which. Outlier-heavy
 * columns, a few duplicates and some missing values are `warnings`.
 *
 * @example
 * ```ts
 * import { formatQualityReport, loadTableDataset, qualityReport } from 'mlship/data';
 * const report = qualityReport(await loadTableDataset('boston-housing'), { target: 'medv' });
 * console.log(report.verdict); // 'pass'
 * console.log(formatQualityReport(report));
 * ```
 */
export function qualityReport(table: Table, options: QualityReportOptions = {}): QualityReport {
  const thresholds = {
    missingThreshold: checkRate('missingThreshold', options.missingThreshold, 0.3),
    duplicateThreshold: checkRate('duplicateThreshold', options.duplicateThreshold, 0.05),
    minorityThreshold: checkRate('minorityThreshold', options.minorityThreshold, 0.1),
    outlierThreshold: checkRate('outlierThreshold', options.outlierThreshold, 0.05),
    iqrMultiplier: options.iqrMultiplier ?? 1.5,
    maxClasses: options.maxClasses ?? 20,
    failOnConstant: options.failOnConstant ?? true,
  };
  if (!(thresholds.iqrMultiplier > 0)) {
    throw new MlshipError('INVALID_ARGUMENT', `iqrMultiplier must be a positive number, got ${String(options.iqrMultiplier)}`, { field: 'iqrMultiplier' });
  }
  const target = options.target;
  if (target !== undefined) table.column(target);
  const n = table.numRows;
  const reasons: string[] = [];
  const warnings: string[] = [];
  if (n === 0) reasons.push('the table has no rows');
  const columnReports: ColumnQuality[] = table.columns.map((c) => {
    const missing = c.nullCount;
    const missingRate = n === 0 ? 0 : missing / n;
    const distinct = distinctCount(c);
    const q: ColumnQuality = { name: c.name, kind: c.kind, missing, missingRate, highMissing: missingRate > thresholds.missingThreshold, distinct, constant: n > 0 && distinct <= 1 };
    if (c instanceof NumericColumn && (c.kind === 'number' || c.kind === 'integer')) Object.assign(q, numericFacts(c, thresholds.iqrMultiplier, thresholds.outlierThreshold));
    else {
      const counts = [...valueCounts(c)].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
      q.top = counts.slice(0, 5).map(([value, count]) => ({ value, count }));
    }
    if (q.highMissing) reasons.push(`column '${c.name}' is ${pct(missingRate)} missing (above ${pct(thresholds.missingThreshold)})`);
    else if (missing > 0 && c.name !== target) warnings.push(`column '${c.name}' has ${missing} missing value${missing === 1 ? '' : 's'} (${pct(missingRate)})`);
    if (c.name === target && missing > 0) reasons.push(`target '${c.name}' has ${missing} missing value${missing === 1 ? '' : 's'}`);
    if (q.constant) (thresholds.failOnConstant ? reasons : warnings).push(`column '${c.name}' is constant (${distinct === 0 ? 'no values' : 'one distinct value'})`);
    if (q.outliers?.flagged) warnings.push(`column '${c.name}' has ${q.outliers.count} IQR outliers (${pct(q.outliers.rate)}, outside [${fmt(q.outliers.lower)}, ${fmt(q.outliers.upper)}])`);
    return q;
  });
  const dupRows = duplicateRows(table);
  const dupRate = n === 0 ? 0 : dupRows.length / n;
  const duplicates = { count: dupRows.length, rate: dupRate, examples: dupRows.slice(0, 5), flagged: dupRate > thresholds.duplicateThreshold };
  if (duplicates.flagged) reasons.push(`${dupRows.length} duplicate row${dupRows.length === 1 ? '' : 's'} (${pct(dupRate)}, above ${pct(thresholds.duplicateThreshold)})`);
  else if (dupRows.length > 0) warnings.push(`${dupRows.length} duplicate row${dupRows.length === 1 ? '' : 's'} (${pct(dupRate)}; first at row ${dupRows[0]})`);
  let classBalance: ClassBalance | null = null;
  if (target !== undefined) {
    const c = table.column(target);
    const categorical = c.kind === 'category' || c.kind === 'string' || c.kind === 'boolean' || (c.kind === 'integer' && distinctCount(c) <= thresholds.maxClasses);
    const counts = valueCounts(c);
    const known = n - c.nullCount;
    if (categorical && known > 0) {
      const classes = [...counts].map(([value, count]) => ({ value, count, rate: count / known })).sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : 1));
      const minority = classes[classes.length - 1]!;
      classBalance = { column: target, classes, minority, imbalanced: minority.rate < thresholds.minorityThreshold };
      if (classes.length < 2) reasons.push(`target '${target}' has a single class ('${minority.value}')`);
      else if (classBalance.imbalanced) reasons.push(`target '${target}': class '${minority.value}' is ${pct(minority.rate)} of rows (below ${pct(thresholds.minorityThreshold)})`);
    }
  }
  return {
    rows: n,
    columns: table.columns.length,
    target: target ?? null,
    thresholds,
    columnReports,
    duplicates,
    classBalance,
    verdict: reasons.length === 0 ? 'pass' : 'fail',
    reasons,
    warnings,
  };
}

function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (Number.isInteger(x)) return String(x);
  const a = Math.abs(x);
  return a !== 0 && (a < 1e-3 || a >= 1e7) ? x.toExponential(3) : x.toFixed(a < 10 ? 4 : a < 1000 ? 3 : 2).replace(/\.?0+$/, '');
}

/** Aligned text table: first row is the header; numeric-looking columns are right-aligned. */
function textTable(rows: string[][], indent = '  '): string {
  const widths = rows[0]!.map((_, j) => Math.max(...rows.map((r) => [...(r[j] ?? '')].length)));
  const right = rows[0]!.map((_, j) => j > 0 && rows.slice(1).every((r) => /^-?[\d.,e+%-]*$|^-$/.test(r[j] ?? '')));
  const line = (r: string[]): string =>
    indent +
    r
      .map((c, j) => {
        const fill = ' '.repeat(widths[j]! - [...c].length);
        return right[j] ? fill + c : c + fill;
      })
      .join('  ')
      .trimEnd();
  return [line(rows[0]!), indent + widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n') + '\n';
}

/**
 * Formats a quality report as aligned text: the verdict first, then reasons and warnings, a table of
 * columns (kind, missing, distinct, flags, numeric summary, outliers), duplicates and class
 * balance.
 *
 * @example
 * ```ts
 * import { formatQualityReport, qualityReport } from 'mlship/data';
 * process.stdout.write(formatQualityReport(qualityReport(table, { target: 'label' })));
 * ```
 */
export function formatQualityReport(report: QualityReport): string {
  let out = `data quality: ${report.verdict.toUpperCase()} (${report.rows} rows, ${report.columns} columns${report.target ? `, target '${report.target}'` : ''})\n`;
  if (report.reasons.length) out += `\nfails because:\n${report.reasons.map((r) => `  - ${r}`).join('\n')}\n`;
  if (report.warnings.length) out += `\nwarnings:\n${report.warnings.map((r) => `  - ${r}`).join('\n')}\n`;
  const rows: string[][] = [['column', 'kind', 'missing', 'distinct', 'min', 'median', 'max', 'mean', 'std', 'outliers', 'flags']];
  for (const c of report.columnReports) {
    const s = c.summary;
    const flags = [c.highMissing ? 'HIGH-MISSING' : '', c.constant ? 'CONSTANT' : '', c.outliers?.flagged ? 'OUTLIERS' : '', c.name === report.target ? 'target' : ''].filter(Boolean).join(',');
    rows.push([
      c.name,
      c.kind,
      c.missing === 0 ? '0' : `${c.missing} (${pct(c.missingRate)})`,
      String(c.distinct),
      s ? fmt(s.min) : '-',
      s ? fmt(s.median) : '-',
      s ? fmt(s.max) : '-',
      s ? fmt(s.mean) : '-',
      s ? fmt(s.std) : '-',
      c.outliers ? `${c.outliers.count} (${pct(c.outliers.rate)})` : '-',
      flags || '-',
    ]);
  }
  out += `\ncolumns:\n${textTable(rows)}`;
  const tops = report.columnReports.filter((c) => c.top && c.top.length > 0);
  if (tops.length) {
    out += `\nmost frequent values:\n`;
    for (const c of tops) out += `  ${c.name}: ${c.top!.map((t) => `${t.value} (${t.count})`).join(', ')}\n`;
  }
  const d = report.duplicates;
  out += `\nduplicate rows: ${d.count} (${pct(d.rate)})${d.count > 0 ? `, first at rows ${d.examples.join(', ')}` : ''}\n`;
  if (report.classBalance) {
    const b = report.classBalance;
    out += `\nclass balance of '${b.column}':\n${textTable([['class', 'count', 'share'], ...b.classes.map((k) => [k.value, String(k.count), pct(k.rate)])])}`;
  }
  return out;
}
