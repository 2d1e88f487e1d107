/**
 * Growing a forest's trees, on worker threads when asked. X (feature-major float32), its
 * per-feature sort order, y and the sample weights live in SharedArrayBuffers that every thread
 * reads; no tree copies them. Threads (the main one included) claim tree indices from a shared
 * counter, so the load balances itself, and tree t is always grown from seed t (its bootstrap
 * sample and its splitter draws), so the forest does not depend on the number of threads.
 * Synchronous: the main thread grows trees too, then blocks on an `Atomics` signal and reads
 * replies with `receiveMessageOnPort`, as the CountVectorizer and model-selection engines do. A
 * tree whose worker failed or did not answer is grown on the main thread.
 */
import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { siblingModule, startModuleWorker } from '../../core/index.js';
import { buildTree, type BuildParams, type TreeArrays } from '../tree/builder.js';
import { packedAccumulate, type PackedTrees } from '../tree/flat.js';
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
      kind: 'predict';
      port: MessagePort;
      /** Int32 [unused, ranges finished]. */
      control: SharedArrayBuffer;
      packed: PackedTrees;
      x: Float32Array;
      d: number;
      from: number;
      to: number;
      out: Float64Array;
    };

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
const PARALLEL_PREDICT_MIN_WORK = 10_000_000;

/**
 * The mean over trees of each row's leaf value or class frequencies (as `packedPredict`), with the
 * rows split over `jobs` threads when the work (`n` times the sum of the tree depths) is large
 * enough. `packed` must be on shared memory.
 */
export function predictForest(packed: PackedTrees, x: Float32Array, n: number, d: number, jobs: number, depthSum: number): Float64Array {
  const width = packed.stride;
  const threads = Math.min(jobs, Math.floor(n / 256) || 1);
  if (threads <= 1 || n * depthSum < PARALLEL_PREDICT_MIN_WORK) {
    const out = new Float64Array(n * width);
    packedAccumulate(packed, x, d, 0, n, out);
    return finishMean(out, packed.nTrees);
  }
  const xs = x.buffer instanceof SharedArrayBuffer ? x : shared(x);
  const out = new Float64Array(new SharedArrayBuffer(n * width * 8));
  const controlBuf = new SharedArrayBuffer(8);
  const control = new Int32Array(controlBuf);
  // The main thread starts at once; workers start late, so they get slightly smaller ranges.
  const unit = n / (threads - 1 + MAIN_WEIGHT);
  const bounds = [0, Math.round(unit * MAIN_WEIGHT)];
  for (let w = 1; w < threads; w++) bounds.push(w === threads - 1 ? n : Math.round(unit * (MAIN_WEIGHT + w)));
  const slots: { worker: Worker | null; port: MessagePort | null; from: number; to: number; failed: boolean }[] = [];
  try {
    for (let w = 1; w < threads; w++) {
      const slot = { worker: null as Worker | null, port: null as MessagePort | null, from: bounds[w]!, to: bounds[w + 1]!, failed: false };
      slots.push(slot);
      try {
        const { port1, port2 } = new MessageChannel();
        slot.port = port1;
        slot.worker = startForestWorker({ kind: 'predict', port: port2, control: controlBuf, packed, x: xs, d, from: slot.from, to: slot.to, out });
        slot.worker.unref();
        slot.worker.on('error', () => {});
      } catch {
        slot.failed = true;
      }
    }
    packedAccumulate(packed, xs, d, bounds[0]!, bounds[1]!, out);
    const started = slots.filter((s) => !s.failed).length;
    const t0 = Date.now();
    for (;;) {
      const seen = Atomics.load(control, 1);
      if (seen >= started) break;
      if (Date.now() - t0 > IDLE_TIMEOUT_MS) break;
      Atomics.wait(control, 1, seen, 1000);
    }
    for (const slot of slots) {
      const msg = slot.port ? receiveMessageOnPort(slot.port) : undefined;
      const ok = !slot.failed && msg !== undefined && (msg.message as ForestWorkerMessage).type === 'done';
      if (!ok) {
        // Redo the range here (a failed worker may have added part of it).
        slot.worker?.terminate().catch(() => {});
        slot.worker = null;
        out.fill(0, slot.from * width, slot.to * width);
        packedAccumulate(packed, xs, d, slot.from, slot.to, out);
      }
    }
    return finishMean(Float64Array.from(out), packed.nTrees);
  } finally {
    for (const slot of slots) {
      slot.port?.close();
      void slot.worker?.terminate();
    }
  }
}

/** The main thread's share of the rows relative to one worker's (workers start late). */
const MAIN_WEIGHT = 1.3;

function finishMean(out: Float64Array, nTrees: number): Float64Array {
  if (nTrees > 1) for (let k = 0; k < out.length; k++) out[k] = out[k]! / nTrees;
  return out;
}
