import { describe, expect, it } from 'vitest';
import { caught, useTempDir } from '../../test/support/temp-files.js';
import { streamJsonl, type JsonlRecord } from './jsonl.js';

const tmp = useTempDir('jsonl');
const file = tmp.file;

async function collect(path: string): Promise<JsonlRecord[]> {
  const out: JsonlRecord[] = [];
  for await (const r of streamJsonl(path)) out.push(r);
  return out;
}


describe('streamJsonl', () => {
  it('yields parsed values with line numbers, skipping blank lines, with CRLF, BOM and no final newline', async () => {
    const path = await file('a.jsonl', '\uFEFF{"a":1}\r\n\r\n   \n{"a":"x\\ny"}\r\n[1,2]\n"s"');
    expect(await collect(path)).toEqual([
      { line: 1, value: { a: 1 } },
      { line: 4, value: { a: 'x\ny' } },
      { line: 5, value: [1, 2] },
      { line: 6, value: 's' },
    ]);
  });

  it('reassembles lines longer than one read chunk', async () => {
    const long = 'ü'.repeat(1_500_000);
    const path = await file('long.jsonl', `{"t":"${long}"}\n{"t":"b"}\n`);
    const rows = await collect(path);
    expect(rows).toHaveLength(2);
    expect((rows[0]!.value as { t: string }).t).toBe(long);
    expect(rows[1]).toEqual({ line: 2, value: { t: 'b' } });
  });

  it('names the file and line of a bad JSON line (PARSE_ERROR)', async () => {
    const path = await file('bad.jsonl', '{"a":1}\n\n{"a":2,}\n{"a":3}\n');
    const err = await caught(collect(path));
    expect(err.code).toBe('PARSE_ERROR');
    expect(err.message).toContain(`${path} line 3: invalid JSON`);
    expect(err.message).toContain('{"a":2,}');
    expect(err.details.line).toBe(3);
  });

  it('reports invalid UTF-8 with the line (INVALID_DATA)', async () => {
    const path = await file('bad-utf8.jsonl', Buffer.concat([Buffer.from('{"a":1}\n{"a":"'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('"}\n')]));
    const err = await caught(collect(path));
    expect(err.code).toBe('INVALID_DATA');
    expect(err.message).toContain(`${path}: invalid UTF-8 at line 2`);
  });

  it('an empty file yields nothing; a missing file is NOT_FOUND', async () => {
    expect(await collect(await file('empty.jsonl', ''))).toEqual([]);
    expect((await caught(collect(tmp.path('missing.jsonl')))).code).toBe('NOT_FOUND');
  });

  it('stops reading when the consumer breaks early (reads one chunk of a 4.5 MB file)', async () => {
    const path = await file('many.jsonl', '{"i":"0123456789abcdefghi"}\n'.repeat(160_000));
    let n = 0;
    let bytes = 0;
    let totalBytes = 0;
    for await (const _ of streamJsonl(path, { onProgress: (p) => ((bytes = p.bytes), (totalBytes = p.totalBytes ?? 0)) })) {
      if (++n === 3) break;
    }
    expect(n).toBe(3);
    expect(totalBytes).toBe(4_480_000);
    expect(bytes).toBeLessThanOrEqual(2 * 1024 * 1024);
  });
});
