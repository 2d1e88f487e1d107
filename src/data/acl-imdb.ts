import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { MlshipError } from '../core/index.js';
import { ProgressTracker } from './progress.js';
import { textRead } from './read-events.js';
import { fsError, readFileBatches } from './read-text.js';
import { TextDatasetBuilder, isBlankText, type TextDataset, type TextLoadOptions } from './text-dataset.js';
import { findInvalidUtf8 } from './utf8.js';

/**
 * Which part of the aclImdb tree to load.
 *
 * @example
 * ```ts
 * import { loadAclImdb, type AclImdbSplit } from 'mlship/data';
 * const split: AclImdbSplit = 'train';
 * const train = await loadAclImdb('aclImdb', { split });
 * ```
 */
export type AclImdbSplit = 'train' | 'test' | 'all';

/**
 * Options for {@link loadAclImdb}.
 *
 * @example
 * ```ts
 * import { loadAclImdb } from 'mlship/data';
 * const test = await loadAclImdb('aclImdb', { split: 'test', limit: 1000 });
 * ```
 */
export interface LoadAclImdbOptions extends TextLoadOptions {
  /**
   * `train`, `test`, or `all` (train then test).
   * @default 'all'
   */
  split?: AclImdbSplit;
}

/**
 * A dataset loaded from the aclImdb tree: ids and ratings are always present.
 *
 * @example
 * ```ts
 * import { loadAclImdb } from 'mlship/data';
 * const ds = await loadAclImdb('aclImdb', { split: 'test' });
 * const y = ds.labels.map((l) => (l === 'pos' ? 1 : 0)); // the usual scikit-learn encoding
 * ```
 */
export interface AclImdbDataset extends TextDataset {
  ids: string[];
  ratings: number[];
}

const FILE_NAME = /^(\d+)_(\d+)\.txt$/;
/** Class folders, in sorted order as scikit-learn's `load_files` lists them. */
const CLASSES = ['neg', 'pos'] as const;

interface ReviewFile {
  path: string;
  id: string;
  num: number;
  rating: number;
  label: string;
}

async function listClass(dir: string, split: string, label: string, builder: TextDatasetBuilder): Promise<ReviewFile[]> {
  const folder = join(dir, split, label);
  let names: string[];
  try {
    names = await readdir(folder);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') {
      throw new MlshipError(
        'NOT_FOUND',
        `${dir}: missing folder ${split}/${label}. An aclImdb directory holds train/pos, train/neg, test/pos and ` +
          `test/neg, each with <id>_<rating>.txt files; pass the aclImdb folder itself (or choose another split).`,
        { file: folder },
        { cause: err },
      );
    }
    throw fsError(folder, err);
  }
  const files: ReviewFile[] = [];
  for (const name of names) {
    if (!name.endsWith('.txt')) continue;
    const m = FILE_NAME.exec(name);
    if (m === null) {
      builder.problem(undefined, `${split}/${label}/${name}: file name is not <id>_<rating>.txt; rename or remove it.`);
      continue;
    }
    files.push({
      path: join(folder, name),
      id: `${split}/${label}/${m[1]}_${m[2]}`,
      num: Number(m[1]),
      rating: Number(m[2]),
      label,
    });
  }
  files.sort((a, b) => a.num - b.num || a.rating - b.rating);
  return files;
}

/**
 * Loads the Stanford Large Movie Review Dataset in its original `aclImdb` tree:
 * `train|test/pos|neg/<id>_<rating>.txt` (`unsup` and the other files are ignored). Labels are
 * `'pos'` and `'neg'` (map them if you want `positive`/`negative` or 1/0); ids look like
 * `train/pos/123_9` and `ratings` holds the 1-10 star rating from each file name. Order is
 * deterministic: split (train, then test), class folder (`neg`, then `pos`), then id numerically.
 * Files are read in batches; reviews keep their raw text, `<br />` tags included.
 *
 * Errors (`MlshipError`): NOT_FOUND for a missing directory or class folder; INVALID_DATA for a
 * badly named, empty or non-UTF-8 review file (up to 10 listed, plus a count of the rest) or a
 * single class.
 *
 * @example
 * ```ts
 * import { loadAclImdb } from 'mlship/data';
 * const train = await loadAclImdb('aclImdb', { split: 'train' });
 * console.log(train.texts.length, train.ids[0], train.ratings[0]); // 25000 'train/neg/0_3' 3
 * ```
 */
export async function loadAclImdb(dir: string, options: LoadAclImdbOptions = {}): Promise<AclImdbDataset> {
  const split = options.split ?? 'all';
  if (split !== 'train' && split !== 'test' && split !== 'all') {
    throw new MlshipError('INVALID_ARGUMENT', `split must be 'train', 'test' or 'all', got ${JSON.stringify(split)}.`, {
      field: 'split',
      value: split,
    });
  }
  let info;
  try {
    info = await stat(dir);
  } catch (err) {
    throw fsError(dir, err);
  }
  if (!info.isDirectory()) {
    throw new MlshipError('INVALID_ARGUMENT', `${dir} is not a directory; loadAclImdb expects the aclImdb folder.`, { file: dir });
  }
  const builder = new TextDatasetBuilder(dir, options);
  const files: ReviewFile[] = [];
  for (const s of split === 'all' ? ['train', 'test'] : [split]) {
    for (const label of CLASSES) files.push(...(await listClass(dir, s, label, builder)));
  }
  const tracker = new ProgressTracker(options.onProgress, undefined, files.length);
  const ratings: number[] = [];
  let k = 0;
  outer: for await (const batch of readFileBatches(files.map((f) => f.path))) {
    for (const bytes of batch) {
      const f = files[k++]!;
      builder.rows++;
      tracker.rows++;
      tracker.addBytes(bytes.length);
      const bad = findInvalidUtf8(bytes);
      if (bad !== null) {
        builder.problem(bad.line, `${f.id}.txt line ${bad.line}: invalid UTF-8 (bytes ${bad.bytes}); re-encode the file as UTF-8.`);
        continue;
      }
      const hasBom = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
      const text = bytes.toString('utf8', hasBom ? 3 : 0);
      if (isBlankText(text)) {
        builder.problem(undefined, `${f.id}.txt: empty review; remove the file or fill it in.`);
        continue;
      }
      if (builder.add(text, f.label, f.id)) ratings.push(f.rating);
      if (builder.full) break outer;
    }
  }
  tracker.done();
  const ds = builder.finish(`no review files under ${split === 'all' ? 'train/ and test/' : `${split}/`}`);
  return textRead(dir, 'aclimdb', { ...ds, ids: ds.ids ?? [], ratings });
}
