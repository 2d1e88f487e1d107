/**
 * The main-thread side of histogram building: the training buffers (binned X, gradients, hessians,
 * partition) and the histogram slots, in shared memory when worker threads help. A histogram build
 * splits the features into chunks that the threads claim one at a time (an `Atomics.add` on a shared
 * counter), so a thread that is descheduled or slow holds the others back by one chunk at most;
 * workers are woken and acknowledged through `Atomics` on a small control block, so `fit` stays
 * synchronous and a build costs microseconds of handshake. Workers are started once per process and
 * reused by later fits.
 */
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { MlshipError, siblingModule, startModuleWorker } from '../../../core/index.js';
import { buildClaimedChunks, buildHistograms, featureChunks, subtractHistograms, type HistSource } from './histogram.js';
import { binColumns, toColumns, type BinMapping } from './binning.js';
import { predictCompiled, type CompiledForest } from './predictor.js';
import { mergeChunks, partitionClaimedChunks, splitIndices, SPLIT_CHUNKS } from './partition.js';
import { C, CMD_BIN, CMD_BUILD, CMD_PREDICT, CMD_SPLIT, CTRL_LEN, SPIN_MS, type SessionMessage } from './protocol.js';

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

/** Nodes smaller than this (samples x features) are built on the main thread alone. */
const PARALLEL_MIN_WORK = 100_000;
/** Nodes with fewer samples than this are partitioned on the main thread alone. */
const PARALLEL_MIN_SPLIT = 32_768;
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
  private readonly ranges: Int32Array;
  /** Feature chunks of a histogram build, and the shared counter threads claim them with. */
  private readonly chunks: Int32Array;
  private readonly claim: Int32Array;
  /** Partition scratch (as long as `part`) and the left count of each partition chunk. */
  private readonly scratch: Int32Array;
  private readonly lefts: Int32Array;
  private readonly shared: boolean;
  /** Per feature and bin, the root's sample counts (set by the first root build). */
  private rootCounts: Float64Array | null = null;

  constructor(private readonly options: HistogramStoreOptions) {
    const { n, nFeatures, nBins, k } = options;
    this.workers = options.workers > 0 ? acquireWorkers(Math.min(options.workers, Math.max(0, nFeatures - 1))) : [];
    const shared = this.workers.length > 0;
    this.shared = shared;
    const stride = nBins * 3;
    this.slotLen = stride * nFeatures;
    this.src = {
      xb: new Uint8Array(buffer(n * nFeatures, shared)),
      n,
      grad: new Float32Array(buffer(4 * n * k, shared)),
      hess: new Float32Array(buffer(options.constantHessian ? 4 : 4 * n * k, shared)),
      part: new Int32Array(buffer(4 * n, shared)),
      stride,
      constantHessian: options.constantHessian,
    };
    this.og = new Float32Array(n);
    this.oh = new Float32Array(options.constantHessian ? 0 : n);
    const parts = this.workers.length + 1;
    this.ranges = new Int32Array(parts + 1);
    for (let p = 0; p <= parts; p++) this.ranges[p] = Math.floor((p * nFeatures) / parts);
    this.chunks = featureChunks(nFeatures);
    // The counter sits alone on its cache line (16 ints = 64 bytes).
    this.claim = new Int32Array(buffer(64, shared));
    this.scratch = new Int32Array(buffer(4 * n, shared));
    this.lefts = new Int32Array(buffer(4 * SPLIT_CHUNKS, shared));
    if (shared) {
      const msg: SessionMessage = {
        type: 'session',
        xb: this.src.xb.buffer as SharedArrayBuffer,
        grad: this.src.grad.buffer as SharedArrayBuffer,
        hess: this.src.hess.buffer as SharedArrayBuffer,
        part: this.src.part.buffer as SharedArrayBuffer,
        claim: this.claim.buffer as SharedArrayBuffer,
        scratch: this.scratch.buffer as SharedArrayBuffer,
        lefts: this.lefts.buffer as SharedArrayBuffer,
        n,
        nFeatures,
        stride,
        constantHessian: options.constantHessian,
        slotsPerPage: options.slotsPerPage,
        slotLen: this.slotLen,
      };
      for (const w of this.workers) w.port.postMessage(msg);
    }
  }

  /** Number of threads building histograms (main included). */
  get threads(): number {
    return this.workers.length + 1;
  }

  /**
   * Fits the bin thresholds of every feature and bins X (row-major `n x d`) into `src.xb`, the
   * features shared among the threads. `rows`: the subsample the thresholds come from, or null.
   */
  bin(data: Float64Array, maxBins: number, rows: Int32Array | null): BinMapping {
    const { n, nFeatures: d } = this.options;
    const cols = new Float64Array(buffer(8 * n * d, this.shared));
    toColumns(data, n, d, cols);
    const thr = new Float64Array(buffer(8 * d * maxBins, this.shared));
    const nThr = new Int32Array(buffer(4 * d, this.shared));
    let sharedRows: Int32Array | null = null;
    if (rows) {
      sharedRows = new Int32Array(buffer(4 * rows.length, this.shared));
      sharedRows.set(rows);
    }
    const r = this.ranges;
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
      for (let w = 0; w < this.workers.length; w++) {
        this.workers[w]!.port.postMessage(msg);
        issue(this.workers[w]!, CMD_BIN, (c) => {
          c[C.FSTART] = r[w + 1]!;
          c[C.FEND] = r[w + 2]!;
        });
      }
    }
    binColumns(cols, n, 0, parallel ? r[1]! : d, maxBins, sharedRows, thr, nThr, this.src.xb);
    if (parallel) this.workers.forEach((w, i) => finish(w, () => binColumns(cols, n, r[i + 1]!, r[i + 2]!, maxBins, sharedRows, thr, nThr, this.src.xb)));
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
    const page = new Float64Array(buffer(8 * this.slotLen * per, this.shared));
    this.pages.push(page);
    for (const w of this.workers) w.port.postMessage({ type: 'page', page: page.buffer as SharedArrayBuffer } satisfies SessionMessage);
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
    if (this.workers.length === 0 || (stop - start) * nf < PARALLEL_MIN_WORK) {
      buildHistograms(this.src, gOff, start, stop, root, 0, nf, out, off, this.og, this.oh, !reuse);
    } else {
      const claim = this.claim;
      Atomics.store(claim, 0, 0);
      for (const w of this.workers) {
        issue(w, CMD_BUILD, (c) => {
          c[C.GOFF] = gOff;
          c[C.START] = start;
          c[C.STOP] = stop;
          c[C.ROOT] = root ? (reuse ? 2 : 1) : 0;
          c[C.SLOT] = slot;
        });
      }
      const count = !root || !reuse;
      const run = (): void => buildClaimedChunks(this.src, gOff, start, stop, root, count, this.chunks, claim, out, off, this.og, this.oh);
      // In the tests' no-stealing mode the workers build every chunk (the main thread waits first).
      if (stealing) run();
      for (const w of this.workers) finish(w, run);
      if (!stealing) run();
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
    if (this.workers.length === 0 || stop - start < PARALLEL_MIN_SPLIT) return splitIndices(part, this.scratch, xb, n, start, stop, feature, thr, miss, missingBin);
    const claim = this.claim;
    Atomics.store(claim, 0, 0);
    for (const w of this.workers) {
      issue(w, CMD_SPLIT, (c) => {
        c[C.START] = start;
        c[C.STOP] = stop;
        c[C.FEATURE] = feature;
        c[C.THR] = thr;
        c[C.MISS_LEFT] = miss;
        c[C.MISSING_BIN] = missingBin;
      });
    }
    const run = (): void => partitionClaimedChunks(part, this.scratch, xb, n, start, stop, feature, thr, miss, missingBin, claim, this.lefts);
    if (stealing) run();
    for (const w of this.workers) finish(w, run);
    if (!stealing) run();
    return mergeChunks(part, this.scratch, start, stop, this.lefts);
  }

  /** `out = parent - child` (the sibling's histograms). */
  subtract(parent: number, child: number, out: number): void {
    subtractHistograms(this.page(parent), this.offset(parent), this.page(child), this.offset(child), this.page(out), this.offset(out), this.slotLen);
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
  const sharedData = new Float64Array(new SharedArrayBuffer(8 * n * d));
  sharedData.set(data.subarray(0, n * d));
  const sharedRaw = new Float64Array(new SharedArrayBuffer(8 * n * k));
  sharedRaw.set(raw.subarray(0, n * k));
  const msg: SessionMessage = {
    type: 'predict',
    f64: c.f64.buffer as SharedArrayBuffer,
    value: c.value.buffer as SharedArrayBuffer,
    roots: c.roots.buffer as SharedArrayBuffer,
    depth: c.depth.buffer as SharedArrayBuffer,
    nTrees: c.roots.length,
    data: sharedData.buffer as SharedArrayBuffer,
    raw: sharedRaw.buffer as SharedArrayBuffer,
    n,
    d,
    k,
  };
  const parts = workers.length + 1;
  const cut = (p: number): number => Math.floor((p * n) / parts);
  workers.forEach((w, i) => {
    w.port.postMessage(msg);
    issue(w, CMD_PREDICT, (ctrl) => {
      ctrl[C.START] = cut(i + 1);
      ctrl[C.STOP] = cut(i + 2);
    });
  });
  predictCompiled(c, sharedData, n, d, k, sharedRaw, 0, cut(1));
  workers.forEach((w, i) => finish(w, () => predictCompiled(c, sharedData, n, d, k, sharedRaw, cut(i + 1), cut(i + 2))));
  raw.set(sharedRaw);
}
