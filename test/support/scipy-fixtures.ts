// Reading the scipy reference fixtures (test/fixtures/scipy/, written by scripts/scipy-fixtures/):
// exact float64 arrays travel as base64 (f64 from sklearn-fixtures.ts), non-finite numbers as strings.
import { readFileSync } from 'node:fs';

/** Parses test/fixtures/scipy/<name>. */
export function loadScipyFixture(name: string): any {
  return JSON.parse(readFileSync(new URL(`../fixtures/scipy/${name}`, import.meta.url), 'utf8'));
}

/** A fixture number: 'NaN' / 'Infinity' / '-Infinity' strings back to numbers. */
export function num(v: number | string): number {
  return typeof v === 'number' ? v : Number(v);
}

/** |actual − expected| within `rel` relative to |expected| or `abs` absolutely (NaN and ±∞ must match exactly). */
export function closeTo(actual: number, expected: number, rel: number, abs = 0): boolean {
  if (!Number.isFinite(expected)) return Object.is(actual, expected) || actual === expected;
  return Math.abs(actual - expected) <= Math.max(rel * Math.abs(expected), abs);
}
