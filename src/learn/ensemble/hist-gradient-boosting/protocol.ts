// The shared-memory protocol between the main thread and the histogram workers.
import type { WasmMemory } from './wasm-histogram.js';

/** Indices into a worker's control block (an Int32Array on a SharedArrayBuffer). */
export const C = {
  /** Command sequence number, bumped by the main thread for every command. */
  SEQ: 0,
  /** The last sequence number the worker finished. */
  ACK: 1,
  CMD: 2,
  /** 1 once the worker module has loaded. */
  READY: 3,
  /** 1 when the worker failed (to load, or in a command). */
  ERR: 4,
  START: 5,
  STOP: 6,
  ROOT: 7,
  SLOT: 8,
  /** The feature count of a binning (features are claimed one at a time). */
  FEND: 10,
  GOFF: 11,
  /** 1 while the worker sleeps in Atomics.wait (the main thread then notifies it). */
  WORKER_WAITING: 12,
  /** 1 while the main thread sleeps waiting for the acknowledgement. */
  MAIN_WAITING: 13,
  /**
   * The task open for claiming: its sequence number while open, minus it once the worker claimed
   * it, 0 once the main thread took it back (a worker that is not running does not delay a fit).
   */
  TASK: 14,
  /** Tasks the worker has completed (statistics, for tests). */
  DONE: 15,
  /** A partition's split: feature, bin threshold, missing values go left (0/1), the missing bin. */
  FEATURE: 16,
  THR: 17,
  MISS_LEFT: 18,
  MISSING_BIN: 19,
  /** A split search: the subtraction's parent, small and large slots (parent -1: none), the nodes' slots and count. */
  PARENT: 20,
  SMALL: 21,
  LARGE: 22,
  SLOT0: 23,
  SLOT1: 24,
  NODES: 25,
} as const;

/** How long an idle thread polls before it sleeps, in milliseconds (as OpenMP's spin-wait). */
export const SPIN_MS = 0.2;

/** Control block length (Int32 values). */
export const CTRL_LEN = 26;

export const CMD_SYNC = 1;
export const CMD_BUILD = 2;
export const CMD_EXIT = 3;
export const CMD_BIN = 4;
export const CMD_PREDICT = 5;
export const CMD_SPLIT = 6;
export const CMD_SEARCH = 7;
export const CMD_LEAVES = 8;
export const CMD_LOSS = 9;

/** A typed array on shared memory: its buffer, byte offset and length (in elements). */
export interface SharedView {
  buffer: SharedArrayBuffer;
  byteOffset: number;
  length: number;
}

/** Messages on a worker's port, read before each command. */
export type SessionMessage =
  | {
      type: 'session';
      /** The histogram kernels' memory (the views below are on it), or null for the JavaScript passes. */
      memory: WasmMemory | null;
      xb: SharedView;
      /** The bins grouped by 4 features (`HistSource.xg`). */
      xg: SharedView;
      grad: SharedView;
      hess: SharedView;
      part: SharedView;
      /** The gradients and hessians of a non-root node, gathered by the main thread before it issues the build. */
      og: SharedView;
      oh: SharedView;
      /** The counter threads claim feature chunks of a histogram build with. */
      claim: SharedArrayBuffer;
      /** Partition scratch (as long as `part`) and the left count of each partition chunk. */
      scratch: SharedView;
      lefts: SharedArrayBuffer;
      n: number;
      nFeatures: number;
      stride: number;
      constantHessian: boolean;
      slotsPerPage: number;
      slotLen: number;
      /** The raw predictions of the training rows, and the leaf table of a raw-prediction update (`[start, stop, value]` per leaf). */
      raw: SharedView;
      leaves: SharedArrayBuffer;
    }
  | { type: 'page'; page: SharedView }
  | {
      /** The training loss for early stopping: the loss's name and trees per iteration, the training targets, and where its value goes. */
      type: 'loss';
      name: string;
      k: number;
      y: SharedArrayBuffer;
      out: SharedArrayBuffer;
    }
  | {
      type: 'search';
      nBinsNonMissing: SharedView;
      hasMissing: SharedView;
      minSamplesLeaf: number;
      l2Regularization: number;
      constantHessian: boolean;
      /** `[n, sumG, sumH, value]` per node of a search, and the per-feature results. */
      args: SharedArrayBuffer;
      res: SharedArrayBuffer;
    }
  | { type: 'bin'; cols: SharedArrayBuffer; thr: SharedArrayBuffer; nThr: SharedArrayBuffer; rows: SharedArrayBuffer | null; maxBins: number }
  | {
      type: 'predict';
      f64: SharedArrayBuffer;
      value: SharedArrayBuffer;
      roots: SharedArrayBuffer;
      depth: SharedArrayBuffer;
      nTrees: number;
      data: SharedArrayBuffer;
      raw: SharedArrayBuffer;
      n: number;
      d: number;
      k: number;
    }
  | {
      /** A prediction on a compiled forest's kernel memory (addresses in bytes; rows and sums as views of it). */
      type: 'walk';
      memory: WasmMemory;
      recs: number;
      values: number;
      roots: number;
      depths: number;
      nTrees: number;
      data: SharedView;
      raw: SharedView;
      d: number;
    }
  | { type: 'end' };
