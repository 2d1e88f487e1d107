import { describe, expect, it } from 'vitest';
import { caught, collect, useTempDir } from '../../test/support/temp-files.js';
import { MlshipError, Rng } from '../core/index.js';
import { CsvParser, streamCsv, readCsv, type CsvRow } from './csv.js';

const tmp = useTempDir('csv');
const file = tmp.file;

/** Parses `text` fed in the given chunk sizes (cycled). */
function parse(text: string, chunkSizes: number[] = [text.length || 1], delimiter = ','): CsvRow[] {
  const parser = new CsvParser('mem.csv', delimiter);
  const out: CsvRow[] = [];
  let i = 0;
  let k = 0;
  while (i < text.length) {
    const size = chunkSizes[k++ % chunkSizes.length]!;
    parser.push(text.slice(i, i + size), out);
    i += size;
  }
  parser.end(out);
  return out;
}



describe('CsvParser', () => {
  it('parses quoted fields with commas, doubled quotes and newlines, and tracks start lines', () => {
    const rows = parse('a,b,c\n1,"x, y","say ""hi"""\n2,"multi\nline\nfield",z\n3,,\n');
    expect(rows.map((r) => r.fields)).toEqual([
      ['a', 'b', 'c'],
      ['1', 'x, y', 'say "hi"'],
      ['2', 'multi\nline\nfield', 'z'],
      ['3', '', ''],
    ]);
    expect(rows.map((r) => r.line)).toEqual([1, 2, 3, 6]);
  });

  it('handles CRLF, lone CR, no final newline and blank lines', () => {
    expect(parse('a,b\r\n1,2\r\n\r\n3,4').map((r) => r.fields)).toEqual([['a', 'b'], ['1', '2'], ['3', '4']]);
    expect(parse('a,b\r1,2\r').map((r) => r.fields)).toEqual([['a', 'b'], ['1', '2']]);
    const rows = parse('a\n\n\nb\n');
    expect(rows.map((r) => [r.line, r.fields[0]])).toEqual([[1, 'a'], [4, 'b']]);
  });

  it('keeps a CRLF inside a quoted field and counts it as one line', () => {
    const rows = parse('t,l\r\n"one\r\ntwo",x\r\nnext,y\r\n');
    expect(rows[1]!.fields[0]).toBe('one\r\ntwo');
    expect(rows[2]!.line).toBe(4);
  });

  it('edge cases: empty input, trailing delimiter, empty quoted field, quote inside an unquoted field', () => {
    expect(parse('')).toEqual([]);
    expect(parse('a,').map((r) => r.fields)).toEqual([['a', '']]);
    expect(parse('"",x\n').map((r) => r.fields)).toEqual([['', 'x']]);
    expect(parse('ab"c,d\n').map((r) => r.fields)).toEqual([['ab"c', 'd']]);
  });

  it('gives the same rows whatever the chunk boundaries (CR|LF and "|" split across chunks)', () => {
    const text = 'h1;h2\r\n"a;""b""\r\nc";d\r\n\r\ne;"f"\r\n"";\r\nlast;row';
    const whole = parse(text, undefined, ';');
    expect(whole.map((r) => r.fields)).toEqual([['h1', 'h2'], ['a;"b"\r\nc', 'd'], ['e', 'f'], ['', ''], ['last', 'row']]);
    for (let size = 1; size <= text.length; size++) expect(parse(text, [size], ';')).toEqual(whole);
    expect(parse(text, [1, 2, 3, 5, 7], ';')).toEqual(whole);
  });

  it('round-trips random records through RFC 4180 quoting under random chunking', () => {
    const rng = new Rng(7);
    const alphabet = ['a', 'b', ' ', ',', '"', '\n', '\r\n', 'é', '😀', 'x'];
    for (let trial = 0; trial < 30; trial++) {
      const width = 1 + Math.floor(rng.random() * 4);
      const records: string[][] = [];
      const nRows = 1 + Math.floor(rng.random() * 20);
      for (let r = 0; r < nRows; r++) {
        const rec: string[] = [];
        for (let c = 0; c < width; c++) {
          let s = '';
          const len = Math.floor(rng.random() * 6);
          for (let k = 0; k < len; k++) s += alphabet[Math.floor(rng.random() * alphabet.length)]!;
          rec.push(s);
        }
        // A record of one empty field would serialise as a blank line, which the parser skips.
        if (width === 1 && rec[0] === '') rec[0] = 'a';
        records.push(rec);
      }
      const text = records
        .map((rec) => rec.map((f) => (/[",\r\n]/.test(f) ? `"${f.replace(/"/g, '""')}"` : f)).join(','))
        .join(trial % 2 === 0 ? '\n' : '\r\n');
      const sizes = [1 + Math.floor(rng.random() * 9), 1 + Math.floor(rng.random() * 9)];
      expect(parse(text, sizes).map((r) => r.fields)).toEqual(records);
    }
  });

  it('throws PARSE_ERROR naming the line where an unterminated quoted field starts', () => {
    let err: unknown;
    try {
      parse('a,b\n1,2\n3,"never closed\nmore\n');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(MlshipError);
    expect((err as MlshipError).code).toBe('PARSE_ERROR');
    expect((err as MlshipError).message).toMatch(/^mem\.csv line 3: unterminated quoted field/);
    expect((err as MlshipError).details.line).toBe(3);
  });

  it('throws PARSE_ERROR for text after a closing quote, and rejects a bad delimiter', () => {
    expect(() => parse('a,b\n"x"y,z\n')).toThrow(/mem\.csv line 2: unexpected character "y" after the closing quote/);
    expect(() => new CsvParser('f.csv', ';;')).toThrow(/delimiter must be one character/);
    expect(() => new CsvParser('f.csv', '"')).toThrow(MlshipError);
  });
});

describe('streamCsv / readCsv on files', () => {
  it('reads a file with a BOM, CRLF and quoted fields as records keyed by the header', async () => {
    const path = await file('bom.csv', '\uFEFFid,text\r\n1,"hello, ""world"""\r\n2,"two\r\nlines"\r\n');
    const rows = await collect(readCsv(path, { columns: ['id', 'text'] }));
    expect(rows).toEqual([
      { id: '1', text: 'hello, "world"' },
      { id: '2', text: 'two\r\nlines' },
    ]);
    const raw = await collect(streamCsv(path));
    expect(raw[0]!.fields).toEqual(['id', 'text']);
  });

  it('uses a custom delimiter', async () => {
    const path = await file('tab.tsv', 'a\tb\n"x\ty"\tz\n');
    expect(await collect(readCsv(path, { delimiter: '\t' }))).toEqual([{ a: 'x\ty', b: 'z' }]);
  });

  it('decodes multi-byte characters split across read chunks', async () => {
    const body = 'é'.repeat(700_000); // 1.4 MB of 2-byte characters: a boundary falls inside one
    const path = await file('wide.csv', `text,label\n"${body}",a\nshort,b\n`);
    const rows = await collect(readCsv(path));
    expect(rows[0]!.text).toBe(body);
    expect(rows[1]).toEqual({ text: 'short', label: 'b' });
  });

  it('names the missing column and lists the header', async () => {
    const path = await file('cols.csv', 'body,label\nx,y\n');
    const err = await caught(collect(readCsv(path, { columns: ['text', 'label'] })));
    expect(err.code).toBe('INVALID_DATA');
    expect(err.message).toContain(`${path}: missing column 'text'`);
    expect(err.message).toContain("'body', 'label'");
  });

  it('names file, line, expected and actual field counts for a ragged row', async () => {
    const path = await file('ragged.csv', 'a,b\n1,2\n3,4,5\n');
    const err = await caught(collect(readCsv(path)));
    expect(err.code).toBe('INVALID_DATA');
    expect(err.message).toContain(`${path} line 3: expected 2 fields (as in the header) but got 3`);
  });

  it('rejects an empty file, a duplicate header name and a missing file', async () => {
    const empty = await file('empty.csv', '');
    expect((await caught(collect(readCsv(empty)))).message).toContain(`${empty} is empty`);
    const dup = await file('dup.csv', 'a,a\n1,2\n');
    expect((await caught(collect(readCsv(dup)))).message).toContain("names column 'a' twice");
    const missing = await caught(collect(streamCsv(tmp.path('nope.csv'))));
    expect(missing.code).toBe('NOT_FOUND');
    expect(missing.message).toContain('nope.csv');
    const isDir = await caught(collect(streamCsv(tmp.dir)));
    expect(isDir.code).toBe('INVALID_ARGUMENT');
  });

  it('reports invalid UTF-8 as INVALID_DATA with the file and line, also past the first chunk', async () => {
    const small = await file('bad-utf8.csv', Buffer.concat([Buffer.from('a,b\nok,1\nbad'), Buffer.from([0xc3, 0x28]), Buffer.from(',2\n')]));
    const err = await caught(collect(streamCsv(small)));
    expect(err.code).toBe('INVALID_DATA');
    expect(err.message).toContain(`${small}: invalid UTF-8 at line 3`);
    expect(err.message).toContain('bytes c3)');
    const filler = 'x,y\n'.repeat(400_000); // 1.6 MB: the bad byte lands in a later read chunk
    const big = await file('bad-utf8-big.csv', Buffer.concat([Buffer.from(`a,b\n${filler}`), Buffer.from([0xff]), Buffer.from(',z\n')]));
    const err2 = await caught(collect(streamCsv(big)));
    expect(err2.details.line).toBe(400_002);
    // a truncated sequence at the very end of the file
    const cut = await file('cut.csv', Buffer.concat([Buffer.from('a,b\n1,'), Buffer.from([0xe2, 0x82])]));
    expect((await caught(collect(streamCsv(cut)))).details.line).toBe(2);
  });

  it('calls onProgress with bytes, total bytes and rows, ending at the file size', async () => {
    const path = await file('progress.csv', 'a,b\n' + '1,2\n'.repeat(1000));
    const calls: { bytes: number; totalBytes: number | undefined; rows: number }[] = [];
    await collect(streamCsv(path, { onProgress: (p) => calls.push(p) }));
    const last = calls.at(-1)!;
    expect(last).toMatchObject({ bytes: 4004, totalBytes: 4004, rows: 1001 });
    expect(calls.length).toBeLessThanOrEqual(3);
  });
});
