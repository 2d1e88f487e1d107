import { createHash } from 'node:crypto';
import { endianness } from 'node:os';
import { MlshipError } from '../core/index.js';
import { BaseEstimator, isEstimator, type EstimatorSnapshot } from '../learn/index.js';
import { buildMetadata, type ModelMetadata, type SaveModelOptions } from './metadata.js';

/*
 * The model package container, version 1. All integers little-endian.
 *
 *   offset  size  field
 *   0       8     magic "\x89MLSHIP\n"
 *   8       4     u32 format version                     } the envelope: the same in every
 *   12      4     u32 header length (64)                 } version, so any reader can check
 *   16      8     u64 total length, checksum included    } size and checksum before it looks
 *   24      8     u64 metadata length (JSON, UTF-8)        at the version
 *   32      8     u64 tree length (JSON, UTF-8)
 *   40      8     u64 data offset (multiple of 8)
 *   48      8     u64 data length
 *   56      8     reserved (0)
 *   64      m     metadata JSON
 *   64+m    t     tree JSON: { snapshot, arrays: [{ dtype, offset, length }] }
 *           pad   zeros up to the data offset
 *   data    d     raw array bytes, each array at an 8-byte aligned offset (relative to data)
 *   end-32  32    sha256 of every byte before it
 *
 * In the JSON blocks a typed array is `{ "$array": i }` (index into the array table); a long
 * array of strings (a vocabulary) is `{ "$strings": i }`, stored in the data block as its UTF-16
 * end offsets (uint32, aligned) followed by the UTF-8 bytes of the concatenated strings; a number
 * JSON cannot hold (NaN, ±Infinity, -0) is `{ "$num": "NaN" }`, and a plain object that happens
 * to use one of these keys is wrapped as `{ "$obj": {...} }`.
 */

/** The container format version this build of mlship writes. */
export const FORMAT_VERSION = 1;
/** The container format versions this build of mlship reads. */
export const SUPPORTED_VERSIONS: readonly number[] = [1];

const MAGIC = Uint8Array.of(0x89, 0x4d, 0x4c, 0x53, 0x48, 0x49, 0x50, 0x0a);
const HEADER_LENGTH = 64;
/** Bytes of the version-independent envelope at the start: magic, version, header length, total length. */
const ENVELOPE_LENGTH = 24;
const CHECKSUM_LENGTH = 32;
const ALIGN = 8;

type DType = 'float64' | 'float32' | 'int32' | 'uint32' | 'int16' | 'uint16' | 'int8' | 'uint8' | 'int64' | 'uint64';
type TypedArray =
  | Float64Array
  | Float32Array
  | Int32Array
  | Uint32Array
  | Int16Array
  | Uint16Array
  | Int8Array
  | Uint8Array
  | BigInt64Array
  | BigUint64Array;
type TypedArrayCtor = { new (buffer: ArrayBuffer, byteOffset: number, length: number): TypedArray; new (length: number): TypedArray; BYTES_PER_ELEMENT: number };

const DTYPES: Record<DType, TypedArrayCtor> = {
  float64: Float64Array,
  float32: Float32Array,
  int32: Int32Array,
  uint32: Uint32Array,
  int16: Int16Array,
  uint16: Uint16Array,
  int8: Int8Array,
  uint8: Uint8Array,
  int64: BigInt64Array,
  uint64: BigUint64Array,
};

function dtypeOf(a: ArrayBufferView): DType | undefined {
  if (a instanceof Float64Array) return 'float64';
  if (a instanceof Float32Array) return 'float32';
  if (a instanceof Int32Array) return 'int32';
  if (a instanceof Uint32Array) return 'uint32';
  if (a instanceof Int16Array) return 'int16';
  if (a instanceof Uint16Array) return 'uint16';
  if (a instanceof Int8Array) return 'int8';
  if (a instanceof Uint8Array && !(a instanceof Uint8ClampedArray)) return 'uint8';
  if (a instanceof BigInt64Array) return 'int64';
  if (a instanceof BigUint64Array) return 'uint64';
  return undefined;
}

const BIG_ENDIAN_HOST = endianness() === 'BE';

/** Reverses the bytes of each element in place (only used on big-endian hosts). */
function swapBytes(bytes: Uint8Array, size: number): void {
  if (size === 1) return;
  for (let p = 0; p + size <= bytes.length; p += size) {
    for (let i = 0, j = size - 1; i < j; i++, j--) {
      const t = bytes[p + i]!;
      bytes[p + i] = bytes[p + j]!;
      bytes[p + j] = t;
    }
  }
}

interface ArrayEntry {
  dtype: DType | 'strings';
  /** Byte offset relative to the data region. */
  offset: number;
  /** Number of elements. */
  length: number;
  /** strings only: byte length of the UTF-8 text after the offsets. */
  byteLength?: number;
}

/** A packed string array: end offsets (UTF-16 code units) and the UTF-8 bytes of the concatenation. */
interface PackedStrings {
  ends: Uint32Array;
  bytes: Uint8Array;
}

/** Arrays of at least this many strings are packed into the data block instead of the JSON. */
const PACK_MIN_STRINGS = 32;

const RESERVED = ['$array', '$strings', '$num', '$obj'];

/** Walks a value tree, replacing typed arrays with table references and tagging special numbers. */
class TreeEncoder {
  readonly arrays: (TypedArray | PackedStrings)[] = [];
  readonly entries: ArrayEntry[] = [];
  private readonly index = new Map<ArrayBufferView, number>();
  private dataLength = 0;
  private readonly path = new Set<object>();

  get byteLength(): number {
    return this.dataLength;
  }

  encode(v: unknown, at: string, allowArrays: boolean): unknown {
    switch (typeof v) {
      case 'string':
      case 'boolean':
        return v;
      case 'number':
        if (Number.isFinite(v) && !Object.is(v, -0)) return v;
        return { $num: Object.is(v, -0) ? '-0' : String(v) };
      case 'undefined':
        return null;
      case 'object':
        break;
      default:
        throw new MlshipError('INVALID_ARGUMENT', `${at} is a ${typeof v} and cannot be stored in a model package; store numbers, strings, booleans, arrays, plain objects or typed arrays`, { field: at });
    }
    if (v === null) return null;
    if (ArrayBuffer.isView(v)) {
      if (!allowArrays) throw new MlshipError('INVALID_ARGUMENT', `${at} is a typed array; metadata holds JSON values only`, { field: at });
      return { $array: this.addArray(v, at) };
    }
    if (this.path.has(v)) throw new MlshipError('INVALID_ARGUMENT', `${at} refers back to one of its parents; a model package stores trees, not cycles`, { field: at });
    this.path.add(v);
    try {
      if (Array.isArray(v)) {
        if (allowArrays && v.length >= PACK_MIN_STRINGS && isPackable(v)) return { $strings: this.addStrings(v) };
        return v.map((x, i) => this.encode(x, `${at}[${i}]`, allowArrays));
      }
      const proto = Object.getPrototypeOf(v);
      if (proto !== Object.prototype && proto !== null) {
        const kind = (v as object).constructor?.name ?? 'object';
        throw new MlshipError('INVALID_ARGUMENT', `${at} is a ${kind} instance; a model package stores plain objects, arrays and typed arrays only (convert it in getState())`, { field: at });
      }
      const out: Record<string, unknown> = {};
      let reserved = false;
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
        if (x === undefined) continue;
        if (RESERVED.includes(k)) reserved = true;
        out[k] = this.encode(x, `${at}.${k}`, allowArrays);
      }
      return reserved ? { $obj: out } : out;
    } finally {
      this.path.delete(v);
    }
  }

  private addStrings(v: string[]): number {
    const ends = new Uint32Array(v.length);
    let end = 0;
    for (let i = 0; i < v.length; i++) {
      end += v[i]!.length;
      ends[i] = end;
    }
    const bytes = utf8.encode(v.join(''));
    const i = this.entries.length;
    this.entries.push({ dtype: 'strings', offset: this.dataLength, length: v.length, byteLength: bytes.length });
    this.arrays.push({ ends, bytes });
    this.dataLength += alignUp(ends.byteLength) + alignUp(bytes.length);
    return i;
  }

  private addArray(v: ArrayBufferView, at: string): number {
    const seen = this.index.get(v);
    if (seen !== undefined) return seen;
    const dtype = dtypeOf(v);
    if (!dtype) throw new MlshipError('INVALID_ARGUMENT', `${at} is a ${v.constructor.name}, which a model package cannot store; use one of ${Object.keys(DTYPES).join(', ')} typed arrays`, { field: at });
    const a = v as TypedArray;
    const i = this.entries.length;
    this.entries.push({ dtype, offset: this.dataLength, length: a.length });
    this.arrays.push(a);
    this.index.set(v, i);
    this.dataLength += alignUp(a.byteLength);
    return i;
  }
}

/** True for an array of well-formed strings (lone surrogates would not survive UTF-8). */
function isPackable(v: unknown[]): v is string[] {
  let total = 0;
  for (const x of v) {
    if (typeof x !== 'string' || !isWellFormed(x)) return false;
    total += x.length;
  }
  return total <= 0xffffffff;
}

function isWellFormed(s: string): boolean {
  for (let k = 0; k < s.length; k++) {
    const c = s.charCodeAt(k);
    if (c < 0xd800 || c > 0xdfff) continue;
    if (c > 0xdbff) return false;
    const d = s.charCodeAt(k + 1);
    if (!(d >= 0xdc00 && d <= 0xdfff)) return false;
    k++;
  }
  return true;
}

function alignUp(n: number): number {
  return Math.ceil(n / ALIGN) * ALIGN;
}

const utf8 = new TextEncoder();

/**
 * Encodes a fitted estimator as a model package in memory (the bytes `saveModel` writes).
 *
 * @example
 * ```ts
 * const bytes = encodeModel(pipeline, { metrics: { accuracy: 0.97 }, tags: { dataset: 'spam-assassin' } });
 * const { estimator, metadata } = decodeModel(bytes);
 * ```
 */
export function encodeModel(estimator: BaseEstimator<any>, options: SaveModelOptions = {}): Uint8Array {
  if (!isEstimator(estimator)) {
    throw new MlshipError('INVALID_ARGUMENT', 'estimator must be an mlship estimator (a BaseEstimator such as a Pipeline or MultinomialNB)', { field: 'estimator' });
  }
  if (!estimator.isFitted) {
    throw new MlshipError('NOT_FITTED', `This ${estimator.estimatorName} instance is not fitted yet; call fit() with training data before saving it as a model package.`, { field: 'estimator' });
  }
  const metadata = buildMetadata(estimator, options, FORMAT_VERSION);
  const enc = new TreeEncoder();
  const tree = enc.encode(estimator.toSnapshot(), 'estimator', true);
  metadata.arrays = { count: enc.arrays.length, bytes: enc.byteLength };
  const metaBytes = utf8.encode(JSON.stringify(new TreeEncoder().encode(metadata, 'metadata', false)));
  const treeBytes = utf8.encode(JSON.stringify({ snapshot: tree, arrays: enc.entries }));
  const dataOffset = alignUp(HEADER_LENGTH + metaBytes.length + treeBytes.length);
  const dataLength = enc.byteLength;
  const total = dataOffset + dataLength + CHECKSUM_LENGTH;

  const out = new Uint8Array(total);
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  out.set(MAGIC, 0);
  view.setUint32(8, FORMAT_VERSION, true);
  view.setUint32(12, HEADER_LENGTH, true);
  view.setBigUint64(16, BigInt(total), true);
  view.setBigUint64(24, BigInt(metaBytes.length), true);
  view.setBigUint64(32, BigInt(treeBytes.length), true);
  view.setBigUint64(40, BigInt(dataOffset), true);
  view.setBigUint64(48, BigInt(dataLength), true);
  out.set(metaBytes, HEADER_LENGTH);
  out.set(treeBytes, HEADER_LENGTH + metaBytes.length);
  enc.entries.forEach((e, i) => {
    const a = enc.arrays[i]!;
    const at = dataOffset + e.offset;
    if ('ends' in a) {
      writeArray(out, at, a.ends);
      out.set(a.bytes, at + alignUp(a.ends.byteLength));
    } else {
      writeArray(out, at, a);
    }
  });
  out.set(createHash('sha256').update(out.subarray(0, total - CHECKSUM_LENGTH)).digest(), total - CHECKSUM_LENGTH);
  return out;
}

function writeArray(out: Uint8Array, at: number, a: TypedArray): void {
  out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), at);
  if (BIG_ENDIAN_HOST) swapBytes(out.subarray(at, at + a.byteLength), a.BYTES_PER_ELEMENT);
}

/** The parsed fixed header of a version-1 container. */
export interface ContainerHeader {
  version: number;
  headerLength: number;
  total: number;
  metaLength: number;
  treeLength: number;
  dataOffset: number;
  dataLength: number;
}

/**
 * Checks the envelope (magic, size) of the first bytes of a container and parses its header.
 * `head` must hold at least the first {@link HEADER_LENGTH} bytes when the file is that long;
 * `actualSize` is the size of the whole file or buffer. The checksum is checked by the caller.
 */
export function parseHeader(head: Uint8Array, actualSize: number, source: string): ContainerHeader {
  if (actualSize > 0 && actualSize < ENVELOPE_LENGTH && MAGIC.subarray(0, Math.min(actualSize, MAGIC.length)).every((b, i) => head[i] === b)) {
    throw new MlshipError('CORRUPT_ARTIFACT', `${source} is truncated: ${actualSize} bytes, shorter than the ${ENVELOPE_LENGTH}-byte header; the file was not fully written or copied`, { file: source, actual: actualSize });
  }
  if (actualSize < MAGIC.length || !MAGIC.every((b, i) => head[i] === b)) {
    throw new MlshipError('CORRUPT_ARTIFACT', `${source} is not an mlship model package (it does not start with the model package signature); pass a file written by saveModel() or \`mlship train\``, { file: source });
  }
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const version = view.getUint32(8, true);
  const total = u64(view, 16);
  if (actualSize !== total) {
    const what = actualSize < total ? 'truncated' : 'longer than its header says';
    throw new MlshipError('CORRUPT_ARTIFACT', `${source} is ${what}: expected ${total} bytes, found ${actualSize}; copy the file again or re-save the model`, { file: source, expected: total, actual: actualSize });
  }
  if (total < HEADER_LENGTH + CHECKSUM_LENGTH) {
    throw new MlshipError('CORRUPT_ARTIFACT', `${source} is damaged: its header declares ${total} bytes, too small for a model package`, { file: source, expected: total });
  }
  return {
    version,
    total,
    headerLength: view.getUint32(12, true),
    metaLength: u64(view, 24),
    treeLength: u64(view, 32),
    dataOffset: u64(view, 40),
    dataLength: u64(view, 48),
  };
}

/** Fails with UNSUPPORTED_VERSION unless this build reads `header.version`; then checks the layout. */
export function checkVersionAndLayout(header: ContainerHeader, source: string): void {
  if (!SUPPORTED_VERSIONS.includes(header.version)) {
    const newer = header.version > FORMAT_VERSION;
    throw new MlshipError(
      'UNSUPPORTED_VERSION',
      `${source} uses model package format version ${header.version}; this mlship (${SUPPORTED_VERSIONS.length === 1 ? 'version' : 'versions'} ${SUPPORTED_VERSIONS.join(', ')} supported) cannot read it. ${newer ? 'Upgrade mlship to load it.' : 'Re-save the model with a supported mlship.'}`,
      { file: source, value: header.version, supported: [...SUPPORTED_VERSIONS] },
    );
  }
  const { metaLength, treeLength, dataOffset, dataLength, total } = header;
  const ok =
    header.headerLength === HEADER_LENGTH &&
    dataOffset % ALIGN === 0 &&
    HEADER_LENGTH + metaLength + treeLength <= dataOffset &&
    dataOffset + dataLength + CHECKSUM_LENGTH === total;
  if (!ok) throw new MlshipError('CORRUPT_ARTIFACT', `${source} is damaged: its header block lengths do not add up to the file size`, { file: source });
}

function u64(view: DataView, at: number): number {
  const v = view.getBigUint64(at, true);
  return v > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(v);
}

/** Compares the trailing sha256 with the hash of everything before it. */
export function verifyChecksum(bytes: Uint8Array, source: string): void {
  const end = bytes.length - CHECKSUM_LENGTH;
  const actual = createHash('sha256').update(bytes.subarray(0, end)).digest();
  checksumMatches(actual, bytes.subarray(end), source);
}

/** Fails with CORRUPT_ARTIFACT unless the computed digest equals the stored one. */
export function checksumMatches(computed: Uint8Array, stored: Uint8Array, source: string): void {
  let same = computed.length === stored.length;
  for (let i = 0; same && i < computed.length; i++) same = computed[i] === stored[i];
  if (!same) {
    throw new MlshipError(
      'CORRUPT_ARTIFACT',
      `${source} is corrupt: checksum mismatch (stored sha256 ${hex(stored).slice(0, 16)}..., computed ${hex(computed).slice(0, 16)}...); the file was altered or damaged after it was saved`,
      { file: source },
    );
  }
}

function hex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

/** Parses and validates the metadata JSON block. */
export function parseMetadata(bytes: Uint8Array, source: string): ModelMetadata {
  const raw = parseJson(bytes, source, 'metadata');
  const meta = decodeTree(raw, [], source) as ModelMetadata;
  if (typeof meta !== 'object' || meta === null || typeof meta.estimator !== 'string' || typeof meta.formatVersion !== 'number') {
    throw new MlshipError('CORRUPT_ARTIFACT', `${source} is damaged: its metadata block lacks the estimator name or format version`, { file: source });
  }
  return meta;
}

const utf8Strict = new TextDecoder('utf-8', { fatal: true });

function parseJson(bytes: Uint8Array, source: string, block: string): unknown {
  try {
    return JSON.parse(utf8Strict.decode(bytes));
  } catch (err) {
    throw new MlshipError('CORRUPT_ARTIFACT', `${source} is damaged: its ${block} block is not valid UTF-8 JSON (${(err as Error).message})`, { file: source }, { cause: err });
  }
}

function decodeTree(v: unknown, arrays: readonly (TypedArray | string[])[], source: string): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) v[i] = decodeTree(v[i], arrays, source);
    return v;
  }
  const obj = v as Record<string, unknown>;
  if ('$array' in obj || '$strings' in obj) {
    const ref = ('$array' in obj ? obj.$array : obj.$strings) as number;
    const a = arrays[ref];
    if (!a || Array.isArray(a) !== '$strings' in obj) throw new MlshipError('CORRUPT_ARTIFACT', `${source} is damaged: bad reference ${JSON.stringify(obj)} into the array table`, { file: source });
    return a;
  }
  if ('$num' in obj) {
    const n = obj.$num === '-0' ? -0 : Number(obj.$num);
    return n;
  }
  const target = '$obj' in obj ? (obj.$obj as Record<string, unknown>) : obj;
  for (const k of Object.keys(target)) {
    const value = decodeTree(target[k], arrays, source);
    // An own '__proto__' key (JSON.parse makes one) must stay a plain property, not a prototype change.
    if (k === '__proto__') Object.defineProperty(target, k, { value, enumerable: true, writable: true, configurable: true });
    else target[k] = value;
  }
  return target;
}

/** What {@link decodeModel} and `loadModel` return. */
export interface LoadedModel {
  /** The rebuilt, fitted estimator. */
  estimator: BaseEstimator<any>;
  /** The package's metadata block. */
  metadata: ModelMetadata;
}

/** Options of {@link decodeModel}. */
export interface DecodeModelOptions {
  /**
   * Let the estimator's arrays be views into `bytes` when they are aligned, instead of copying the
   * data region once. Only safe when the caller never modifies `bytes` afterwards.
   * @default false
   */
  shareBuffer?: boolean;
  /** Name used for the source in error messages. @default 'model package' */
  source?: string;
}

/**
 * Decodes a model package from memory: checks size, checksum and version, then rebuilds the
 * estimator. Arrays are views into one buffer (a single copy of the data region, or `bytes` itself
 * with `shareBuffer`).
 *
 * @example
 * ```ts
 * const { estimator, metadata } = decodeModel(await fetchBytes(url));
 * estimator.predict(['free money']);
 * ```
 */
export function decodeModel(bytes: Uint8Array, options: DecodeModelOptions = {}): LoadedModel {
  const { metadata, snapshot } = decodeContainer(bytes, options.source ?? 'model package', options.shareBuffer ?? false);
  return { estimator: rebuild(snapshot, metadata, options.source ?? 'model package'), metadata };
}

/**
 * Reads the metadata block of an in-memory model package without materialising its arrays (the
 * checksum is still verified).
 *
 * @example
 * ```ts
 * decodeModelMetadata(bytes).metrics.accuracy;
 * ```
 */
export function decodeModelMetadata(bytes: Uint8Array, source = 'model package'): ModelMetadata {
  const header = parseHeader(bytes, bytes.length, source);
  verifyChecksum(bytes, source);
  checkVersionAndLayout(header, source);
  return parseMetadata(bytes.subarray(HEADER_LENGTH, HEADER_LENGTH + header.metaLength), source);
}

/** Size of the fixed header of the current format, for readers that fetch the head first. */
export const HEADER_BYTES = HEADER_LENGTH;
/** Size of the trailing checksum. */
export const CHECKSUM_BYTES = CHECKSUM_LENGTH;

/** Decodes the container into metadata and a snapshot whose arrays are materialised. */
export function decodeContainer(bytes: Uint8Array, source: string, shareBuffer: boolean): { metadata: ModelMetadata; snapshot: EstimatorSnapshot } {
  const header = parseHeader(bytes, bytes.length, source);
  verifyChecksum(bytes, source);
  checkVersionAndLayout(header, source);
  const metaStart = HEADER_LENGTH;
  const treeStart = metaStart + header.metaLength;
  const metadata = parseMetadata(bytes.subarray(metaStart, treeStart), source);
  const tree = parseJson(bytes.subarray(treeStart, treeStart + header.treeLength), source, 'tree') as { snapshot?: unknown; arrays?: unknown };
  if (!tree || typeof tree !== 'object' || !Array.isArray(tree.arrays) || typeof tree.snapshot !== 'object') {
    throw new MlshipError('CORRUPT_ARTIFACT', `${source} is damaged: its estimator block lacks the snapshot or array table`, { file: source });
  }
  const arrays = materialiseArrays(bytes, header, tree.arrays, source, shareBuffer);
  const snapshot = decodeTree(tree.snapshot, arrays, source) as EstimatorSnapshot;
  return { metadata, snapshot };
}

function materialiseArrays(bytes: Uint8Array, header: ContainerHeader, table: unknown[], source: string, shareBuffer: boolean): (TypedArray | string[])[] {
  const { dataOffset, dataLength } = header;
  let base: ArrayBuffer;
  let baseOffset: number;
  const absolute = bytes.byteOffset + dataOffset;
  if (shareBuffer && !BIG_ENDIAN_HOST && absolute % ALIGN === 0 && bytes.buffer instanceof ArrayBuffer) {
    base = bytes.buffer;
    baseOffset = absolute;
  } else {
    base = new ArrayBuffer(dataLength);
    new Uint8Array(base).set(bytes.subarray(dataOffset, dataOffset + dataLength));
    baseOffset = 0;
  }
  const damaged = (i: number, raw: unknown, why: string): MlshipError =>
    new MlshipError('CORRUPT_ARTIFACT', `${source} is damaged: array table entry ${i} (${JSON.stringify(raw)}) ${why}`, { file: source });
  return table.map((raw, i) => {
    const e = raw as Partial<ArrayEntry>;
    if (e.dtype === 'strings') {
      const n = e.length!;
      const nBytes = e.byteLength!;
      const textAt = e.offset! + alignUp(n * 4);
      const ok = [e.offset, n, nBytes].every((x) => Number.isInteger(x) && x! >= 0) && e.offset! % ALIGN === 0 && textAt + nBytes <= dataLength;
      if (!ok) throw damaged(i, raw, `does not fit the ${dataLength}-byte data block`);
      const ends = new Uint32Array(base, baseOffset + e.offset!, n);
      if (BIG_ENDIAN_HOST) swapBytes(new Uint8Array(ends.buffer, ends.byteOffset, ends.byteLength), 4);
      let text: string;
      try {
        text = utf8Strict.decode(new Uint8Array(base, baseOffset + textAt, nBytes));
      } catch {
        throw damaged(i, raw, 'holds invalid UTF-8');
      }
      const out = new Array<string>(n);
      let prev = 0;
      for (let k = 0; k < n; k++) {
        const end = ends[k]!;
        if (end < prev || end > text.length) throw damaged(i, raw, `has a string end offset out of order at ${k}`);
        out[k] = text.slice(prev, end);
        prev = end;
      }
      if (prev !== text.length) throw damaged(i, raw, 'has string offsets that do not cover its text');
      return out;
    }
    const Ctor = typeof e.dtype === 'string' ? DTYPES[e.dtype as DType] : undefined;
    const ok =
      Ctor !== undefined &&
      Number.isInteger(e.offset) &&
      Number.isInteger(e.length) &&
      e.offset! >= 0 &&
      e.length! >= 0 &&
      e.offset! % ALIGN === 0 &&
      e.offset! + e.length! * Ctor.BYTES_PER_ELEMENT <= dataLength;
    if (!ok) throw damaged(i, raw, `does not fit the ${dataLength}-byte data block`);
    const a = new Ctor(base, baseOffset + e.offset!, e.length!);
    if (BIG_ENDIAN_HOST) swapBytes(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), Ctor.BYTES_PER_ELEMENT);
    return a;
  });
}

/** Rebuilds the estimator, prefixing errors with the source. */
export function rebuild(snapshot: EstimatorSnapshot, metadata: ModelMetadata, source: string): BaseEstimator<any> {
  try {
    return BaseEstimator.fromSnapshot(snapshot);
  } catch (err) {
    if (err instanceof MlshipError) {
      const hint = err.code === 'NOT_FOUND' ? ` (the package holds a ${metadata.estimator} written by mlship ${metadata.mlshipVersion})` : '';
      throw new MlshipError(err.code, `${source}: ${err.message}${hint}`, { ...err.details, file: source }, { cause: err });
    }
    throw new MlshipError('CORRUPT_ARTIFACT', `${source}: the estimator could not be rebuilt from the package: ${(err as Error).message}`, { file: source }, { cause: err });
  }
}
