/**
 * Test support for the serve tests (not part of the public `mlship/serve` entry): an app over a
 * real client (SQLite file and artifact folders in a fresh temp folder), called in process with
 * `app.inject`. It does not import vitest, so the tests own their `beforeAll`/`afterAll`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { MlshipClient } from '../tracking/index.js';
import { createApp, type AppOptions } from './app.js';

/** A response as the tests read it: the status and the parsed JSON body (text when not JSON, undefined when empty). */
export interface TestResponse {
  status: number;
  body: any;
}

/** An app serving a client in its own temp folder; {@link TestApp.close} closes both and removes the folder. */
export interface TestApp {
  readonly app: FastifyInstance;
  readonly client: MlshipClient;
  /** The temp folder holding `mlship.db` and `artifacts/`. */
  readonly dir: string;
  /** Sends one request; `payload` goes as JSON. */
  call(method: InjectOptions['method'], url: string, payload?: unknown): Promise<TestResponse>;
  close(): Promise<void>;
}

/** Options of {@link openTestApp}. */
export interface TestAppOptions extends Omit<AppOptions, 'client'> {
  /** Called before `app.ready()`, to add hooks or test-only routes. @default none */
  configure?: (app: FastifyInstance) => void;
}

/**
 * Opens a client on a fresh temp folder (prefix `mlship-serve-<name>-`) and the app serving it, ready.
 *
 * @example
 * ```ts
 * let t: TestApp;
 * beforeAll(async () => { t = await openTestApp('registry'); });
 * afterAll(() => t?.close());
 * it('lists models', async () => expect((await t.call('GET', '/api/v1/registered-models')).status).toBe(200));
 * ```
 */
export async function openTestApp(name: string, options: TestAppOptions = {}): Promise<TestApp> {
  const { configure, ...appOptions } = options;
  const dir = mkdtempSync(join(tmpdir(), `mlship-serve-${name}-`));
  let client: MlshipClient | undefined;
  let app: FastifyInstance | undefined;
  const close = async (): Promise<void> => {
    await app?.close();
    await client?.close();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    client = await MlshipClient.open({ trackingUri: `sqlite://${join(dir, 'mlship.db')}`, artifactRoot: join(dir, 'artifacts') });
    app = createApp({ ...appOptions, client });
    configure?.(app);
    await app.ready();
  } catch (err) {
    await close();
    throw err;
  }
  const ready = app;
  return {
    app: ready,
    client,
    dir,
    close,
    async call(method, url, payload) {
      const res = await ready.inject({ method, url, ...(payload === undefined ? {} : { payload: payload as InjectOptions['payload'] }) });
      const text = res.body;
      return { status: res.statusCode, body: text === '' ? undefined : res.headers['content-type']?.toString().includes('json') ? JSON.parse(text) : text };
    },
  };
}

/**
 * `path?k=v&...`: each value URL-encoded, a list as repeated keys (how list fields such as `orderBy`
 * travel in a query string), `undefined` values left out.
 *
 * @example
 * ```ts
 * withQuery('/api/v1/experiments', { orderBy: ['name DESC', 'creation_time'], maxResults: 2, pageToken: undefined });
 * // '/api/v1/experiments?orderBy=name+DESC&orderBy=creation_time&maxResults=2'
 * ```
 */
export function withQuery(path: string, params: Record<string, string | number | readonly (string | number)[] | undefined>): string {
  const q = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined) for (const item of [value].flat()) q.append(key, String(item));
  const text = q.toString();
  return text === '' ? path : `${path}?${text}`;
}

/**
 * Follows page tokens from the first page to the last: calls `fetchPage` with `undefined`, then with
 * each page's `nextPageToken` until there is none. Returns every page's items in order and the
 * number of pages; throws after 1,000 pages (a token that never ends).
 *
 * @example
 * ```ts
 * const { items, pages } = await readAllPages(async (pageToken) => {
 *   const res = await t.call('GET', withQuery('/api/v1/experiments', { maxResults: 2, pageToken }));
 *   return { items: res.body.experiments, nextPageToken: res.body.nextPageToken };
 * });
 * ```
 */
export async function readAllPages<T>(fetchPage: (pageToken: string | undefined) => Promise<{ items: T[]; nextPageToken?: string }>): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let pages = 0;
  let token: string | undefined;
  do {
    if (pages === 1000) throw new Error('readAllPages: still a nextPageToken after 1000 pages');
    const page = await fetchPage(token);
    items.push(...page.items);
    token = page.nextPageToken || undefined;
    pages++;
  } while (token);
  return { items, pages };
}
