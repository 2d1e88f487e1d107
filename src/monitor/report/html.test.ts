import { describe, expect, it } from 'vitest';
import { Rng } from '../../core/index.js';
import { buildProfile } from '../profile/index.js';
import { WindowAccumulator, type MonitorResult, type WindowItem } from '../window.js';
import { escapeHtml, formatStat, renderReportHtml } from './html.js';
import { renderReportJson } from './json.js';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 10, 1);
const EVIL = '<script>alert("x")</script>';
const EVIL_CATEGORY = '<img src=x onerror=alert(1)>';

/** No script, no external resource: the page is one self-contained file. */
function expectSelfContained(html: string): void {
  expect(html.startsWith('<!doctype html>')).toBe(true);
  expect(html).not.toMatch(/<script/i);
  expect(html).not.toMatch(/<img/i);
  expect(html).not.toMatch(/<link/i);
  expect(html).not.toMatch(/<[a-z][^>]*\son\w+=/i); // no event handler attribute in any tag
  expect(html).not.toMatch(/<[a-z][^>]*\s(src|href)=/i);
  expect(html).not.toMatch(/@import|url\(/i);
  // the only URL is the SVG namespace
  expect(html.match(/https?:\/\/[^"\s]+/g)?.every((u) => u === 'http://www.w3.org/2000/svg') ?? true).toBe(true);
}

function tabularWindow(rows: number, chunk = 10_000): MonitorResult {
  const rng = new Rng(3);
  const nRef = 5000;
  const ref: Record<string, number[] | string[]> = { [EVIL]: [], b: [], c: [], d: [], e: [], plan: [] };
  const refPred: number[] = [];
  for (let i = 0; i < nRef; i++) {
    for (const k of [EVIL, 'b', 'c', 'd', 'e']) (ref[k] as number[]).push(rng.normal());
    (ref.plan as string[]).push(rng.random() < 0.5 ? 'basic' : EVIL_CATEGORY);
    refPred.push((ref[EVIL] as number[])[i]! + (ref.b as number[])[i]!);
  }
  const profile = buildProfile({ task: 'regression', columns: ref, predictions: refPred, target: refPred, metrics: { rmse: 0.5, mae: 0.4 } });
  const acc = new WindowAccumulator(profile, { model: 'm<b>', from: T0, to: T0 + 24 * HOUR, profileVersion: '2' });
  const step = (24 * HOUR) / rows;
  for (let start = 0; start < rows; start += chunk) {
    const items: WindowItem[] = [];
    for (let i = start; i < Math.min(rows, start + chunk); i++) {
      const shift = i >= rows / 2 ? 1.5 : 0;
      const a = rng.normal() + shift;
      const b = rng.normal();
      items.push({
        timestamp: T0 + Math.floor(i * step),
        inputs: { [EVIL]: a, b, c: rng.normal() + shift, d: rng.normal(), e: rng.normal() + shift, plan: rng.random() < 0.5 ? 'basic' : EVIL_CATEGORY },
        outputs: { prediction: a + b },
        label: i % 10 === 0 ? a + b + rng.normal() * 0.5 : null,
        modelVersion: '2',
      });
    }
    acc.add(items);
  }
  return acc.result();
}

describe('renderReportHtml', () => {
  it('escapes column names and categories and stays self-contained', () => {
    const result = tabularWindow(20_000);
    const html = renderReportHtml(result, { generatedAt: T0 });
    expectSelfContained(html);
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('m&lt;b&gt;');
    // every section is there
    for (const h of ['Summary', 'Data drift', 'Distributions', 'Prediction drift', 'Model quality', 'Quality over time', 'Drift over time']) expect(html).toContain(`<h2>${h}</h2>`);
    expect(html).toContain('Dataset drift is <b class="bad">detected</b>');
    // one overlay per column plus the prediction
    expect(html.match(/<figure>/g)!.length).toBeGreaterThanOrEqual(7);
    expect(html).toContain('rmse');
  });

  it('writes a text model report with the domain classifier words, escaped', () => {
    const rng = new Rng(5);
    const words = ['alpha', 'beta', 'gamma', 'delta', 'epsilon'];
    const texts = Array.from({ length: 400 }, () => Array.from({ length: 8 }, () => words[rng.int(5)]).join(' '));
    const labels = texts.map((_, i) => (i % 2 ? 'a' : 'b'));
    const profile = buildProfile({ task: 'classification', texts, predictions: labels, target: labels, vocabulary: words, metrics: { accuracy: 0.9, f1: 0.9 } });
    const acc = new WindowAccumulator(profile, { model: 'txt', from: T0, to: T0 + HOUR });
    acc.add(Array.from({ length: 400 }, (_, i) => ({ timestamp: T0 + i * 1000, inputs: { text: `<b>zeta</b> ${Array.from({ length: 8 }, () => words[rng.int(5)]).join(' ')} <b>eta</b>` }, outputs: { label: 'a' }, label: null, modelVersion: '1' })));
    const result = acc.result();
    expect(result.drift.text?.domainClassifier?.drift).toBe(true);
    const html = renderReportHtml(result);
    expectSelfContained(html);
    expect(html).toContain('<h2>Text drift: domain classifier</h2>');
    expect(html).toMatch(/<code>(zeta|eta)<\/code>/);
    expect(html).toContain('No labelled items in the window');
  });

  it('gives a report under 2 MB for a 1,000,000-row window, whose size does not grow with the rows', () => {
    const t = performance.now();
    const big = tabularWindow(1_000_000, 20_000);
    const buildMs = performance.now() - t;
    expect(big.rows).toBe(1_000_000);
    expect(big.labelled).toBe(100_000);
    const r0 = performance.now();
    const html = renderReportHtml(big, { generatedAt: T0 });
    const renderMs = performance.now() - r0;
    const json = renderReportJson(big, { generatedAt: T0 });
    const htmlBytes = Buffer.byteLength(html);
    const jsonBytes = Buffer.byteLength(json);
    expect(htmlBytes).toBeLessThan(2_000_000);
    expect(jsonBytes).toBeLessThan(2_000_000);
    expectSelfContained(html);
    expect(big.drift.columns[EVIL]!.drift).toBe(true);
    expect(big.series.slice(0, 12).every((p) => p.shareDrifted < 0.5)).toBe(true);
    expect(big.series.slice(12).every((p) => p.shareDrifted > 0)).toBe(true);
    // aggregates only: a window 50x smaller gives a report of about the same size
    const small = renderReportHtml(tabularWindow(20_000), { generatedAt: T0 });
    expect(Math.abs(htmlBytes - Buffer.byteLength(small)) / htmlBytes).toBeLessThan(0.1);
    console.log(`1M-row window: built in ${(buildMs / 1000).toFixed(1)} s, HTML ${htmlBytes} bytes rendered in ${renderMs.toFixed(1)} ms, JSON ${jsonBytes} bytes`);
  }, 120_000);
});

describe('report helpers', () => {
  it('escapes the five HTML characters', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
  it('formats statistics', () => {
    expect(formatStat(0.123456)).toBe('0.1235');
    expect(formatStat(1.2e-9)).toBe('1.200e-9');
    expect(formatStat(Number.NaN)).toBe('NaN');
    expect(formatStat(undefined)).toBe('');
  });
  it('writes NaN and infinities as strings in the JSON form, with stable fields', () => {
    const result = tabularWindow(2000);
    result.quality!.metrics.rmse = Number.NaN;
    const parsed = JSON.parse(renderReportJson(result, { generatedAt: 1 })) as Record<string, unknown>;
    expect(Object.keys(parsed)).toEqual(['format', 'generatedAt', 'model', 'versions', 'profileVersion', 'from', 'to', 'bucketMs', 'rows', 'labelled', 'input', 'task', 'drift', 'quality', 'series', 'distributions', 'predictionDistribution', 'notes']);
    expect((parsed.quality as { metrics: { rmse: unknown } }).metrics.rmse).toBe('NaN');
  });
});
