/**
 * What the store conformance suites share: the fixture shape, the per-test fixture hooks, the
 * coded-error assertion, paging through a search, and how to start a child-process helper script.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, beforeEach, expect } from 'vitest';
import { isMlshipError } from '../../core/index.js';
import type { ErrorCode, MlshipError } from '../../core/index.js';
import type { Page } from '../entities.js';

/** What a suite's `makeStore` returns: a fresh store, and how to clean up after it. */
export interface Fixture<S> {
  store: S;
  /** Removes what the fixture created (files, schemas), after the store is closed. */
  dispose?: () => Promise<void> | void;
}

/**
 * Registers hooks that make a fixture before every test (handing it to `use`) and, after it, close
 * the store and dispose of the fixture.
 */
export function eachFixture<F extends Fixture<{ close(): Promise<void> }>>(makeStore: () => Promise<F>, use: (fixture: F) => void): void {
  let fixture: F | undefined;
  beforeEach(async () => {
    fixture = await makeStore();
    use(fixture);
  });
  afterEach(async () => {
    if (!fixture) return;
    await fixture.store.close();
    await fixture.dispose?.();
    fixture = undefined;
  });
}

/** Awaits `promise`, checks it fails with an MlshipError of `code` whose message matches `pattern`, and returns the error. */
export async function expectError(promise: Promise<unknown>, code: ErrorCode, pattern?: RegExp): Promise<MlshipError> {
  let caught: unknown;
  try {
    await promise;
  } catch (err) {
    caught = err;
  }
  if (caught === undefined) throw new Error(`expected MlshipError ${code}, but the call succeeded`);
  if (!isMlshipError(caught, code)) throw new Error(`expected MlshipError ${code}, got ${String((caught as Error)?.name)} ${(caught as { code?: string })?.code}: ${(caught as Error)?.message}`);
  if (pattern) expect(caught.message).toMatch(pattern);
  return caught;
}

/**
 * Follows `nextPageToken` from the first page of a search to its last, checking that no page holds
 * more than `maxResults` items; returns every item in order and how many pages there were.
 */
export async function allPages<T>(
  maxResults: number,
  search: (page: { maxResults: number; pageToken: string | undefined }) => Promise<Page<T>>,
): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let pageToken: string | undefined;
  let pages = 0;
  do {
    const page = await search({ maxResults, pageToken });
    expect(page.items.length).toBeLessThanOrEqual(maxResults);
    items.push(...page.items);
    pageToken = page.nextPageToken;
    pages++;
  } while (pageToken);
  return { items, pages };
}

/** How to run the helper script `name` of this folder: its compiled `.js` as is, the TypeScript source through tsx. */
export function childCommand(name: string): { script: string; execArgv: string[] } {
  const ts = fileURLToPath(new URL(`./${name}.ts`, import.meta.url));
  const js = fileURLToPath(new URL(`./${name}.js`, import.meta.url));
  if (existsSync(js) && !import.meta.url.endsWith('.ts')) return { script: js, execArgv: [] };
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  return { script: ts, execArgv: ['--import', tsx] };
}
