/**
 * Growing a forest's trees, on worker threads when asked. X (feature-major float32), its
 * per-feature sort order, y and the sample weights live in SharedArrayBuffers that every thread
 * reads; no tree copies them. Threads (the main one included) claim tree indices from a shared
 * counter, so the load balances itself, and tree t is always grown from seed t (its bootstrap
 * sample and its splitter draws), so the forest does not depend on the number of threads.
 * Synchronous: the main thread grows trees too, then blocks on an `Atomics` signal and reads
 * replies with `receiveMessageOnPort`, as the CountVectorizer and model-selection engines do. A
 * tree whose worker failed or did not answer is grown on the main thread.
 *
 * Predicting: a small pool of warm threads (started when a forest's fit starts, kept between
 * calls) and the calling thread claim groups of trees; each walks its trees over all the rows
 * into a partial sum, and the partial sums are added in group order (see `predictForest`).
 */
import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { siblingModule, startModuleWorker } from '../../core/index.js';
import { buildTree, type BuildParams, type TreeArrays } from '../tree/builder.js';
import { TREE_GROUP, addGroupSums, align8, kernelFor, kernelScratch, packedAccumulate, packedAccumulateWasm, packedSum, type PackedTrees } from '../tree/flat.js';
import { RandR, bootstrapCounts } from '../tree/random.js';

/** Everything a thread needs to grow any tree of the forest (typed arrays on shared memory). */
export interface ForestJob {
  n: number;
  d: number;
  nClasses: number;
  xc: Float32Array;
  order: Int32Array;
  y: Float64Array;
  /** User sample weights, or null for all ones. */
  sampleWeight: Float64Array | null;
  build: BuildParams;
  /** `minWeightFractionLeaf`: each tree's minimum leaf weight is this fraction of its weights' sum (bootstrap counts included), as scikit-learn. */
  minWeightFractionLeaf: number;
  /** One seed per tree (scikit-learn's per-tree `random_state`). */
  seeds: number[];
  bootstrap: boolean;
  nBootstrap: number;
}

/** The weights tree t is fitted with: bootstrap counts (times the user weights) or the user weights. */
export function treeWeights(job: ForestJob, t: number): Float64Array {
  const { n, sampleWeight } = job;
  if (job.bootstrap) {
    const w = bootstrapCounts(job.seeds[t]!, n, job.nBootstrap);
    if (sampleWeight) for (let i = 0; i < n; i++) w[i] = w[i]! * sampleWeight[i]!;
    return w;
  }
  if (sampleWeight) return sampleWeight.slice();
  return new Float64Array(n).fill(1);
}

/** Grows tree t of the forest. */
export function growOne(job: ForestJob, t: number): TreeArrays {
  const data = { n: job.n, d: job.d, xc: job.xc, order: job.order, y: job.y, nClasses: job.nClasses };
  const w = treeWeights(job, t);
  let build = job.build;
  if (job.minWeightFractionLeaf > 0) {
    let sum = 0;
    for (let i = 0; i < w.length; i++) sum += w[i]!;
    build = { ...build, minWeightLeaf: job.minWeightFractionLeaf * sum };
  }
  return buildTree(data, build, w, RandR.fromSeed(job.seeds[t]!));
}

/** Data a forest worker receives at start: a fit job (grow trees) or a predict job (one row range). */
export type ForestWorkerInit =
  | {
      kind: 'fit';
      port: MessagePort;
      /** Int32 [next tree to claim, messages sent]. */
      control: SharedArrayBuffer;
      job: ForestJob;
    }
  | {
      kind: 'pool';
      /** Receives {@link PredictTask}s; the worker stays alive between them. */
      port: MessagePort;
      /** Unused by pool workers (each task brings its own). */
      control: SharedArrayBuffer;
    };

/**
 * One parallel prediction of a range of rows, shared by the threads: trees are taken in groups of
 * `TREE_GROUP` that threads claim from `control[0]`, each group summed over all the rows into its
 * own block of `partials` (`rows x stride` values per group). A thread that takes part adds 1 to
 * `control[2]` first and to `control[1]` when no group is left; `doneGroups[g]` is set once
 * group g is complete.
 */
export interface PredictTask {
  packed: PackedTrees;
  /** The rows of this task, row-major float32. */
  x: Float32Array;
  rows: number;
  d: number;
  nGroups: number;
  partials: Float64Array;
  /** Int32 [next group to claim, threads finished, threads started]. */
  control: Int32Array;
  doneGroups: Int32Array;
  /** `x` and `partials` are views of the forest's kernel memory (`packed.wasm`): walk with the WebAssembly kernel. */
  onMemory: boolean;
}

/** Claims and sums tree groups of `task` until none is left (the work loop of every thread). */
export function runPredictTask(task: PredictTask): void {
  const { packed, x, rows, d, nGroups, partials, control, doneGroups } = task;
  const len = rows * packed.stride;
  const kernel = task.onMemory ? kernelFor(packed) : null;
  for (;;) {
    const g = Atomics.add(control, 0, 1);
    if (g >= nGroups) break;
    const t0 = g * TREE_GROUP;
    const t1 = Math.min(packed.nTrees, t0 + TREE_GROUP);
    const part = partials.subarray(g * len, (g + 1) * len);
    if (kernel) {
      // The partial sums on the kernel memory are reused from call to call.
      part.fill(0);
      packedAccumulateWasm(packed, kernel, x, d, 0, rows, part, t0, t1);
    } else packedAccumulate(packed, x, d, 0, rows, part, t0, t1);
    Atomics.store(doneGroups, g, 1);
  }
}

/** What a forest worker sends: one message per tree, then `done` (or `error`). */
export type ForestWorkerMessage = { type: 'tree'; t: number; tree: TreeArrays } | { type: 'done' } | { type: 'error'; message: string };

/** The typed arrays of a tree, for a transfer list. */
export function treeBuffers(tree: TreeArrays): ArrayBuffer[] {
  return [tree.feature, tree.threshold, tree.left, tree.right, tree.value, tree.impurity, tree.nNodeSamples, tree.weightedNNodeSamples].map((a) => a.buffer as ArrayBuffer);
}

/** No message from any worker for this long: grow their missing trees on the main thread. */
const IDLE_TIMEOUT_MS = 10 * 60 * 1000;

function startForestWorker(init: ForestWorkerInit): Worker {
  const onLoadError = `(e, d) => {
  d.port.postMessage({ type: 'error', message: String((e && e.stack) || e) });
  const s = new Int32Array(d.control); Atomics.add(s, 1, 1); Atomics.notify(s, 1);
}`;
  return startModuleWorker(siblingModule(import.meta.url, 'forest-worker'), { workerData: init, transferList: [init.port] }, onLoadError);
}

/** Copies a typed array into shared memory. */
export function shared<T extends Float32Array | Float64Array | Int32Array>(a: T): T {
  const Ctor = a.constructor as new (b: SharedArrayBuffer) => T;
  const out = new Ctor(new SharedArrayBuffer(a.byteLength));
  out.set(a as never);
  return out;
}

/**
 * Grows all `job.seeds.length` trees on `jobs` threads (the main one included); returns them in
 * tree order.
 */
export function growForest(job: ForestJob, jobs: number): TreeArrays[] {
  const nTrees = job.seeds.length;
  const trees = new Array<TreeArrays | undefined>(nTrees);
  const controlBuf = new SharedArrayBuffer(8);
  const control = new Int32Array(controlBuf);
  const slots: { worker: Worker; port: MessagePort; finished: boolean }[] = [];
  try {
    for (let w = 1; w < jobs; w++) {
      try {
        const { port1, port2 } = new MessageChannel();
        const worker = startForestWorker({ kind: 'fit', port: port2, control: controlBuf, job });
        worker.unref();
        // Failures are reported on the port; an 'error' event must not crash the process.
        worker.on('error', () => {});
        slots.push({ worker, port: port1, finished: false });
      } catch {
        // Could not start a thread: the main thread grows more trees.
      }
    }
    const drain = (): number => {
      let got = 0;
      for (const slot of slots) {
        for (;;) {
          const msg = receiveMessageOnPort(slot.port);
          if (!msg) break;
          got++;
          const m = msg.message as ForestWorkerMessage;
          if (m.type === 'tree') trees[m.t] = m.tree;
          else slot.finished = true;
        }
      }
      return got;
    };
    for (;;) {
      const t = Atomics.add(control, 0, 1);
      if (t >= nTrees) break;
      trees[t] = growOne(job, t);
      drain();
    }
    let last = Date.now();
    for (;;) {
      const seen = Atomics.load(control, 1);
      if (drain() > 0) last = Date.now();
      if (slots.every((s) => s.finished)) break;
      if (Date.now() - last > IDLE_TIMEOUT_MS) break;
      Atomics.wait(control, 1, seen, 1000);
    }
    // Trees claimed by a worker that failed: grow them here.
    for (let t = 0; t < nTrees; t++) if (!trees[t]) trees[t] = growOne(job, t);
    return trees as TreeArrays[];
  } finally {
    for (const slot of slots) {
      slot.port.close();
      void slot.worker.terminate();
    }
  }
}

/** Below this many node visits (rows x sum of tree depths), threads cost more than they save. */
const PARALLEL_PREDICT_MIN_WORK = 2_000_000;

/** A warm prediction thread, kept between calls (unref'd: it never keeps the process alive). */
interface PoolWorker {
  worker: Worker;
  port: MessagePort;
  broken: boolean;
}

const predictPool: PoolWorker[] = [];

/** What the last parallel {@link predictForest} call did (for tests and diagnostics). */
export const lastParallelPredict = { threads: 0, helpers: 0, groups: 0 };

/**
 * Makes sure `size` prediction threads are running (or starting), so that a later parallel
 * predict does not pay for thread start and module load. Called when a forest's fit starts (the
 * threads load while the trees grow); cheap when the threads already run.
 */
export function warmPredictPool(size: number): void {
  for (let w = predictPool.length - 1; w >= 0; w--) if (predictPool[w]!.broken) predictPool.splice(w, 1);
  while (predictPool.length < size) {
    try {
      const { port1, port2 } = new MessageChannel();
      const worker = startForestWorker({ kind: 'pool', port: port2, control: new SharedArrayBuffer(8) });
      const slot: PoolWorker = { worker, port: port1, broken: false };
      worker.unref();
      port1.unref();
      worker.on('error', () => {
        slot.broken = true;
      });
      worker.on('exit', () => {
        slot.broken = true;
      });
      predictPool.push(slot);
    } catch {
      return; // Could not start a thread: predict uses fewer.
    }
  }
}

/** Partial sums of one parallel round stay below this size; larger inputs go in several rounds. */
const MAX_PARTIAL_BYTES = 64 * 1024 * 1024;

/**
 * The mean over trees of each row's leaf value or class frequencies (as `packedPredict`), with the
 * tree groups split over `jobs` threads (the calling one and warm pool threads, see
 * {@link warmPredictPool}) when the work (`n` times the sum of the tree depths) is large enough.
 * Threads claim groups as they go, so a thread still starting simply takes fewer; the sums are
 * added in group order, so the result does not depend on `jobs`. `packed` must be on shared memory.
 */
export function predictForest(packed: PackedTrees, x: Float32Array, n: number, d: number, jobs: number, depthSum: number, forceThreads = false): Float64Array {
  const width = packed.stride;
  const nGroups = Math.ceil(packed.nTrees / TREE_GROUP);
  const threads = Math.min(jobs, nGroups);
  if (threads <= 1 || (n * depthSum < PARALLEL_PREDICT_MIN_WORK && !forceThreads)) return finishMean(packedSum(packed, x, n, d), packed.nTrees);
  warmPredictPool(threads - 1);
  const helpers = predictPool.slice(0, threads - 1);
  const out = new Float64Array(n * width);
  let chunk = Math.max(1024, Math.floor(MAX_PARTIAL_BYTES / (nGroups * width * 8)));
  // With a kernel memory, each chunk's rows and partial sums go to its scratch (all threads see
  // it), chunks small enough that the scratch the memory keeps stays below MAX_PARTIAL_BYTES.
  let at = -1;
  if (packed.wasm) {
    chunk = Math.min(chunk, Math.max(1024, Math.floor(MAX_PARTIAL_BYTES / (4 * d + 8 * nGroups * width))));
    at = kernelScratch(packed, (4 * d + 8 * nGroups * width) * Math.min(chunk, n) + 8);
  }
  const onMemory = at >= 0;
  const xs = onMemory ? x : x.buffer instanceof SharedArrayBuffer ? x : shared(x);
  let helped = 0;
  for (let from = 0; from < n; from += chunk) {
    const rows = Math.min(chunk, n - from);
    const len = rows * width;
    let xTask = xs.subarray(from * d, (from + rows) * d);
    if (onMemory) {
      const onMem = new Float32Array(packed.wasm!.memory.buffer, at, rows * d);
      onMem.set(xTask);
      xTask = onMem;
    }
    const task: PredictTask = {
      packed,
      x: xTask,
      rows,
      d,
      nGroups,
      partials: onMemory ? new Float64Array(packed.wasm!.memory.buffer, at + align8(4 * rows * d), nGroups * len) : new Float64Array(new SharedArrayBuffer(nGroups * len * 8)),
      control: new Int32Array(new SharedArrayBuffer(12)),
      doneGroups: new Int32Array(new SharedArrayBuffer(nGroups * 4)),
      onMemory,
    };
    const { control, doneGroups, partials } = task;
    for (const h of helpers) {
      try {
        h.port.postMessage(task);
      } catch {
        h.broken = true;
      }
    }
    runPredictTask(task);
    // Wait for the threads that took part (a thread that starts now finds no group left).
    const t0 = Date.now();
    for (;;) {
      const finished = Atomics.load(control, 1);
      if (finished >= Atomics.load(control, 2)) break;
      if (Date.now() - t0 > IDLE_TIMEOUT_MS) {
        // A thread hangs: drop the pool (its groups are redone below).
        for (const h of predictPool.splice(0)) {
          h.broken = true;
          void h.worker.terminate();
        }
        break;
      }
      Atomics.wait(control, 1, finished, 1000);
    }
    helped = Math.max(helped, Atomics.load(control, 2));
    for (let g = 0; g < nGroups; g++) {
      if (Atomics.load(doneGroups, g) === 1) continue;
      const part = partials.subarray(g * len, (g + 1) * len);
      part.fill(0);
      packedAccumulate(packed, task.x, d, 0, rows, part, g * TREE_GROUP, Math.min(packed.nTrees, (g + 1) * TREE_GROUP));
    }
    addGroupSums(partials, nGroups, len, out, from * width);
  }
  lastParallelPredict.threads = threads;
  lastParallelPredict.helpers = helped;
  lastParallelPredict.groups = nGroups;
  return finishMean(out, packed.nTrees);
}

function finishMean(out: Float64Array, nTrees: number): Float64Array {
  if (nTrees > 1) for (let k = 0; k < out.length; k++) out[k] = out[k]! / nTrees;
  return out;
}
