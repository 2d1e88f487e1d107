// A histogram worker thread: waits on its control block (Atomics), builds feature chunks of the
// histograms (or partitions sample chunks of a split) it is told until none is left to claim, and
// acknowledges. Buffers arrive on its MessagePort and are read with
// receiveMessageOnPort, so the thread never returns to its event loop while a fit runs.
import { receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';
import { binColumns } from './binning.js';
import { buildClaimedChunks, featureChunks, type HistSource } from './histogram.js';
import { predictCompiled } from './predictor.js';
import { partitionClaimedChunks } from './partition.js';
import { C, CMD_BIN, CMD_BUILD, CMD_EXIT, CMD_PREDICT, CMD_SPLIT, SPIN_MS, type SessionMessage } from './protocol.js';

const ctrl = new Int32Array(workerData.ctrl as SharedArrayBuffer);
const port = workerData.port as MessagePort;
let src: HistSource | null = null;
let og = new Float32Array(0);
let oh = new Float32Array(0);
const pages: Float64Array[] = [];
let slotsPerPage = 1;
let slotLen = 0;
let claim: Int32Array = new Int32Array(1);
let chunks: Int32Array = new Int32Array(1);
let scratch: Int32Array = new Int32Array(1);
let lefts: Int32Array = new Int32Array(1);
let bin: Extract<SessionMessage, { type: 'bin' }> | null = null;
let predict: Extract<SessionMessage, { type: 'predict' }> | null = null;

function drain(): void {
  for (let msg = receiveMessageOnPort(port); msg; msg = receiveMessageOnPort(port)) {
    const m = msg.message as SessionMessage;
    if (m.type === 'session') {
      src = {
        xb: new Uint8Array(m.xb),
        n: m.n,
        grad: new Float32Array(m.grad),
        hess: new Float32Array(m.hess),
        part: new Int32Array(m.part),
        stride: m.stride,
        constantHessian: m.constantHessian,
      };
      if (og.length < m.n) {
        og = new Float32Array(m.n);
        oh = new Float32Array(m.n);
      }
      claim = new Int32Array(m.claim);
      chunks = featureChunks(m.nFeatures);
      scratch = new Int32Array(m.scratch);
      lefts = new Int32Array(m.lefts);
      pages.length = 0;
      slotsPerPage = m.slotsPerPage;
      slotLen = m.slotLen;
    } else if (m.type === 'page') {
      pages.push(new Float64Array(m.page));
    } else if (m.type === 'bin') {
      bin = m;
    } else if (m.type === 'predict') {
      predict = m;
    } else if (m.type === 'end') {
      src = null;
      bin = null;
      predict = null;
      pages.length = 0;
      scratch = new Int32Array(1);
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
    if (cmd === CMD_PREDICT) {
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
      binColumns(new Float64Array(b.cols), s.n, ctrl[C.FSTART]!, ctrl[C.FEND]!, b.maxBins, b.rows ? new Int32Array(b.rows) : null, new Float64Array(b.thr), new Int32Array(b.nThr), s.xb);
      bin = null;
    } else if (cmd === CMD_SPLIT) {
      const s = src!;
      partitionClaimedChunks(s.part, scratch, s.xb, s.n, ctrl[C.START]!, ctrl[C.STOP]!, ctrl[C.FEATURE]!, ctrl[C.THR]!, ctrl[C.MISS_LEFT]!, ctrl[C.MISSING_BIN]!, claim, lefts);
    } else if (cmd === CMD_BUILD) {
      const slot = ctrl[C.SLOT]!;
      const page = pages[Math.floor(slot / slotsPerPage)]!;
      const root = ctrl[C.ROOT]!;
      buildClaimedChunks(src!, ctrl[C.GOFF]!, ctrl[C.START]!, ctrl[C.STOP]!, root > 0, root !== 2, chunks, claim, page, (slot % slotsPerPage) * slotLen, og, oh);
    }
  } catch {
    Atomics.store(ctrl, C.ERR, 1);
  }
  Atomics.add(ctrl, C.DONE, 1);
  Atomics.store(ctrl, C.ACK, seq);
  if (Atomics.load(ctrl, C.MAIN_WAITING) === 1) Atomics.notify(ctrl, C.ACK);
}
