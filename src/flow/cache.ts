/**
 * Task result caching: a cache key from a task's name, source and inputs (or the user's key), and
 * results persisted in an artifact store (a local folder by default) as `<sha256 of key>.json`,
 * written atomically.
 * Structured values survive the round trip: plain objects, arrays, strings, numbers (NaN and
 * ±Infinity included), booleans, null, undefined, bigint, Date, Map, Set and typed arrays.
 */
import { resolve as resolvePath } from 'node:path';
import { MlshipError, sha256 } from '../core/index.js';
import { openArtifactStore } from '../tracking/index.js';
import type { ArtifactStore } from '../tracking/index.js';

/**
 * The cache folder used when neither the task nor the flow names one (relative to the working
 * folder).
 *
 * @example
 * ```ts
 * import { DEFAULT_CACHE_DIR } from 'mlship/flow';
 * console.log(DEFAULT_CACHE_DIR); // 'mlship/cache/tasks'
 * ```
 */
export const DEFAULT_CACHE_DIR = 'mlship/cache/tasks';

/** Where task results are cached: a folder, an artifact store URI, or an artifact store. */
export type CacheStorage = string | ArtifactStore;

const opened = new Map<string, Promise<ArtifactStore>>();
/**
 * The artifact store of a cache location (opened once per location and process).
 * @internal
 */
export function cacheStore(storage: CacheStorage): Promise<ArtifactStore> {
  if (typeof storage !== 'string') return Promise.resolve(storage);
  const where = /^[a-zA-Z][a-zA-Z0-9+.-]+:/.test(storage) ? storage : resolvePath(storage);
  let p = opened.get(where);
  if (!p) {
    p = openArtifactStore(where);
    opened.set(where, p);
    p.catch(() => opened.delete(where));
  }
  return p;
}

const TAG = '$mlship';
const TYPED = {
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
  BigInt64Array,
  BigUint64Array,
} as const;
type TypedName = keyof typeof TYPED;

function isPlainObject(v: object): boolean {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * Encodes a value as JSON-compatible data (tagged objects for the types JSON lacks). With
 * `sortKeys`, object keys are sorted so equal values give equal text (for hashing). Throws
 * INVALID_ARGUMENT naming `where` for values that cannot be encoded (functions, class instances,
 * symbols, cycles).
 * @internal
 */
export function encodeValue(value: unknown, where: string, sortKeys = false, seen: Set<object> = new Set()): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : { [TAG]: 'number', v: String(value) };
    case 'undefined':
      return { [TAG]: 'undefined' };
    case 'bigint':
      return { [TAG]: 'bigint', v: value.toString() };
    case 'object':
      break;
    default:
      throw new MlshipError('INVALID_ARGUMENT', `${where} is a ${typeof value}, which cannot be cached: give the task a cacheKey(args) or turn caching off`, { field: where });
  }
  if (value === null) return null;
  if (seen.has(value)) throw new MlshipError('INVALID_ARGUMENT', `${where} contains a cycle, which cannot be cached: give the task a cacheKey(args) or turn caching off`, { field: where });
  seen.add(value);
  try {
    if (Array.isArray(value)) return value.map((v, i) => encodeValue(v, `${where}[${i}]`, sortKeys, seen));
    if (value instanceof Date) return { [TAG]: 'date', v: value.getTime() };
    if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
      const name = value.constructor.name as TypedName;
      if (TYPED[name]) return { [TAG]: name, v: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') };
    }
    if (value instanceof Map) {
      return { [TAG]: 'map', v: [...value].map(([k, v], i) => [encodeValue(k, `${where}.key[${i}]`, sortKeys, seen), encodeValue(v, `${where}.get(${String(k)})`, sortKeys, seen)]) };
    }
    if (value instanceof Set) return { [TAG]: 'set', v: [...value].map((v, i) => encodeValue(v, `${where}.set[${i}]`, sortKeys, seen)) };
    if (!isPlainObject(value)) {
      const name = (value as { constructor?: { name?: string } }).constructor?.name ?? 'object';
      throw new MlshipError('INVALID_ARGUMENT', `${where} is a ${name} instance, which cannot be cached as JSON: return plain data, or give the task a cacheKey(args) for its inputs, or turn caching off`, { field: where, value: name });
    }
    const keys = Object.keys(value);
    if (sortKeys) keys.sort();
    const out: Record<string, unknown> = {};
    for (const k of keys) out[k] = encodeValue((value as Record<string, unknown>)[k], `${where}.${k}`, sortKeys, seen);
    return TAG in out ? { [TAG]: 'object', v: out } : out;
  } finally {
    seen.delete(value);
  }
}

/** The inverse of {@link encodeValue}. @internal */
export function decodeValue(data: unknown): unknown {
  if (data === null || typeof data !== 'object') return data;
  if (Array.isArray(data)) return data.map(decodeValue);
  const obj = data as Record<string, unknown>;
  const tag = obj[TAG];
  if (typeof tag === 'string') {
    const v = obj.v;
    switch (tag) {
      case 'number':
        return Number(v);
      case 'undefined':
        return undefined;
      case 'bigint':
        return BigInt(v as string);
      case 'date':
        return new Date(v as number);
      case 'map':
        return new Map((v as [unknown, unknown][]).map(([k, x]) => [decodeValue(k), decodeValue(x)]));
      case 'set':
        return new Set((v as unknown[]).map(decodeValue));
      case 'object': {
        const out: Record<string, unknown> = {};
        for (const [k, x] of Object.entries(v as Record<string, unknown>)) out[k] = decodeValue(x);
        return out;
      }
      default: {
        const Ctor = TYPED[tag as TypedName];
        if (Ctor) {
          const bytes = Buffer.from(v as string, 'base64');
          const copy = new Uint8Array(bytes.byteLength);
          copy.set(bytes);
          return new Ctor(copy.buffer as ArrayBuffer);
        }
      }
    }
  }
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(obj)) out[k] = decodeValue(x);
  return out;
}

/**
 * The cache key of a task call: from the task's name, its source text and its resolved arguments,
 * or from the user's key.
 * @internal
 */
export function computeCacheKey(taskName: string, source: string, args: readonly unknown[], userKey: string | undefined): string {
  if (userKey !== undefined) return sha256(JSON.stringify(['user', taskName, userKey]));
  const inputs = args.map((a, i) => encodeValue(a, `argument ${i} of task '${taskName}'`, true));
  return sha256(JSON.stringify(['inputs', taskName, sha256(source), inputs]));
}

/** One cache file. @internal */
interface CacheEntry {
  format: 1;
  task: string;
  key: string;
  createdAt: number;
  value: unknown;
}

/**
 * Reads a cached result: `{ hit: true, value }` when an entry for `key` exists and is younger than
 * `expirationMs`; a missing, expired, unreadable or corrupt entry is a miss.
 * @internal
 */
export async function readCache(store: ArtifactStore, key: string, expirationMs: number | undefined, now: number): Promise<{ hit: true; value: unknown } | { hit: false }> {
  let text: string;
  try {
    text = Buffer.from(await store.readBytes(`${key}.json`)).toString('utf8');
  } catch {
    return { hit: false };
  }
  try {
    const entry = JSON.parse(text) as CacheEntry;
    if (entry.format !== 1 || entry.key !== key || typeof entry.createdAt !== 'number') return { hit: false };
    if (expirationMs !== undefined && now - entry.createdAt >= expirationMs) return { hit: false };
    return { hit: true, value: decodeValue(entry.value) };
  } catch {
    return { hit: false };
  }
}

/**
 * Writes a result to the cache store (atomically, as every artifact store writes). Throws
 * INVALID_ARGUMENT when the value cannot be encoded, IO_ERROR when the store cannot be written.
 * @internal
 */
export async function writeCache(store: ArtifactStore, key: string, taskName: string, value: unknown, now: number): Promise<void> {
  const entry: CacheEntry = { format: 1, task: taskName, key, createdAt: now, value: encodeValue(value, `the result of task '${taskName}'`) };
  try {
    await store.writeBytes(`${key}.json`, Buffer.from(JSON.stringify(entry), 'utf8'));
  } catch (err) {
    throw new MlshipError('IO_ERROR', `cannot write the cached result ${key}.json of task '${taskName}': ${(err as Error).message}; check that the cache storage is writable or set cacheStorage`, { key }, { cause: err });
  }
}
