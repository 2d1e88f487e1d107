// A histogram worker thread: waits on its control block (Atomics), builds feature chunks of the
// histograms (or partitions sample chunks of a split) it is told until none is left to claim, and
// acknowledges. Buffers arrive on its MessagePort and are read with
// receiveMessageOnPort, so the thread never returns to its event loop while a fit runs.
import { receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';
import { binClaimedColumns } from './binning.js';
import { buildClaimedChunks, featureChunks, nodeGradients, type HistSource } from './histogram.js';
import { predictCompiled, walkOnMemory } from './predictor.js';
import { addClaimedLeaves, partitionClaimedChunks } from './partition.js';
import { histKernels } from './wasm-histogram.js';
import { lossByName, type HgbLoss } from './loss.js';
import { searchClaimedChunks, searchRange, type SlotResolver, type SplitOptions } from './grower.js';
import { C, CMD_BIN, CMD_BUILD, CMD_EXIT, CMD_LEAVES, CMD_LOSS, CMD_PREDICT, CMD_SEARCH, CMD_SPLIT, SPIN_MS, type SessionMessage } from './protocol.js';

const ctrl = new Int32Array(workerData.ctrl as SharedArrayBuffer);
const port = workerData.port as MessagePort;
let src: HistSource | null = null;
let og: Float32Array<ArrayBufferLike> = new Float32Array(0);
let oh: Float32Array<ArrayBufferLike> = new Float32Array(0);
const pages: Float64Array[] = [];
let slotsPerPage = 1;
let slotLen = 0;
let claim: Int32Array = new Int32Array(1);
let chunks: Int32Array = new Int32Array(1);
let scratch: Int32Array = new Int32Array(1);
let lefts: Int32Array = new Int32Array(1);
let raw: Float64Array = new Float64Array(0);
let leafTable: Float64Array = new Float64Array(0);
let bin: Extract<SessionMessage, { type: 'bin' }> | null = null;
let predict: Extract<SessionMessage, { type: 'predict' }> | null = null;
let walk: Extract<SessionMessage, { type: 'walk' }> | null = null;
let search: { so: SplitOptions; args: Float64Array; res: Float64Array } | null = null;
let trainLoss: { loss: HgbLoss; y: Float64Array; out: Float64Array } | null = null;
const hists: SlotResolver = {
  page: (slot) => pages[Math.floor(slot / slotsPerPage)]!,
  offset: (slot) => (slot % slotsPerPage) * slotLen,
};

function drain(): void {
  for (let msg = receiveMessageOnPort(port); msg; msg = receiveMessageOnPort(port)) {
    const m = msg.message as SessionMessage;
    if (m.type === 'session') {
      src = {
        xb: new Uint8Array(m.xb.buffer, m.xb.byteOffset, m.xb.length),
        xg: new Int32Array(m.xg.buffer, m.xg.byteOffset, m.xg.length),
        n: m.n,
        grad: new Float32Array(m.grad.buffer, m.grad.byteOffset, m.grad.length),
        hess: new Float32Array(m.hess.buffer, m.hess.byteOffset, m.hess.length),
        part: new Int32Array(m.part.buffer, m.part.byteOffset, m.part.length),
        stride: m.stride,
        constantHessian: m.constantHessian,
        wasm: m.memory ? histKernels(m.memory) : null,
      };
      og = new Float32Array(m.og.buffer, m.og.byteOffset, m.og.length);
      oh = new Float32Array(m.oh.buffer, m.oh.byteOffset, m.oh.length);
      claim = new Int32Array(m.claim);
      chunks = featureChunks(m.nFeatures);
      scratch = new Int32Array(m.scratch.buffer, m.scratch.byteOffset, m.scratch.length);
      lefts = new Int32Array(m.lefts);
      raw = new Float64Array(m.raw.buffer, m.raw.byteOffset, m.raw.length);
      leafTable = new Float64Array(m.leaves);
      pages.length = 0;
      slotsPerPage = m.slotsPerPage;
      slotLen = m.slotLen;
    } else if (m.type === 'search') {
      search = {
        so: {
          nBinsNonMissing: new Int32Array(m.nBinsNonMissing.buffer, m.nBinsNonMissing.byteOffset, m.nBinsNonMissing.length),
          hasMissing: new Uint8Array(m.hasMissing.buffer, m.hasMissing.byteOffset, m.hasMissing.length),
          minSamplesLeaf: m.minSamplesLeaf,
          l2Regularization: m.l2Regularization,
          constantHessian: m.constantHessian,
        },
        args: new Float64Array(m.args),
        res: new Float64Array(m.res),
      };
    } else if (m.type === 'loss') {
      trainLoss = { loss: lossByName(m.name, m.k), y: new Float64Array(m.y), out: new Float64Array(m.out) };
    } else if (m.type === 'page') {
      pages.push(new Float64Array(m.page.buffer, m.page.byteOffset, m.page.length));
    } else if (m.type === 'bin') {
      bin = m;
    } else if (m.type === 'predict') {
      predict = m;
      walk = null;
    } else if (m.type === 'walk') {
      walk = m;
      predict = null;
    } else if (m.type === 'end') {
      src = null;
      search = null;
      trainLoss = null;
      og = new Float32Array(0);
      oh = new Float32Array(0);
      bin = null;
      predict = null;
      walk = null;
      pages.length = 0;
      scratch = new Int32Array(1);
      raw = new Float64Array(0);
      leafTable = new Float64Array(0);
    }
  }
}

Atomics.store(ctrl, C.READY, 1);
Atomics.notify(ctrl, C.READY);
let seen = 0;
for (;;) {
  // Poll for a while (the next command usually follows within a millisecond), then sleep.
  let seq = Atomics.load(ctrl, C.SEQ);
  if (seq === seen) {
    const until = performance.now() + SPIN_MS;
    for (let spin = 1; seq === seen; spin++) {
      seq = Atomics.load(ctrl, C.SEQ);
      if ((spin & 1023) === 0 && performance.now() > until) break;
    }
  }
  if (seq === seen) {
    Atomics.store(ctrl, C.WORKER_WAITING, 1);
    Atomics.wait(ctrl, C.SEQ, seen);
    Atomics.store(ctrl, C.WORKER_WAITING, 0);
    continue;
  }
  seen = seq;
  // Buffers first (they were posted before the task), then claim the task unless the main thread
  // took it back or a newer one replaced it.
  drain();
  if (Atomics.compareExchange(ctrl, C.TASK, seq, -seq) !== seq) continue;
  const cmd = Atomics.load(ctrl, C.CMD);
  if (cmd === CMD_EXIT) break;
  try {
    // (Set by drain() above: TypeScript does not see the assignment.)
    const q = walk as Extract<SessionMessage, { type: 'walk' }> | null;
    if (cmd === CMD_PREDICT && q) {
      const wasm = { memory: q.memory, recs: q.recs, values: q.values, roots: q.roots, depths: q.depths, scratch: 0 };
      const c = { f64: new Float64Array(0), i32: new Int32Array(0), value: new Float64Array(0), roots: new Int32Array(q.nTrees), depth: new Int32Array(0), wasm };
      walkOnMemory(c, new Float64Array(q.data.buffer, q.data.byteOffset, q.data.length), q.d, new Float64Array(q.raw.buffer, q.raw.byteOffset, q.raw.length), ctrl[C.START]!, ctrl[C.STOP]!);
      walk = null;
    } else if (cmd === CMD_PREDICT) {
      const p = predict!;
      const c = {
        f64: new Float64Array(p.f64),
        i32: new Int32Array(p.f64),
        value: new Float64Array(p.value),
        roots: new Int32Array(p.roots).subarray(0, p.nTrees),
        depth: new Int32Array(p.depth).subarray(0, p.nTrees),
      };
      predictCompiled(c, new Float64Array(p.data), p.n, p.d, p.k, new Float64Array(p.raw), ctrl[C.START]!, ctrl[C.STOP]!);
      predict = null;
    } else if (cmd === CMD_BIN) {
      const b = bin!;
      const s = src!;
      binClaimedColumns(new Float64Array(b.cols), s.n, ctrl[C.FEND]!, b.maxBins, b.rows ? new Int32Array(b.rows) : null, new Float64Array(b.thr), new Int32Array(b.nThr), s.xb, claim);
      bin = null;
    } else if (cmd === CMD_SPLIT) {
      const s = src!;
      partitionClaimedChunks(s.part, scratch, s.xb, s.n, ctrl[C.START]!, ctrl[C.STOP]!, ctrl[C.FEATURE]!, ctrl[C.THR]!, ctrl[C.MISS_LEFT]!, ctrl[C.MISSING_BIN]!, claim, lefts, s.wasm ? s.wasm.partition : null);
    } else if (cmd === CMD_LEAVES) {
      addClaimedLeaves(src!.part, raw, leafTable, ctrl[C.NODES]!, ctrl[C.START]!, ctrl[C.STOP]!, claim);
    } else if (cmd === CMD_LOSS) {
      const t = trainLoss!;
      t.out[0] = t.loss.loss(t.y, raw);
    } else if (cmd === CMD_SEARCH) {
      const q = search!;
      const slots = [ctrl[C.SLOT0]!, ctrl[C.SLOT1]!];
      searchClaimedChunks(hists, src!.stride, q.so.nBinsNonMissing.length, ctrl[C.PARENT]!, ctrl[C.SMALL]!, ctrl[C.LARGE]!, slots, ctrl[C.NODES]!, q.args, q.so, chunks, claim, q.res);
    } else if (cmd === CMD_BUILD) {
      const slot = ctrl[C.SLOT]!;
      const page = pages[Math.floor(slot / slotsPerPage)]!;
      const root = ctrl[C.ROOT]!;
      // A fused build and split search (a non-root node): search each chunk's features once built.
      const q = search as { so: SplitOptions; args: Float64Array; res: Float64Array } | null;
      const nodes = root === 0 ? ctrl[C.NODES]! : 0;
      let after: ((f0: number, f1: number) => void) | undefined;
      if (nodes > 0 && !q) throw new Error('a fused build and search arrived before the split options');
      if (nodes > 0 && q) {
        const slots = [ctrl[C.SLOT0]!, ctrl[C.SLOT1]!];
        const parent = ctrl[C.PARENT]!;
        const small = ctrl[C.SMALL]!;
        const large = ctrl[C.LARGE]!;
        const nf = q.so.nBinsNonMissing.length;
        after = (f0, f1) => searchRange(hists, src!.stride, nf, parent, small, large, slots, nodes, q.args, q.so, q.res, f0, f1);
      }
      const { g, h } = nodeGradients(src!, ctrl[C.GOFF]!, root > 0, og, oh);
      buildClaimedChunks(src!, ctrl[C.START]!, ctrl[C.STOP]!, root > 0, root !== 2, chunks, claim, page, (slot % slotsPerPage) * slotLen, g, h, after);
    }
  } catch {
    Atomics.store(ctrl, C.ERR, 1);
  }
  Atomics.add(ctrl, C.DONE, 1);
  Atomics.store(ctrl, C.ACK, seq);
  if (Atomics.load(ctrl, C.MAIN_WAITING) === 1) Atomics.notify(ctrl, C.ACK);
}
