/**
 * The checkpoint of a batch prediction (`<output>.checkpoint.json`): which input and model the run
 * reads, how far it got (rows, chunks, the input position) and how long the output and rejects
 * files were at that point. It is replaced atomically (write a temporary file, fsync, rename)
 * after each chunk's output is written and synced, so it never claims more than is on disk.
 */
import { open, readFile, rename, rm } from 'node:fs/promises';
import { MlshipError } from '../../core/index.js';

/** Current checkpoint format. */
export const CHECKPOINT_VERSION = 1;

/** What a checkpoint holds. */
export interface Checkpoint {
  version: number;
  input: { path: string; size: number; mtimeMs: number };
  model: { source: string; digest: string };
  output: string;
  rejects: string;
  /** The id column copied to the output (null: row numbers); a resumed run must write the same. */
  idColumn: string | null;
  chunksDone: number;
  rowsDone: number;
  written: number;
  rejected: number;
  /** Input position after the done rows: byte offset (JSONL, TXT) and next line number. */
  offset: number;
  line: number;
  outputBytes: number;
  rejectsBytes: number;
  updatedAt: string;
}

/** Reads a checkpoint, or undefined when there is none. */
export async function readCheckpoint(path: string): Promise<Checkpoint | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') return undefined;
    throw new MlshipError('IO_ERROR', `cannot read the checkpoint ${path}: ${(err as Error).message}`, { file: path }, { cause: err });
  }
  let cp: Checkpoint;
  try {
    cp = JSON.parse(text) as Checkpoint;
  } catch (err) {
    throw new MlshipError('CORRUPT_ARTIFACT', `the checkpoint ${path} is not valid JSON (${(err as Error).message}); start over with --restart`, { file: path }, { cause: err });
  }
  const numbers = ['chunksDone', 'rowsDone', 'written', 'rejected', 'offset', 'line', 'outputBytes', 'rejectsBytes'] as const;
  if (cp.version !== CHECKPOINT_VERSION || !cp.input || !cp.model || numbers.some((k) => !Number.isSafeInteger(cp[k]) || cp[k] < 0)) {
    throw new MlshipError('CORRUPT_ARTIFACT', `the checkpoint ${path} is not a version ${CHECKPOINT_VERSION} batch checkpoint; start over with --restart`, { file: path });
  }
  return cp;
}

/** Replaces the checkpoint atomically (temporary file, fsync, rename). */
export async function writeCheckpoint(path: string, cp: Checkpoint): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  const fh = await open(tmp, 'w');
  try {
    await fh.writeFile(JSON.stringify(cp, null, 2) + '\n');
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
}

/** Removes the checkpoint (the run is complete). */
export async function removeCheckpoint(path: string): Promise<void> {
  await rm(path, { force: true });
}
