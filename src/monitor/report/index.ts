/**
 * Monitoring reports: one self-contained HTML page (inline CSS and SVG) and the JSON form of a
 * monitoring window, both built from aggregates only.
 * @packageDocumentation
 */
export { renderReportHtml, escapeHtml, formatStat, distributionSvg, seriesSvg, durationText } from './html.js';
export type { ReportHtmlOptions } from './html.js';
export { renderReportJson } from './json.js';
