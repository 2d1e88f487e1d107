import { readFile } from 'node:fs/promises';
import type { BigIntStats } from 'node:fs';
import { writeFileAtomic } from '../../core/index.js';

// The state index: remembers the sha256 of each file by absolute path, keyed by size, mtime (ns)
// and inode, so an unchanged file is never hashed twice (DVC's state db). A stale or damaged index
// only costs rehashing: it is a cache, never a source of truth for what is committed.

interface StateEntry {
  size: string;
  mtimeNs: string;
  ino: string;
  sha256: string;
}

const STATE_VERSION = 1;

/** The on-disk state index, loaded once per operation and saved atomically at the end. */
export class StateIndex {
  private entries = new Map<string, StateEntry>();
  private dirty = false;

  private constructor(private readonly file: string) {}

  /** Loads the index at `file`; a missing or unreadable file gives an empty index. */
  static async load(file: string): Promise<StateIndex> {
    const index = new StateIndex(file);
    try {
      const parsed = JSON.parse(await readFile(file, 'utf8')) as { version?: number; entries?: Record<string, StateEntry> };
      if (parsed.version === STATE_VERSION && parsed.entries && typeof parsed.entries === 'object') {
        index.entries = new Map(Object.entries(parsed.entries));
      }
    } catch {
      // missing or damaged: start empty, files are rehashed
    }
    return index;
  }

  /** The known sha256 of `path` if its size, mtime and inode are unchanged, else undefined. */
  lookup(path: string, st: BigIntStats): string | undefined {
    const e = this.entries.get(path);
    if (!e) return undefined;
    return e.size === String(st.size) && e.mtimeNs === String(st.mtimeNs) && e.ino === String(st.ino) ? e.sha256 : undefined;
  }

  /** Records the sha256 of `path` for its current size, mtime and inode. */
  record(path: string, st: BigIntStats, sha256: string): void {
    this.entries.set(path, { size: String(st.size), mtimeNs: String(st.mtimeNs), ino: String(st.ino), sha256 });
    this.dirty = true;
  }

  /** Writes the index if it changed (temp + rename). */
  async save(): Promise<void> {
    if (!this.dirty) return;
    // A cache of hashes: atomic, but not worth an fsync (losing it only means rehashing).
    await writeFileAtomic(this.file, JSON.stringify({ version: STATE_VERSION, entries: Object.fromEntries(this.entries) }), { mkdir: true, durable: false });
    this.dirty = false;
  }
}
