import { InvalidArgumentError } from 'commander';

// Option value parsers for commander. They throw InvalidArgumentError, which the CLI reports as a
// usage error (exit status 2) naming the option and the value.

/** A fraction strictly between 0 and 1 (`--test-size 0.2`). */
export function fraction(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0 || n >= 1) {
    throw new InvalidArgumentError('expected a fraction strictly between 0 and 1, such as 0.2.');
  }
  return n;
}

/** A non-negative integer (`--seed 42`). */
export function nonNegativeInt(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n)) throw new InvalidArgumentError('expected a non-negative integer, such as 42.');
  return n;
}

/** A TCP port, 0 to 65535 (`--port 8080`; 0 picks a free one). */
export function portNumber(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError(`expected a port number from 0 to 65535 (0 picks a free one), got ${JSON.stringify(value)}`);
  return n;
}

/** Something that delivers process signals: `process` in the CLI, an EventEmitter in tests. */
export interface SignalSource {
  once(signal: 'SIGINT' | 'SIGTERM', fn: () => void): unknown;
  removeListener(signal: 'SIGINT' | 'SIGTERM', fn: () => void): unknown;
}

/** A positive integer (`--limit 1500`). */
export function positiveInt(value: string): number {
  const n = nonNegativeInt(value);
  if (n === 0) throw new InvalidArgumentError('expected a positive integer, such as 1500.');
  return n;
}

/** A positive finite number (`--C 10`). */
export function positiveNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a positive number, such as 1 or 0.5.');
  return n;
}

/** An n-gram range `min,max` with 1 <= min <= max (`--ngram 1,2`). */
export function ngramRange(value: string): [number, number] {
  const m = /^\s*(\d+)\s*(?:,\s*(\d+)\s*)?$/.exec(value);
  if (!m) throw new InvalidArgumentError('expected "min,max" such as 1,2 (or a single n such as 1).');
  const lo = Number(m[1]);
  const hi = m[2] === undefined ? lo : Number(m[2]);
  if (lo < 1 || hi < lo) throw new InvalidArgumentError('expected 1 <= min <= max, such as 1,2.');
  return [lo, hi];
}

/**
 * A document-frequency bound: a fraction in (0, 1] (proportion of documents) or an integer >= 1
 * (a document count), as TfidfVectorizer's minDf/maxDf.
 */
export function docFrequency(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0 || (n > 1 && !Number.isInteger(n))) {
    throw new InvalidArgumentError('expected a fraction in (0, 1] of the documents (0.95) or a whole document count (5).');
  }
  return n;
}

/** Collects a repeatable option into an array (`--text a --text b`). */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** One of the given choices. */
export function oneOf<T extends string>(choices: readonly T[]): (value: string) => T {
  return (value: string) => {
    if (!(choices as readonly string[]).includes(value)) throw new InvalidArgumentError(`expected one of ${choices.join(', ')}.`);
    return value as T;
  };
}

/**
 * A comma-separated list whose items are all among `choices`, such as `--model linear,rf`.
 *
 * @example
 * ```ts
 * listOf(['linear', 'rf'] as const)('rf,linear'); // ['rf', 'linear']
 * ```
 */
export function listOf<T extends string>(choices: readonly T[]): (value: string) => T[] {
  return (value: string): T[] => {
    const items = value.split(',').map((s) => s.trim()).filter(Boolean);
    const bad = items.filter((m) => !(choices as readonly string[]).includes(m));
    if (items.length === 0 || bad.length > 0) throw new InvalidArgumentError(`${bad.length ? `unknown ${bad.map((b) => `'${b}'`).join(', ')}; ` : ''}expected a comma-separated list of ${choices.join(', ')}.`);
    return items as T[];
  };
}
