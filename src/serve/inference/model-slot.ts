/**
 * A `ModelSlot` holds the model served under one name and follows the registry: for a URI that
 * names an alias (`models:/spam@champion`) or `latest`, it polls the registry and, when the target
 * moves, loads the new version in the background and swaps it in with one assignment (a move back
 * to the version served just before, a rollback, switches without loading: that model is kept). A request
 * reads `slot.current` once at its start, so requests in flight finish on the model they began with.
 */
import { basename } from 'node:path';
import { MlshipError, isMlshipError } from '../../core/index.js';
import { loadModel } from '../../model/index.js';
import { parseModelUri, type MlshipClient, type ModelUri } from '../../tracking/index.js';
import { toServedModel, type ServedModel } from './predictor.js';

/** Options of {@link ModelSlot}. */
export interface ModelSlotOptions {
  /** A model URI (`models:/name@alias`, `models:/name/3`, `models:/name/latest`, `runs:/<id>/model`) or a `.mlship` path. */
  uri: string;
  /** The name to serve it under. @default the registered model name, else the file's base name without `.mlship` */
  name?: string;
  /** Resolves registry and run URIs; not needed for a plain file. @default undefined */
  client?: MlshipClient;
  /** How often an alias or `latest` URI is checked for a new version, in ms. @default 1000 */
  pollIntervalMs?: number;
  /** Told after each successful load (the first one and every swap). @default undefined */
  onLoad?: (model: ServedModel, previous: ServedModel | undefined) => void;
  /** Told when a load fails (once per distinct error in a row); the slot keeps serving the model it had. @default writes to stderr */
  onLoadError?: (err: unknown, slot: ModelSlot) => void;
}

/**
 * The default name of a served model: the registered name, or the file's base name without
 * `.mlship` (`run-<id prefix>` for a run URI).
 *
 * @example
 * ```ts
 * defaultModelName('models:/spam@champion');      // 'spam'
 * defaultModelName('mlship/models/tfidf-nb.mlship'); // 'tfidf-nb'
 * ```
 */
export function defaultModelName(uri: string): string {
  const parsed = parseModelUri(uri);
  if (parsed.kind === 'alias' || parsed.kind === 'version' || parsed.kind === 'latest') return parsed.name;
  if (parsed.kind === 'run') return `run-${parsed.runId.slice(0, 8)}`;
  const base = basename(parsed.path.replace(/[/\\]+$/, ''));
  return base.endsWith('.mlship') ? base.slice(0, -'.mlship'.length) : base;
}

/**
 * One served model that follows its URI.
 *
 * @example
 * ```ts
 * const slot = new ModelSlot({ uri: 'models:/spam@champion', client, pollIntervalMs: 1000 });
 * await slot.start();              // first load; then polls the alias
 * const model = slot.current!;     // capture once per request
 * model.predict(['win a free cruise']);
 * slot.close();
 * ```
 */
export class ModelSlot {
  /** The name the model is served under. */
  readonly name: string;
  /** The URI it follows. */
  readonly uri: string;
  /** Whether the URI can move (an alias or `latest`), so the slot polls it. */
  readonly follows: boolean;
  private readonly parsed: ModelUri;
  private readonly client: MlshipClient | undefined;
  private readonly pollIntervalMs: number;
  private readonly onLoad: ModelSlotOptions['onLoad'];
  private readonly onLoadError: NonNullable<ModelSlotOptions['onLoadError']>;
  private model: ServedModel | undefined;
  /** The model served before the current one (kept so that a rollback switches without loading). */
  private previous: ServedModel | undefined;
  private timer: NodeJS.Timeout | undefined;
  private loading: Promise<void> | undefined;
  private closed = false;
  /** The last load error, cleared by a successful load. */
  lastError: unknown = undefined;
  /** Number of failed loads so far. */
  failures = 0;
  /** Number of successful loads so far (1 after the first, +1 per swap). */
  loads = 0;

  constructor(options: ModelSlotOptions) {
    this.uri = options.uri;
    this.parsed = parseModelUri(options.uri);
    this.name = options.name ?? defaultModelName(options.uri);
    if (this.name === '' || /[/?#\s]/.test(this.name)) {
      throw new MlshipError('INVALID_ARGUMENT', `cannot serve a model under the name '${this.name}': it is used in URLs (/models/<name>/predict); give another with name=uri`, { field: 'name', value: this.name });
    }
    this.client = options.client;
    if (this.parsed.kind !== 'path' && !this.client) {
      throw new MlshipError('INVALID_ARGUMENT', `the model URI '${options.uri}' needs a tracking store to resolve it; pass a client (mlship serve --tracking-uri)`, { field: 'client' });
    }
    this.follows = this.parsed.kind === 'alias' || this.parsed.kind === 'latest';
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
    if (!Number.isFinite(this.pollIntervalMs) || this.pollIntervalMs < 10) {
      throw new MlshipError('INVALID_ARGUMENT', `pollIntervalMs must be at least 10 ms, got ${this.pollIntervalMs}`, { field: 'pollIntervalMs', value: this.pollIntervalMs });
    }
    this.onLoad = options.onLoad;
    this.onLoadError = options.onLoadError ?? ((err, slot) => void process.stderr.write(`mlship serve: cannot load ${slot.uri} for model '${slot.name}': ${(err as Error).message ?? String(err)}; ${slot.current ? `still serving version ${slot.current.version}` : 'not ready yet'}\n`));
  }

  /** The model to serve now, or undefined before the first successful load. Read it once per request. */
  get current(): ServedModel | undefined {
    return this.model;
  }

  /** True once a model is loaded. */
  get ready(): boolean {
    return this.model !== undefined;
  }

  /**
   * Loads the model once, then (for an alias or `latest`) polls for moves. Resolves after the first
   * load attempt; rejects with its error when `required` (the default) and it failed. A URI that
   * follows the registry keeps retrying at each poll either way.
   */
  async start(options: { required?: boolean } = {}): Promise<void> {
    try {
      await this.refresh();
      if (!this.model && this.lastError !== undefined && options.required !== false) throw this.lastError;
    } finally {
      this.schedule();
    }
  }

  /**
   * Checks the URI now and loads its target if it is not the version being served. Never throws:
   * failures are reported through `onLoadError` and kept in {@link lastError}.
   */
  refresh(): Promise<void> {
    this.loading ??= this.check().finally(() => (this.loading = undefined));
    return this.loading;
  }

  private schedule(): void {
    if (this.closed || (!this.follows && this.model) || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.refresh().then(() => this.schedule());
    }, this.pollIntervalMs);
    this.timer.unref();
  }

  /** Which version the URI names now (null for a file or run); undefined when it cannot tell. */
  private async targetVersion(): Promise<number | null> {
    const p = this.parsed;
    if (p.kind === 'alias') return (await this.client!.registry.getModelVersionByAlias(p.name, p.alias)).version;
    if (p.kind === 'latest') {
      const page = await this.client!.registry.searchModelVersions({ name: p.name, maxResults: 1 });
      const newest = page.items[0];
      if (!newest) throw new MlshipError('NOT_FOUND', `the registered model '${p.name}' has no versions`, { field: 'modelUri', value: this.uri });
      return newest.version;
    }
    if (p.kind === 'version') return p.version;
    return null;
  }

  private async check(): Promise<void> {
    if (this.closed) return;
    try {
      if (this.model && this.follows) {
        const target = await this.targetVersion();
        if (target === this.model.versionNumber) return;
        // A move back to the version served just before (a rollback, a flip) needs no load.
        if (this.previous && target === this.previous.versionNumber) {
          this.swap(this.previous);
          return;
        }
      }
      let path: string;
      let version: number | null;
      if (this.parsed.kind === 'path') {
        path = this.parsed.path;
        version = null;
      } else {
        const resolved = await this.client!.resolveModelUri(this.uri);
        path = resolved.path;
        version = resolved.version;
      }
      if (this.model && version !== null && version === this.model.versionNumber) return;
      const served = toServedModel(await loadModel(path), { name: this.name, uri: this.uri, version });
      if (this.closed) return;
      this.swap(served);
    } catch (err) {
      if (this.closed) return;
      this.failures++;
      const error = isMlshipError(err) ? err : new MlshipError('INTERNAL', `loading ${this.uri} failed: ${(err as Error)?.message ?? String(err)}`, { cause: err });
      const repeated = this.lastError instanceof Error && this.lastError.message === error.message;
      this.lastError = error;
      // The same failure at every poll is reported once (it is still counted in `failures`).
      if (!repeated) this.onLoadError(this.lastError, this);
    }
  }

  /** Serves `next` from now on; the model it replaces is kept for a quick switch back. */
  private swap(next: ServedModel): void {
    const previous = this.model;
    this.model = next; // the swap: requests that already read `current` keep the old one
    this.previous = previous;
    this.lastError = undefined;
    this.loads++;
    this.onLoad?.(next, previous);
  }

  /** Stops polling. The current model stays readable. */
  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
