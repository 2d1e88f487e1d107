import type { ColumnDriftResult } from '../drift.js';
import type { ColumnDistribution, MonitorResult, MonitorSeriesPoint } from '../window.js';

/**
 * Options of {@link renderReportHtml}.
 *
 * @example
 * ```ts
 * renderReportHtml(result, { title: 'spam, last 24 hours', maxOverlays: 50 });
 * ```
 */
export interface ReportHtmlOptions {
  /** The report's title. @default `Monitoring report: <model>` */
  title?: string;
  /** When the report was generated, ms since the epoch (shown in the header). @default Date.now() */
  generatedAt?: number;
  /** Most columns drawn as distribution overlays (drifted columns first); the drift table always lists every column. @default 200 */
  maxOverlays?: number;
}

/**
 * Escapes text for HTML element content and attribute values (`& < > " '`).
 *
 * @example
 * ```ts
 * escapeHtml('<script>alert("x")</script>'); // '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;'
 * ```
 */
export function escapeHtml(text: unknown): string {
  return String(text).replace(/[&<>"']/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&#39;'));
}

/**
 * A number for a table cell: 4 significant digits, small values in exponent form, NaN spelled out.
 *
 * @example
 * ```ts
 * formatStat(0.123456); // '0.1235'
 * formatStat(1.2e-9);   // '1.200e-9'
 * ```
 */
export function formatStat(x: number | null | undefined): string {
  if (x === null || x === undefined) return '';
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '−∞';
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a < 1e-4 || a >= 1e7) return x.toExponential(3);
  return Number(x.toPrecision(4)).toString();
}

function iso(ms: number): string {
  return Number.isFinite(ms) ? new Date(ms).toISOString().replace('T', ' ').slice(0, 19) + ' UTC' : String(ms);
}

function pct(x: number): string {
  return `${(100 * x).toFixed(1)}%`;
}

const CSS = `
*{box-sizing:border-box}body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2933;background:#f5f7fa;margin:0;padding:24px}
main{max-width:1100px;margin:0 auto}h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 10px;border-bottom:1px solid #d9e2ec;padding-bottom:4px}
.sub{color:#52606d;margin:0 0 16px}.cards{display:flex;flex-wrap:wrap;gap:12px}.card{background:#fff;border:1px solid #d9e2ec;border-radius:6px;padding:10px 14px;min-width:150px}
.card b{display:block;font-size:20px}.card span{color:#52606d;font-size:12px;text-transform:uppercase;letter-spacing:.04em}
.bad{color:#c81e1e}.ok{color:#1e7b34}table{border-collapse:collapse;background:#fff;border:1px solid #d9e2ec;width:100%}
th,td{padding:5px 9px;border-bottom:1px solid #e4e7eb;text-align:left;vertical-align:top}th{background:#f0f4f8;font-weight:600}td.n{text-align:right;font-variant-numeric:tabular-nums}
.pill{display:inline-block;border-radius:10px;padding:0 8px;font-size:12px;font-weight:600}.pill.bad{background:#fde8e8}.pill.ok{background:#def7ec}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(330px,1fr));gap:12px}figure{margin:0;background:#fff;border:1px solid #d9e2ec;border-radius:6px;padding:8px}
figcaption{font-weight:600;margin-bottom:4px;overflow-wrap:anywhere}svg{display:block}.legend{font-size:12px;color:#52606d}.sw{display:inline-block;width:10px;height:10px;margin:0 4px 0 10px}
ul.words{margin:4px 0;padding-left:18px}code{background:#f0f4f8;padding:0 3px;border-radius:3px}.notes li{color:#8d2b0b}footer{color:#7b8794;font-size:12px;margin-top:28px}
`;

const REF = '#7b8794';
const CUR = '#d64545';

function verdict(drift: boolean): string {
  return drift ? '<span class="pill bad">drift</span>' : '<span class="pill ok">no drift</span>';
}

function card(label: string, value: string, cls = ''): string {
  return `<div class="card"><span>${escapeHtml(label)}</span><b${cls ? ` class="${cls}"` : ''}>${value}</b></div>`;
}

/** The statistic of a drift result: `statistic` for tests, `distance` for distances. */
function statisticOf(r: ColumnDriftResult): number | undefined {
  return r.distance ?? r.statistic;
}

function driftRow(name: string, r: ColumnDriftResult): string {
  return `<tr><td>${escapeHtml(name)}</td><td>${escapeHtml(r.kind)}</td><td>${escapeHtml(r.method)}</td><td class="n">${formatStat(statisticOf(r))}</td><td class="n">${formatStat(r.pValue)}</td><td class="n">${formatStat(r.threshold)}</td><td class="n">${r.nReference}</td><td class="n">${r.nCurrent}</td><td>${verdict(r.drift)}</td></tr>`;
}

const W = 320;
const H = 150;
const PAD_L = 34;
const PAD_B = 30;
const PAD_T = 8;

/**
 * An SVG overlay of the reference (grey) and current (red) shares of one column: bars per bin
 * for a numeric column, grouped bars per category for a categorical one. Texts are escaped.
 *
 * @example
 * ```ts
 * distributionSvg({ kind: 'categorical', categories: ['ham', 'spam'], reference: [0.7, 0.3], current: [0.4, 0.6] }); // '<svg ...>...</svg>'
 * ```
 */
export function distributionSvg(d: ColumnDistribution): string {
  const cats = d.kind === 'categorical' ? [...(d.categories ?? [])] : [];
  const ref = [...d.reference];
  const cur = [...d.current];
  if (d.kind === 'categorical' && d.other && (d.other[0] > 0 || d.other[1] > 0)) {
    cats.push('(other)');
    ref.push(d.other[0]);
    cur.push(d.other[1]);
  }
  const k = Math.max(ref.length, cur.length);
  if (k === 0) return '<p class="legend">no data</p>';
  const max = Math.max(1e-12, ...ref.filter(Number.isFinite), ...cur.filter(Number.isFinite));
  const plotW = W - PAD_L - 6;
  const plotH = H - PAD_T - PAD_B;
  const step = plotW / k;
  const y = (v: number): number => PAD_T + plotH - (Number.isFinite(v) ? (v / max) * plotH : 0);
  let s = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img">`;
  s += `<line x1="${PAD_L}" y1="${PAD_T + plotH}" x2="${W - 6}" y2="${PAD_T + plotH}" stroke="#9aa5b1"/>`;
  s += `<text x="${PAD_L - 4}" y="${PAD_T + 8}" font-size="10" text-anchor="end" fill="#52606d">${escapeHtml(pct(max))}</text>`;
  s += `<text x="${PAD_L - 4}" y="${PAD_T + plotH}" font-size="10" text-anchor="end" fill="#52606d">0</text>`;
  for (let i = 0; i < k; i++) {
    const x0 = PAD_L + i * step;
    const r = ref[i] ?? 0;
    const c = cur[i] ?? 0;
    if (d.kind === 'numeric') {
      s += `<rect x="${(x0 + 0.5).toFixed(1)}" y="${y(r).toFixed(1)}" width="${Math.max(step - 1, 0.5).toFixed(1)}" height="${(PAD_T + plotH - y(r)).toFixed(1)}" fill="${REF}" fill-opacity="0.55"><title>reference ${escapeHtml(pct(r))}</title></rect>`;
      s += `<rect x="${(x0 + 0.5).toFixed(1)}" y="${y(c).toFixed(1)}" width="${Math.max(step - 1, 0.5).toFixed(1)}" height="${(PAD_T + plotH - y(c)).toFixed(1)}" fill="${CUR}" fill-opacity="0.45"><title>current ${escapeHtml(pct(c))}</title></rect>`;
    } else {
      const bw = Math.max((step - 2) / 2, 0.5);
      const name = cats[i] ?? '';
      s += `<rect x="${(x0 + 1).toFixed(1)}" y="${y(r).toFixed(1)}" width="${bw.toFixed(1)}" height="${(PAD_T + plotH - y(r)).toFixed(1)}" fill="${REF}"><title>${escapeHtml(name)}: reference ${escapeHtml(pct(r))}</title></rect>`;
      s += `<rect x="${(x0 + 1 + bw).toFixed(1)}" y="${y(c).toFixed(1)}" width="${bw.toFixed(1)}" height="${(PAD_T + plotH - y(c)).toFixed(1)}" fill="${CUR}"><title>${escapeHtml(name)}: current ${escapeHtml(pct(c))}</title></rect>`;
      if (k <= 12) {
        const short = [...name].length > 10 ? `${[...name].slice(0, 9).join('')}…` : name;
        s += `<text x="${(x0 + step / 2).toFixed(1)}" y="${H - PAD_B + 12}" font-size="9" text-anchor="middle" fill="#52606d">${escapeHtml(short)}</text>`;
      }
    }
  }
  if (d.kind === 'numeric' && d.edges && d.edges.length >= 2) {
    const lo = d.edges[0]!;
    const hi = d.edges[d.edges.length - 1]!;
    s += `<text x="${PAD_L}" y="${H - PAD_B + 13}" font-size="10" fill="#52606d">${escapeHtml(formatStat(lo))}</text>`;
    s += `<text x="${W - 6}" y="${H - PAD_B + 13}" font-size="10" text-anchor="end" fill="#52606d">${escapeHtml(formatStat(hi))}</text>`;
  }
  return `${s}</svg>`;
}

function overlay(name: string, d: ColumnDistribution, r: ColumnDriftResult | undefined): string {
  return `<figure><figcaption>${escapeHtml(name)} ${r ? verdict(r.drift) : ''}</figcaption>${distributionSvg(d)}</figure>`;
}

/**
 * A line chart of one metric per bucket (current, red) with the training value (dashed grey).
 *
 * @example
 * ```ts
 * seriesSvg(result.series, 'accuracy', result.quality?.reference.accuracy, result.bucketMs); // '<svg ...>...</svg>'
 * ```
 */
export function seriesSvg(series: readonly MonitorSeriesPoint[], metric: string, reference?: number, bucketMs?: number): string {
  const w = 520;
  const h = 170;
  const l = 44;
  const b = 26;
  const t = 10;
  const pts = series.filter((p) => Number.isFinite(p.metrics[metric]));
  const vals = pts.map((p) => p.metrics[metric]!);
  if (reference !== undefined && Number.isFinite(reference)) vals.push(reference);
  if (pts.length === 0) return `<p class="legend">no labelled items in any bucket for ${escapeHtml(metric)}</p>`;
  let lo = Math.min(...vals);
  let hi = Math.max(...vals);
  if (hi - lo < 1e-9) {
    lo -= 0.05 * Math.abs(lo || 1);
    hi += 0.05 * Math.abs(hi || 1);
  }
  const t0 = series[0]!.start;
  const t1 = series[series.length - 1]!.start + (bucketMs ?? 0);
  const span = Math.max(t1 - t0, 1);
  const half = (bucketMs ?? 0) / 2;
  const x = (ms: number): number => l + ((ms + half - t0) / span) * (w - l - 8);
  const y = (v: number): number => t + (h - t - b) * (1 - (v - lo) / (hi - lo));
  let s = `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" role="img">`;
  s += `<line x1="${l}" y1="${h - b}" x2="${w - 8}" y2="${h - b}" stroke="#9aa5b1"/><line x1="${l}" y1="${t}" x2="${l}" y2="${h - b}" stroke="#9aa5b1"/>`;
  s += `<text x="${l - 4}" y="${t + 8}" font-size="10" text-anchor="end" fill="#52606d">${escapeHtml(formatStat(hi))}</text>`;
  s += `<text x="${l - 4}" y="${h - b}" font-size="10" text-anchor="end" fill="#52606d">${escapeHtml(formatStat(lo))}</text>`;
  s += `<text x="${l}" y="${h - 8}" font-size="10" fill="#52606d">${escapeHtml(iso(t0))}</text><text x="${w - 8}" y="${h - 8}" font-size="10" text-anchor="end" fill="#52606d">${escapeHtml(iso(t1))}</text>`;
  if (reference !== undefined && Number.isFinite(reference)) {
    s += `<line x1="${l}" y1="${y(reference).toFixed(1)}" x2="${w - 8}" y2="${y(reference).toFixed(1)}" stroke="${REF}" stroke-dasharray="5 4"><title>at training: ${escapeHtml(formatStat(reference))}</title></line>`;
  }
  const path = pts.map((p, i) => `${i === 0 ? 'M' : 'L'}${x(p.start).toFixed(1)},${y(p.metrics[metric]!).toFixed(1)}`).join('');
  s += `<path d="${path}" fill="none" stroke="${CUR}" stroke-width="2"/>`;
  for (const p of pts) s += `<circle cx="${x(p.start).toFixed(1)}" cy="${y(p.metrics[metric]!).toFixed(1)}" r="3" fill="${CUR}"><title>${escapeHtml(iso(p.start))}: ${escapeHtml(formatStat(p.metrics[metric]))} (${p.labelled} labelled)</title></circle>`;
  return `${s}</svg>`;
}

/** Bars of rows per bucket with the share of drifted columns as a line, for "drift over time". */
function driftSeriesSvg(series: readonly MonitorSeriesPoint[], bucketMs: number): string {
  const w = 520;
  const h = 150;
  const l = 44;
  const b = 26;
  const t = 10;
  if (series.length === 0) return '';
  const maxRows = Math.max(1, ...series.map((p) => p.rows));
  const step = (w - l - 8) / series.length;
  const yRows = (v: number): number => t + (h - t - b) * (1 - v / maxRows);
  const yShare = (v: number): number => t + (h - t - b) * (1 - v);
  let s = `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" role="img">`;
  s += `<line x1="${l}" y1="${h - b}" x2="${w - 8}" y2="${h - b}" stroke="#9aa5b1"/>`;
  s += `<text x="${l - 4}" y="${t + 8}" font-size="10" text-anchor="end" fill="#52606d">${maxRows}</text><text x="${l - 4}" y="${h - b}" font-size="10" text-anchor="end" fill="#52606d">0</text>`;
  series.forEach((p, i) => {
    s += `<rect x="${(l + i * step + 0.5).toFixed(1)}" y="${yRows(p.rows).toFixed(1)}" width="${Math.max(step - 1, 0.5).toFixed(1)}" height="${(h - b - yRows(p.rows)).toFixed(1)}" fill="#bcccdc"><title>${escapeHtml(iso(p.start))}: ${p.rows} rows, ${escapeHtml(pct(p.shareDrifted))} of columns drifted</title></rect>`;
  });
  const withRows = series.map((p, i) => [p, i] as const).filter(([p]) => p.rows > 0);
  if (withRows.length > 0) {
    const path = withRows.map(([p, i], j) => `${j === 0 ? 'M' : 'L'}${(l + (i + 0.5) * step).toFixed(1)},${yShare(p.shareDrifted).toFixed(1)}`).join('');
    s += `<path d="${path}" fill="none" stroke="${CUR}" stroke-width="2"/>`;
  }
  const end = series[series.length - 1]!.start + bucketMs;
  s += `<text x="${l}" y="${h - 8}" font-size="10" fill="#52606d">${escapeHtml(iso(series[0]!.start))}</text><text x="${w - 8}" y="${h - 8}" font-size="10" text-anchor="end" fill="#52606d">${escapeHtml(iso(end))}</text>`;
  return `${s}</svg>`;
}

function legend(): string {
  return `<p class="legend"><span class="sw" style="background:${REF}"></span>reference (training)<span class="sw" style="background:${CUR}"></span>current (window)</p>`;
}

/**
 * Renders a monitoring window as ONE self-contained HTML page (inline CSS and SVG, no script, no
 * external resource): the summary (dataset drift verdict, share of drifted columns, rows, labelled
 * rows, versions, window), the drift table (method, statistic, p-value, threshold, verdict per
 * column), reference-vs-current distribution overlays, prediction drift, quality against training
 * with quality and drift over time, and for text the domain classifier's ROC-AUC and the words
 * that explain the shift. It carries aggregates only, so its size does not grow with the rows of
 * the window; every text from the data (column names, categories, words) is HTML-escaped.
 *
 * @example
 * ```ts
 * import { writeFileSync } from 'node:fs';
 * import { monitorWindow, renderReportHtml } from 'mlship/monitor';
 * const result = await monitorWindow({ predictions, client, model: 'spam', from: Date.now() - 86_400_000, to: Date.now() });
 * writeFileSync('report.html', renderReportHtml(result));
 * ```
 */
export function renderReportHtml(result: MonitorResult, options: ReportHtmlOptions = {}): string {
  const title = options.title ?? `Monitoring report: ${result.model}`;
  const generatedAt = options.generatedAt ?? Date.now();
  const maxOverlays = options.maxOverlays ?? 200;
  const d = result.drift;
  const parts: string[] = [];
  parts.push(`<h1>${escapeHtml(title)}</h1>`);
  parts.push(`<p class="sub">${escapeHtml(result.input)} ${escapeHtml(result.task)} model <b>${escapeHtml(result.model)}</b>, window ${escapeHtml(iso(result.from))} → ${escapeHtml(iso(result.to))}; reference profile of ${result.profileVersion === null ? 'the given profile' : `version ${escapeHtml(result.profileVersion)}`}</p>`);

  // summary
  const cards = [
    card('dataset drift', d.drift ? 'detected' : 'not detected', d.drift ? 'bad' : 'ok'),
    card('drifted columns', `${d.driftedColumns} / ${d.numberOfColumns} (${escapeHtml(pct(d.shareDrifted))})`),
    card('drift share threshold', escapeHtml(pct(d.share))),
    card('rows', escapeHtml(result.rows.toLocaleString('en-US'))),
    card('labelled', escapeHtml(result.labelled.toLocaleString('en-US'))),
    card('versions', result.versions.length === 0 ? '—' : escapeHtml(result.versions.join(', '))),
  ];
  if (d.prediction) cards.push(card('prediction drift', d.prediction.drift ? 'detected' : 'not detected', d.prediction.drift ? 'bad' : 'ok'));
  const dc = d.text?.domainClassifier;
  if (dc) cards.push(card('text drift (ROC-AUC)', `${escapeHtml(formatStat(dc.rocAuc))}`, dc.drift ? 'bad' : 'ok'));
  if (result.quality) {
    for (const [k, v] of Object.entries(result.quality.metrics)) cards.push(card(k, escapeHtml(formatStat(v))));
  }
  parts.push(`<h2>Summary</h2><div class="cards">${cards.join('')}</div>`);
  if (result.notes.length > 0) parts.push(`<ul class="notes">${result.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>`);

  // drift table
  const names = Object.keys(d.columns).sort((a, b) => Number(d.columns[b]!.drift) - Number(d.columns[a]!.drift) || a.localeCompare(b));
  parts.push(`<h2>Data drift</h2><p>Dataset drift is ${d.drift ? '<b class="bad">detected</b>' : '<b class="ok">not detected</b>'}: ${d.driftedColumns} of ${d.numberOfColumns} column(s) drifted (${escapeHtml(pct(d.shareDrifted))}; the dataset drifts at ${escapeHtml(pct(d.share))} or more).</p>`);
  parts.push('<table><thead><tr><th>column</th><th>type</th><th>method</th><th>statistic / distance</th><th>p-value</th><th>threshold</th><th>reference rows</th><th>current rows</th><th>verdict</th></tr></thead><tbody>');
  parts.push(names.map((n) => driftRow(n, d.columns[n]!)).join(''));
  parts.push('</tbody></table>');

  // overlays
  const shown = names.filter((n) => result.distributions[n] !== undefined).slice(0, maxOverlays);
  if (shown.length > 0) {
    parts.push(`<h2>Distributions</h2>${legend()}<div class="grid">${shown.map((n) => overlay(n, result.distributions[n]!, d.columns[n])).join('')}</div>`);
    const hidden = names.filter((n) => result.distributions[n] !== undefined).length - shown.length;
    if (hidden > 0) parts.push(`<p class="legend">${hidden} more column(s) not drawn (maxOverlays ${maxOverlays}).</p>`);
  }

  // prediction drift
  parts.push('<h2>Prediction drift</h2>');
  if (d.prediction) {
    parts.push('<table><thead><tr><th>column</th><th>type</th><th>method</th><th>statistic / distance</th><th>p-value</th><th>threshold</th><th>reference rows</th><th>current rows</th><th>verdict</th></tr></thead><tbody>');
    parts.push(driftRow('prediction', d.prediction));
    parts.push('</tbody></table>');
    if (result.predictionDistribution) parts.push(`${legend()}<div class="grid">${overlay('prediction', result.predictionDistribution, d.prediction)}</div>`);
  } else parts.push('<p>No predictions to compare (the window is empty or the profile has no prediction sketch).</p>');

  // text
  if (dc) {
    parts.push('<h2>Text drift: domain classifier</h2>');
    parts.push(`<p>A classifier trained to tell reference texts from the window's texts reaches ROC-AUC <b>${escapeHtml(formatStat(dc.rocAuc))}</b> (threshold ${escapeHtml(formatStat(dc.threshold))}${dc.baseline ? `, the ${escapeHtml(String(95))}th percentile of ${dc.baseline.permutations} permutations` : ''}): ${verdict(dc.drift)}. Sizes: ${dc.sizes.reference} reference and ${dc.sizes.current} current texts.</p>`);
    const words = (ws: readonly string[]): string => (ws.length === 0 ? '<p class="legend">none</p>' : `<ul class="words">${ws.map((w) => `<li><code>${escapeHtml(w)}</code></li>`).join('')}</ul>`);
    parts.push(`<div class="grid"><figure><figcaption>words typical of the window</figcaption>${words(dc.typicalCurrentWords)}</figure><figure><figcaption>words typical of the reference</figcaption>${words(dc.typicalReferenceWords)}</figure></div>`);
  }

  // quality
  parts.push('<h2>Model quality</h2>');
  if (result.quality) {
    const q = result.quality;
    parts.push(`<p>On ${q.labelled.toLocaleString('en-US')} labelled item(s) of the window, against the values measured on held-out data at training.</p>`);
    parts.push('<table><thead><tr><th>metric</th><th>at training</th><th>window</th><th>change</th></tr></thead><tbody>');
    for (const [k, v] of Object.entries(q.metrics)) {
      const ref = q.reference[k];
      const delta = ref === undefined ? undefined : v - ref;
      parts.push(`<tr><td>${escapeHtml(k)}</td><td class="n">${formatStat(ref)}</td><td class="n">${formatStat(v)}</td><td class="n">${delta === undefined ? '' : (delta > 0 ? '+' : '') + formatStat(delta)}</td></tr>`);
    }
    parts.push('</tbody></table>');
    parts.push(`<h2>Quality over time</h2><p class="legend">one point per ${escapeHtml(durationText(result.bucketMs))}; dashed: at training</p><div class="grid">`);
    for (const k of Object.keys(q.metrics)) parts.push(`<figure><figcaption>${escapeHtml(k)}</figcaption>${seriesSvg(result.series, k, q.reference[k], result.bucketMs)}</figure>`);
    parts.push('</div>');
  } else parts.push('<p>No labelled items in the window: post ground truth with <code>mlship predictions label</code> to see quality.</p>');

  if (result.series.length > 0) {
    parts.push(`<h2>Drift over time</h2><p class="legend">bars: rows per ${escapeHtml(durationText(result.bucketMs))}; line: share of drifted columns in that bucket (0–100%)</p><figure>${driftSeriesSvg(result.series, result.bucketMs)}</figure>`);
  }
  parts.push(`<footer>Generated by mlship at ${escapeHtml(iso(generatedAt))} from aggregates only (no raw rows).</footer>`);
  return `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(title)}</title><style>${CSS}</style></head><body><main>\n${parts.join('\n')}\n</main></body></html>\n`;
}

/**
 * A bucket width for captions: `1h`, `15m`, `2d`, `30s`.
 *
 * @example
 * ```ts
 * durationText(3_600_000); // '1h'
 * ```
 */
export function durationText(ms: number): string {
  const units: [number, string][] = [
    [86_400_000, 'd'],
    [3_600_000, 'h'],
    [60_000, 'm'],
    [1000, 's'],
  ];
  for (const [u, s] of units) if (ms >= u && ms % u === 0) return `${ms / u}${s}`;
  for (const [u, s] of units) if (ms >= u) return `${Number((ms / u).toFixed(1))}${s}`;
  return `${ms}ms`;
}
