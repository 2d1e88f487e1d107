/**
 * The main-thread side of histogram building: the training buffers (binned X, gradients, hessians,
 * partition) and the histogram slots, in shared memory when worker threads help. A histogram build
 * splits the features into chunks that the threads claim one at a time (an `Atomics.add` on a shared
 * counter), so a thread that is descheduled or slow holds the others back by one chunk at most;
 * workers are woken and acknowledged through `Atomics` on a small control block, so `fit` stays
 * synchronous and a build costs microseconds of handshake. Workers are started once per process and
 * reused by later fits. Where WebAssembly is available, binned X, the partition, the gradients, the
 * scratch buffers and the histogram slots are views of one shared `WebAssembly.Memory`, and the
 * histogram passes and the partition loop run as WebAssembly kernels (wasm-histogram.ts) on it;
 * the split search of a node (after the sibling's subtraction), the binning (features claimed one
 * at a time) and the raw-prediction update after a tree (leaves claimed one at a time, the raw
 * predictions in shared memory) are shared among the threads too, and the training loss of the
 * early stopping runs on a worker while the main thread computes the next gradients. Small nodes
 * are shared only with workers that are awake: waking a sleeping one costs more than such a node.
 */
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { MlshipError, siblingModule, startModuleWorker } from '../../../core/index.js';
import { buildClaimedChunks, buildHistograms, featureChunks, gatherGradients, groupCount, nodeGradients, packGroups, type HistSource } from './histogram.js';
import { binClaimedColumns, binColumns, toColumns, type BinMapping } from './binning.js';
import { kernelChunkRows, kernelRows, predictCompiled, walkOnMemory, type CompiledForest } from './predictor.js';
import { addClaimedLeaves, addLeafValue, mergeChunks, partitionClaimedChunks, splitIndices, SPLIT_CHUNKS } from './partition.js';
import { C, CMD_BIN, CMD_BUILD, CMD_LEAVES, CMD_LOSS, CMD_PREDICT, CMD_SEARCH, CMD_SPLIT, CTRL_LEN, SPIN_MS, type SessionMessage, type SharedView } from './protocol.js';
import { SPLIT_FIELDS, searchClaimedChunks, searchRange, type SplitOptions } from './grower.js';
import type { HgbLoss } from './loss.js';
import { PAGE_BYTES, histKernels, histMemory, type WasmMemory } from './wasm-histogram.js';

interface PoolWorker {
  worker: Worker;
  ctrl: Int32Array;
  port: MessagePort;
  seq: number;
}

const pool: PoolWorker[] = [];
const REPLY_TIMEOUT_MS = 600_000;

function startHistWorker(): PoolWorker {
  const url = siblingModule(import.meta.url, 'hist-worker');
  const ctrlBuf = new SharedArrayBuffer(CTRL_LEN * 4);
  const { port1, port2 } = new MessageChannel();
  const onLoadError = `(e, d) => { const c = new Int32Array(d.ctrl); Atomics.store(c, ${C.ERR}, 1); Atomics.store(c, ${C.READY}, 1); Atomics.notify(c, ${C.READY}); console.error(e); }`;
  const worker = startModuleWorker(url, { workerData: { ctrl: ctrlBuf, port: port2 }, transferList: [port2] }, onLoadError);
  worker.unref();
  port1.unref();
  return { worker, ctrl: new Int32Array(ctrlBuf), port: port1, seq: 0 };
}

function fail(message: string): never {
  throw new MlshipError('INTERNAL', `${message}; retry with nJobs: 1 to build histograms on the main thread only`);
}

/**
 * The first `count` pooled workers, started on first use. A worker that is still loading simply
 * claims no task (the main thread does the work); one that failed to load is dropped.
 */
function acquireWorkers(count: number): PoolWorker[] {
  for (let i = pool.length - 1; i >= 0; i--) {
    if (Atomics.load(pool[i]!.ctrl, C.ERR) !== 0 && Atomics.load(pool[i]!.ctrl, C.READY) !== 0) {
      void pool[i]!.worker.terminate();
      pool.splice(i, 1);
    }
  }
  while (pool.length < count) pool.push(startHistWorker());
  return pool.slice(0, count);
}

function issue(w: PoolWorker, cmd: number, fields?: (ctrl: Int32Array) => void): void {
  fields?.(w.ctrl);
  Atomics.store(w.ctrl, C.CMD, cmd);
  w.seq = w.seq >= 0x3fffffff ? 1 : w.seq + 1;
  Atomics.store(w.ctrl, C.TASK, w.seq);
  Atomics.store(w.ctrl, C.SEQ, w.seq);
  if (Atomics.load(w.ctrl, C.WORKER_WAITING) === 1) Atomics.notify(w.ctrl, C.SEQ);
}

function awaitAck(w: PoolWorker): void {
  let ack = Atomics.load(w.ctrl, C.ACK);
  if (ack !== w.seq) {
    const until = performance.now() + SPIN_MS;
    for (let spin = 1; ack !== w.seq; spin++) {
      ack = Atomics.load(w.ctrl, C.ACK);
      if ((spin & 1023) === 0 && performance.now() > until) break;
    }
  }
  const t0 = Date.now();
  while (ack !== w.seq) {
    if (Date.now() - t0 > REPLY_TIMEOUT_MS) fail('a histogram worker thread stopped answering');
    Atomics.store(w.ctrl, C.MAIN_WAITING, 1);
    Atomics.wait(w.ctrl, C.ACK, ack, 1000);
    Atomics.store(w.ctrl, C.MAIN_WAITING, 0);
    ack = Atomics.load(w.ctrl, C.ACK);
  }
  if (Atomics.load(w.ctrl, C.ERR) !== 0) {
    Atomics.store(w.ctrl, C.ERR, 0);
    fail('a histogram worker thread failed while building histograms');
  }
}

/**
 * Completes the task last issued to `w`: if the worker has not claimed it yet (it is asleep or not
 * scheduled), the main thread takes it back and runs `local` itself; otherwise waits for the worker.
 */
function finish(w: PoolWorker, local: () => void): void {
  if (stealing && Atomics.compareExchange(w.ctrl, C.TASK, w.seq, 0) === w.seq) local();
  else awaitAck(w);
}

let stealing = true;

/**
 * For tests: with `false`, the main thread never takes a task back, so the workers' share is
 * always computed by the workers (used to check that results do not depend on the thread count).
 * Returns the number of tasks the workers have completed so far.
 */
export function workerTasks(steal?: boolean): number {
  if (steal !== undefined) stealing = steal;
  let total = 0;
  for (const w of pool) total += Atomics.load(w.ctrl, C.DONE);
  return total;
}

function buffer(bytes: number, shared: boolean): ArrayBuffer | SharedArrayBuffer {
  return shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes);
}

/** A typed array on shared memory as a worker message carries it. */
function view(a: Uint8Array | Int32Array | Float32Array | Float64Array): SharedView {
  return { buffer: a.buffer as SharedArrayBuffer, byteOffset: a.byteOffset, length: a.length };
}

/** A node whose splits are searched: its histogram slot, samples and sums. */
export interface SearchNode {
  slot: number;
  start: number;
  stop: number;
  sumG: number;
  sumH: number;
  value: number;
}

/** Options of {@link HistogramStore}. */
export interface HistogramStoreOptions {
  n: number;
  nFeatures: number;
  /** Bins per feature including the missing-values bin. */
  nBins: number;
  constantHessian: boolean;
  /** Trees per iteration (gradient blocks). */
  k: number;
  /** Worker threads besides the main thread. */
  workers: number;
  /** Histogram slots per allocation page. */
  slotsPerPage: number;
}

/**
 * Nodes smaller than this (samples x features) are built on the main thread alone unless the
 * workers are awake (polling for work): a sleeping worker costs a wake-up (a system call, and a
 * context switch on a busy machine) that a small node does not pay back.
 */
const PARALLEL_MIN_WORK = 100_000;
/** Nodes with fewer samples than this are partitioned on the main thread alone. */
const PARALLEL_MIN_SPLIT = 32_768;
/** Leaves a raw-prediction update shares among the threads at most (larger trees: the main thread alone). */
const LEAF_TABLE_MAX = 256;
/** Training sets smaller than this (samples x features) are binned on the main thread alone. */
const PARALLEL_MIN_BIN = 100_000;

/** Training buffers and histogram slots of one fit (see the module comment). */
export class HistogramStore {
  readonly src: HistSource;
  /** Doubles per node histogram (all features). */
  readonly slotLen: number;
  private readonly pages: Float64Array[] = [];
  private readonly free: number[] = [];
  private readonly workers: PoolWorker[];
  private readonly og: Float32Array;
  private readonly oh: Float32Array;
  /** Feature chunks of a histogram build, and the shared counter threads claim them with. */
  private readonly chunks: Int32Array;
  private readonly claim: Int32Array;
  /** Partition scratch (as long as `part`) and the left count of each partition chunk. */
  private readonly scratch: Int32Array;
  private readonly lefts: Int32Array;
  private readonly shared: boolean;
  /** The kernels' memory (null: JavaScript passes), and the end of its used part in bytes. */
  private readonly memory: WasmMemory | null;
  private arenaEnd: number;
  /** Split searches: node arguments, node slots, per-feature results, and the options sent to the workers. */
  private readonly searchArgs: Float64Array;
  private readonly searchSlots = new Int32Array(2);
  private readonly searchRes: Float64Array;
  private searchSent: Int32Array | null = null;
  /** The raw predictions of the training rows (`n x k` row-major), shared with the workers. */
  readonly raw: Float64Array;
  /** `[start, stop, value]` per leaf of a raw-prediction update. */
  private readonly leafTable: Float64Array;
  /** The training targets whose shared copy the worker computes {@link trainLoss} on (null: none sent yet). */
  private lossSentFor: Float64Array | null = null;
  /** Where the worker writes the training loss. */
  private readonly lossOut: Float64Array;
  /** Whether the last histogram build was shared with the workers. */
  private lastBuildShared = false;
  /** Per feature and bin, the root's sample counts (set by the first root build). */
  private rootCounts: Float64Array | null = null;

  constructor(private readonly options: HistogramStoreOptions) {
    const { n, nFeatures, nBins, k } = options;
    this.workers = options.workers > 0 ? acquireWorkers(Math.min(options.workers, Math.max(0, nFeatures - 1))) : [];
    const shared = this.workers.length > 0;
    this.shared = shared;
    const stride = nBins * 3;
    this.slotLen = stride * nFeatures;
    const hessLen = options.constantHessian ? 1 : n * k;
    const scratchLen = options.constantHessian ? 0 : n;
    // The buffers the histogram passes read, and the gathered gradients of a node, in one
    // WebAssembly memory when the kernels are available (64-byte aligned regions).
    const regions = [4 * n * groupCount(nFeatures), 4 * n, 4 * n * k, 4 * hessLen, n * nFeatures, 4 * n, 4 * n, 4 * scratchLen];
    const at: number[] = [];
    let total = 0;
    for (const bytes of regions) {
      at.push(total);
      total += Math.ceil(bytes / 64) * 64;
    }
    const memory = histMemory(total);
    this.memory = memory;
    this.arenaEnd = total;
    const sab = memory ? (memory.buffer as unknown as SharedArrayBuffer) : null;
    const region = <T>(r: number, make: (buf: ArrayBuffer | SharedArrayBuffer, byteOffset: number, length: number) => T, length: number, bytesPer = 4): T =>
      sab ? make(sab, at[r]!, length) : make(buffer(bytesPer * length, shared), 0, length);
    const u8 = (buf: ArrayBuffer | SharedArrayBuffer, o: number, len: number): Uint8Array => new Uint8Array(buf, o, len);
    const i32 = (buf: ArrayBuffer | SharedArrayBuffer, o: number, len: number): Int32Array => new Int32Array(buf, o, len);
    const f32 = (buf: ArrayBuffer | SharedArrayBuffer, o: number, len: number): Float32Array => new Float32Array(buf, o, len);
    this.src = {
      xb: region(4, u8, n * nFeatures, 1),
      xg: region(0, i32, n * groupCount(nFeatures)),
      n,
      grad: region(2, f32, n * k),
      hess: region(3, f32, hessLen),
      part: region(1, i32, n),
      stride,
      constantHessian: options.constantHessian,
      wasm: memory ? histKernels(memory) : null,
    };
    this.og = region(6, f32, n);
    this.oh = region(7, f32, scratchLen);
    this.chunks = featureChunks(nFeatures);
    // The counter sits alone on its cache line (16 ints = 64 bytes).
    this.claim = new Int32Array(buffer(64, shared));
    this.scratch = region(5, i32, n);
    this.lefts = new Int32Array(buffer(4 * SPLIT_CHUNKS, shared));
    this.searchArgs = new Float64Array(buffer(8 * 8, shared));
    this.searchRes = new Float64Array(buffer(8 * 2 * nFeatures * SPLIT_FIELDS, shared));
    this.raw = new Float64Array(buffer(8 * n * k, shared));
    this.leafTable = new Float64Array(buffer(8 * 3 * LEAF_TABLE_MAX, shared));
    this.lossOut = new Float64Array(buffer(8, shared));
    if (shared) {
      const msg: SessionMessage = {
        type: 'session',
        memory,
        xb: view(this.src.xb),
        xg: view(this.src.xg),
        grad: view(this.src.grad),
        hess: view(this.src.hess),
        part: view(this.src.part),
        og: view(this.og),
        oh: view(this.oh),
        claim: this.claim.buffer as SharedArrayBuffer,
        scratch: view(this.scratch),
        lefts: this.lefts.buffer as SharedArrayBuffer,
        n,
        nFeatures,
        stride,
        constantHessian: options.constantHessian,
        slotsPerPage: options.slotsPerPage,
        slotLen: this.slotLen,
        raw: view(this.raw),
        leaves: this.leafTable.buffer as SharedArrayBuffer,
      };
      for (const w of this.workers) w.port.postMessage(msg);
    }
  }

  /** Number of threads building histograms (main included). */
  get threads(): number {
    return this.workers.length + 1;
  }

  /**
   * Fits the bin thresholds of every feature and bins the training rows of X (row-major, `d`
   * values per row: rows `take[0..n)`, or the first `n` when `take` is null) into `src.xb`, the
   * features shared among the threads. `rows`: the subsample (of the training rows) the thresholds
   * come from, or null.
   */
  bin(data: Float64Array, take: Int32Array | null, maxBins: number, rows: Int32Array | null): BinMapping {
    const { n, nFeatures: d } = this.options;
    const cols = new Float64Array(buffer(8 * n * d, this.shared));
    toColumns(data, n, d, cols, take);
    const thr = new Float64Array(buffer(8 * d * maxBins, this.shared));
    const nThr = new Int32Array(buffer(4 * d, this.shared));
    let sharedRows: Int32Array | null = null;
    if (rows) {
      sharedRows = new Int32Array(buffer(4 * rows.length, this.shared));
      sharedRows.set(rows);
    }
    const parallel = this.workers.length > 0 && n * d >= PARALLEL_MIN_BIN;
    if (parallel) {
      const msg: SessionMessage = {
        type: 'bin',
        cols: cols.buffer as SharedArrayBuffer,
        thr: thr.buffer as SharedArrayBuffer,
        nThr: nThr.buffer as SharedArrayBuffer,
        rows: sharedRows ? (sharedRows.buffer as SharedArrayBuffer) : null,
        maxBins,
      };
      for (const w of this.workers) w.port.postMessage(msg);
      this.onAllThreads(CMD_BIN, (c) => (c[C.FEND] = d), () => binClaimedColumns(cols, n, d, maxBins, sharedRows, thr, nThr, this.src.xb, this.claim));
    } else binColumns(cols, n, 0, d, maxBins, sharedRows, thr, nThr, this.src.xb);
    packGroups(this.src.xb, n, d, 0, d, this.src.xg);
    const thresholds: Float64Array[] = [];
    const nBinsNonMissing = new Int32Array(d);
    for (let j = 0; j < d; j++) {
      thresholds.push(thr.slice(j * maxBins, j * maxBins + nThr[j]!));
      nBinsNonMissing[j] = nThr[j]! + 1;
    }
    return { thresholds, nBinsNonMissing, missingBin: maxBins };
  }

  /** A free histogram slot. */
  alloc(): number {
    const s = this.free.pop();
    if (s !== undefined) return s;
    const per = this.options.slotsPerPage;
    const bytes = 8 * this.slotLen * per;
    let page: Float64Array;
    if (this.memory) {
      const need = this.arenaEnd + bytes - this.memory.buffer.byteLength;
      if (need > 0) this.memory.grow(Math.ceil(need / PAGE_BYTES));
      page = new Float64Array(this.memory.buffer, this.arenaEnd, this.slotLen * per);
      this.arenaEnd += bytes;
    } else page = new Float64Array(buffer(bytes, this.shared));
    this.pages.push(page);
    for (const w of this.workers) w.port.postMessage({ type: 'page', page: view(page) } satisfies SessionMessage);
    const base = (this.pages.length - 1) * per;
    for (let i = per - 1; i > 0; i--) this.free.push(base + i);
    return base;
  }

  /** Returns a slot to the free list. */
  release(slot: number): void {
    this.free.push(slot);
  }

  /** The array holding a slot, and the slot's offset in it. */
  page(slot: number): Float64Array {
    return this.pages[Math.floor(slot / this.options.slotsPerPage)]!;
  }

  offset(slot: number): number {
    return (slot % this.options.slotsPerPage) * this.slotLen;
  }

  /**
   * Builds the histograms of the node owning `part[start..stop)` into `slot`, gradients of tree
   * block `gOff`. The root's counts are the same for every tree: they are counted once per fit and
   * copied afterwards.
   */
  build(gOff: number, start: number, stop: number, root: boolean, slot: number): void {
    const out = this.page(slot);
    const off = this.offset(slot);
    const nf = this.options.nFeatures;
    const reuse = root && this.rootCounts !== null;
    this.lastBuildShared = this.sharesBuild(start, stop);
    if (!this.lastBuildShared) {
      buildHistograms(this.src, gOff, start, stop, root, 0, nf, out, off, this.og, this.oh, !reuse);
    } else {
      const count = !root || !reuse;
      const fields = (c: Int32Array): void => {
        c[C.GOFF] = gOff;
        c[C.START] = start;
        c[C.STOP] = stop;
        c[C.ROOT] = root ? (reuse ? 2 : 1) : 0;
        c[C.SLOT] = slot;
        c[C.NODES] = 0;
      };
      const { g, h } = this.gather(gOff, start, stop, root);
      this.onAllThreads(CMD_BUILD, fields, () => buildClaimedChunks(this.src, start, stop, root, count, this.chunks, this.claim, out, off, g, h));
    }
    if (!root) return;
    const nb = this.options.nBins;
    if (reuse) {
      const rc = this.rootCounts!;
      for (let f = 0; f < nf; f++) for (let b = 0; b < nb; b++) out[off + f * nb * 3 + b * 3 + 2] = rc[f * nb + b]!;
    } else {
      const rc = new Float64Array(nf * nb);
      for (let f = 0; f < nf; f++) for (let b = 0; b < nb; b++) rc[f * nb + b] = out[off + f * nb * 3 + b * 3 + 2]!;
      this.rootCounts = rc;
    }
  }

  /**
   * Stable partition of `part[start..stop)` by a split, left first (bins `<= thr` go left, and
   * missing values if `missingLeft`); large nodes are partitioned in chunks by all threads. Returns
   * the left count.
   */
  split(start: number, stop: number, feature: number, thr: number, missingLeft: boolean, missingBin: number): number {
    const { part, xb, n } = this.src;
    const miss = missingLeft ? 1 : 0;
    const kernel = this.src.wasm ? this.src.wasm.partition : null;
    if (this.workers.length === 0 || stop - start < PARALLEL_MIN_SPLIT) return splitIndices(part, this.scratch, xb, n, start, stop, feature, thr, miss, missingBin, kernel);
    const fields = (c: Int32Array): void => {
      c[C.START] = start;
      c[C.STOP] = stop;
      c[C.FEATURE] = feature;
      c[C.THR] = thr;
      c[C.MISS_LEFT] = miss;
      c[C.MISSING_BIN] = missingBin;
    };
    this.onAllThreads(CMD_SPLIT, fields, () => partitionClaimedChunks(part, this.scratch, xb, n, start, stop, feature, thr, miss, missingBin, this.claim, this.lefts, kernel));
    return mergeChunks(part, this.scratch, start, stop, this.lefts);
  }

  /**
   * Adds each leaf's value to the raw predictions of its samples (`raw[part[j] * k + tree]` for
   * j in the leaf's range of the partition), the leaves shared among the threads for large
   * training sets. Each sample gets one addition, so the result does not depend on the sharing.
   * `alongside` (work of the caller's that does not touch `raw`) runs on this thread first, while
   * the workers start on the leaves.
   */
  addLeafValues(leaves: readonly { start: number; stop: number; value: number }[], k: number, tree: number, alongside: (() => void) | null = null): void {
    const { part } = this.src;
    const raw = this.raw;
    if (this.workers.length === 0 || leaves.length > LEAF_TABLE_MAX || this.options.n < PARALLEL_MIN_SPLIT) {
      alongside?.();
      for (const leaf of leaves) addLeafValue(part, raw, leaf.start, leaf.stop, leaf.value, k, tree);
      return;
    }
    const table = this.leafTable;
    leaves.forEach((leaf, c) => {
      table[3 * c] = leaf.start;
      table[3 * c + 1] = leaf.stop;
      table[3 * c + 2] = leaf.value;
    });
    const fields = (c: Int32Array): void => {
      c[C.NODES] = leaves.length;
      c[C.START] = k;
      c[C.STOP] = tree;
    };
    this.onAllThreads(CMD_LEAVES, fields, () => addClaimedLeaves(part, raw, table, leaves.length, k, tree, this.claim), alongside);
  }

  /**
   * The mean loss of the training rows' raw predictions (`loss.loss(y, raw)`), computed by a worker
   * while this thread runs `alongside` (work of the caller's that does not write `raw`), for large
   * training sets; here if the worker has not started on it by then. The same summation on either
   * thread, so the same value.
   */
  trainLoss(loss: HgbLoss, y: Float64Array, alongside: (() => void) | null): number {
    const w = this.workers[0];
    if (!w || this.options.n < PARALLEL_MIN_SPLIT) {
      alongside?.();
      return loss.loss(y, this.raw);
    }
    if (this.lossSentFor !== y) {
      const shared = new Float64Array(new SharedArrayBuffer(8 * y.length));
      shared.set(y);
      this.lossSentFor = y;
      w.port.postMessage({ type: 'loss', name: loss.name, k: loss.k, y: shared.buffer as SharedArrayBuffer, out: this.lossOut.buffer as SharedArrayBuffer } satisfies SessionMessage);
    }
    const out = this.lossOut;
    issue(w, CMD_LOSS);
    alongside?.();
    finish(w, () => (out[0] = loss.loss(y, this.raw)));
    return out[0]!;
  }

  /**
   * The per-feature best splits of `nodes` (one or two, their histograms in `node.slot`), after the
   * sibling's histogram `large = parent - small` when `sub` is given; features are shared among the
   * threads in chunks. Returns the results ({@link featureSplits}' layout, node r at
   * `r * nFeatures * SPLIT_FIELDS`); the array is reused by the next search.
   */
  searchSplits(so: SplitOptions, sub: { parent: number; small: number; large: number } | null, nodes: readonly SearchNode[]): Float64Array {
    const nf = this.options.nFeatures;
    const { args, slots, parent, small, large } = this.searchArgsOf(sub, nodes);
    const claim = this.claim;
    Atomics.store(claim, 0, 0);
    const stride = this.src.stride;
    const run = (): void => searchClaimedChunks(this, stride, nf, parent, small, large, slots, nodes.length, args, so, this.chunks, claim, this.searchRes);
    // Shared only after a shared histogram build: the workers are then awake, and the search of
    // a small node is too short to pay for waking them.
    if (this.workers.length === 0 || !this.lastBuildShared) {
      run();
      return this.searchRes;
    }
    this.sendSearchOptions(so);
    const fields = (c: Int32Array): void => {
      c[C.PARENT] = parent;
      c[C.SMALL] = small;
      c[C.LARGE] = large;
      c[C.SLOT0] = slots[0]!;
      c[C.SLOT1] = slots[1]!;
      c[C.NODES] = nodes.length;
    };
    this.onAllThreads(CMD_SEARCH, fields, run);
    return this.searchRes;
  }

  /**
   * Builds the histograms of the (non-root) node owning `part[start..stop)` into `sub.small`, then
   * searches the splits of `nodes` as {@link searchSplits} (after `sub.large = sub.parent -
   * sub.small`). On several threads, each thread searches the features it has just built (one
   * command instead of two).
   */
  buildAndSearch(gOff: number, start: number, stop: number, so: SplitOptions, sub: { parent: number; small: number; large: number }, nodes: readonly SearchNode[]): Float64Array {
    const nf = this.options.nFeatures;
    if (!this.sharesBuild(start, stop)) {
      this.build(gOff, start, stop, false, sub.small);
      return this.searchSplits(so, sub, nodes);
    }
    this.lastBuildShared = true;
    const { args, slots, parent, small, large } = this.searchArgsOf(sub, nodes);
    this.sendSearchOptions(so);
    const out = this.page(small);
    const off = this.offset(small);
    const fields = (c: Int32Array): void => {
      c[C.GOFF] = gOff;
      c[C.START] = start;
      c[C.STOP] = stop;
      c[C.ROOT] = 0;
      c[C.SLOT] = small;
      c[C.PARENT] = parent;
      c[C.SMALL] = small;
      c[C.LARGE] = large;
      c[C.SLOT0] = slots[0]!;
      c[C.SLOT1] = slots[1]!;
      c[C.NODES] = nodes.length;
    };
    const stride = this.src.stride;
    const after = (f0: number, f1: number): void => searchRange(this, stride, nf, parent, small, large, slots, nodes.length, args, so, this.searchRes, f0, f1);
    const { g, h } = this.gather(gOff, start, stop, false);
    this.onAllThreads(CMD_BUILD, fields, () => buildClaimedChunks(this.src, start, stop, false, true, this.chunks, this.claim, out, off, g, h, after));
    return this.searchRes;
  }

  /**
   * The gradients (and hessians) of a node for a build shared with the workers: gathered once here
   * into the shared `og`/`oh` before the build is issued (the workers read them there), or views of
   * the gradient block for the root.
   */
  private gather(gOff: number, start: number, stop: number, root: boolean): { g: Float32Array; h: Float32Array } {
    if (!root) gatherGradients(this.src, gOff, start, stop, false, this.og, this.oh);
    return nodeGradients(this.src, gOff, root, this.og, this.oh);
  }

  /** Whether a histogram build of rows `[start, stop)` is worth sharing with the workers (see {@link PARALLEL_MIN_WORK}). */
  private sharesBuild(start: number, stop: number): boolean {
    if (this.workers.length === 0) return false;
    if ((stop - start) * this.options.nFeatures >= PARALLEL_MIN_WORK) return true;
    // A small node's build and split search still take tens of microseconds: worth sharing with
    // workers that are polling already (a hand-off then costs about a microsecond).
    for (const w of this.workers) if (Atomics.load(w.ctrl, C.WORKER_WAITING) !== 0) return false;
    return true;
  }

  /**
   * Runs one command on every thread: resets the chunk claim, issues `cmd` (its fields written by
   * `fields`) to each worker and runs `alongside` (other work of this thread's, if any), then
   * `run` here too, then waits for each worker's share or takes it back. In the tests' no-stealing mode the workers do every chunk (this thread runs last).
   */
  private onAllThreads(cmd: number, fields: (ctrl: Int32Array) => void, run: () => void, alongside: (() => void) | null = null): void {
    Atomics.store(this.claim, 0, 0);
    for (const w of this.workers) issue(w, cmd, fields);
    alongside?.();
    if (stealing) run();
    for (const w of this.workers) finish(w, run);
    if (!stealing) run();
  }

  /** Writes the search arguments of `nodes` to the shared arrays. */
  private searchArgsOf(sub: { parent: number; small: number; large: number } | null, nodes: readonly SearchNode[]): { args: Float64Array; slots: Int32Array; parent: number; small: number; large: number } {
    const args = this.searchArgs;
    const slots = this.searchSlots;
    nodes.forEach((node, r) => {
      args[4 * r] = node.stop - node.start;
      args[4 * r + 1] = node.sumG;
      args[4 * r + 2] = node.sumH;
      args[4 * r + 3] = node.value;
      slots[r] = node.slot;
    });
    return { args, slots, parent: sub ? sub.parent : -1, small: sub ? sub.small : -1, large: sub ? sub.large : -1 };
  }

  /** Sends the split options to the workers (once per fit). */
  private sendSearchOptions(so: SplitOptions): void {
    const nf = this.options.nFeatures;
    const args = this.searchArgs;
    if (this.searchSent !== so.nBinsNonMissing) {
      this.searchSent = so.nBinsNonMissing;
      const nbnm = new Int32Array(new SharedArrayBuffer(4 * nf));
      nbnm.set(so.nBinsNonMissing);
      const hm = new Uint8Array(new SharedArrayBuffer(nf));
      hm.set(so.hasMissing);
      const msg: SessionMessage = {
        type: 'search',
        nBinsNonMissing: view(nbnm),
        hasMissing: view(hm),
        minSamplesLeaf: so.minSamplesLeaf,
        l2Regularization: so.l2Regularization,
        constantHessian: so.constantHessian,
        args: args.buffer as SharedArrayBuffer,
        res: this.searchRes.buffer as SharedArrayBuffer,
      };
      for (const w of this.workers) w.port.postMessage(msg);
    }
  }

  /** Lets the workers drop this fit's buffers (when they next wake). */
  close(): void {
    for (const w of this.workers) w.port.postMessage({ type: 'end' } satisfies SessionMessage);
  }
}

/**
 * {@link predictCompiled} on `threads` threads (the main thread and pooled workers), rows split in
 * contiguous ranges; every row is computed exactly as on one thread. `raw` is filled in place.
 */
export function predictParallel(c: CompiledForest, data: Float64Array, n: number, d: number, k: number, raw: Float64Array, threads: number): void {
  const workers = threads > 1 ? acquireWorkers(Math.min(threads - 1, Math.floor(n / 64))) : [];
  if (workers.length === 0) {
    predictCompiled(c, data, n, d, k, raw);
    return;
  }
  const parts = workers.length + 1;
  const cut = (p: number): number => Math.floor((p * n) / parts);
  const chunk = kernelChunkRows(d);
  const rows = c.wasm && k === 1 ? kernelRows(c, Math.min(chunk, n), d) : null;
  if (rows) {
    // Chunks of rows on the forest's kernel memory: each thread walks its range of a chunk there.
    const w = c.wasm!;
    for (let from = 0; from < n; from += chunk) {
      const m = Math.min(chunk, n - from);
      const xs = rows.data.subarray(0, m * d);
      const rs = rows.raw.subarray(0, m);
      xs.set(data.subarray(from * d, (from + m) * d));
      rs.set(raw.subarray(from, from + m));
      const part = (p: number): number => Math.floor((p * m) / parts);
      const msg: SessionMessage = { type: 'walk', memory: w.memory, recs: w.recs, values: w.values, roots: w.roots, depths: w.depths, nTrees: c.roots.length, data: view(xs), raw: view(rs), d };
      workers.forEach((wk, i) => {
        wk.port.postMessage(msg);
        issue(wk, CMD_PREDICT, (ctrl) => {
          ctrl[C.START] = part(i + 1);
          ctrl[C.STOP] = part(i + 2);
        });
      });
      walkOnMemory(c, xs, d, rs, 0, part(1));
      workers.forEach((wk, i) => finish(wk, () => walkOnMemory(c, xs, d, rs, part(i + 1), part(i + 2))));
      raw.set(rs, from);
    }
    return;
  }
  // The main thread predicts the first rows in place; only the workers' rows go to shared memory.
  const first = cut(1);
  const m = n - first;
  const sharedData = new Float64Array(new SharedArrayBuffer(8 * m * d));
  sharedData.set(data.subarray(first * d, n * d));
  const sharedRaw = new Float64Array(new SharedArrayBuffer(8 * m * k));
  sharedRaw.set(raw.subarray(first * k, n * k));
  const msg: SessionMessage = {
    type: 'predict',
    f64: c.f64.buffer as SharedArrayBuffer,
    value: c.value.buffer as SharedArrayBuffer,
    roots: c.roots.buffer as SharedArrayBuffer,
    depth: c.depth.buffer as SharedArrayBuffer,
    nTrees: c.roots.length,
    data: sharedData.buffer as SharedArrayBuffer,
    raw: sharedRaw.buffer as SharedArrayBuffer,
    n: m,
    d,
    k,
  };
  workers.forEach((w, i) => {
    w.port.postMessage(msg);
    issue(w, CMD_PREDICT, (ctrl) => {
      ctrl[C.START] = cut(i + 1) - first;
      ctrl[C.STOP] = cut(i + 2) - first;
    });
  });
  predictCompiled(c, data, n, d, k, raw, 0, first);
  workers.forEach((w, i) => finish(w, () => predictCompiled(c, sharedData, m, d, k, sharedRaw, cut(i + 1) - first, cut(i + 2) - first)));
  raw.set(sharedRaw, first * k);
}
