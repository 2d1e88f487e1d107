import type { MonitorResult } from '../window.js';

/**
 * The JSON form of a monitoring window: {@link MonitorResult} with its field names unchanged
 * (`model`, `versions`, `profileVersion`, `from`, `to`, `bucketMs`, `rows`, `labelled`, `input`,
 * `task`, `drift`, `quality`, `series`, `distributions`, `predictionDistribution`, `notes`), plus
 * `format: 1` and `generatedAt`. NaN and ±Infinity are written as the strings "NaN",
 * "Infinity", "-Infinity" (as the HTTP API sends them), so no number is silently lost.
 *
 * @example
 * ```ts
 * import { writeFileSync } from 'node:fs';
 * import { monitorWindow, renderReportJson } from 'mlship/monitor';
 * writeFileSync('report.json', renderReportJson(await monitorWindow({ predictions, client, model: 'spam', from, to })));
 * ```
 */
export function renderReportJson(result: MonitorResult, options: { /** Spaces of indentation. @default 2 */ indent?: number; /** ms since the epoch. @default Date.now() */ generatedAt?: number } = {}): string {
  const body = { format: 1, generatedAt: options.generatedAt ?? Date.now(), ...result };
  return `${JSON.stringify(body, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? (Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity') : v), options.indent ?? 2)}\n`;
}
