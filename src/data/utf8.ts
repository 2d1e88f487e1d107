import { createReadStream } from 'node:fs';
import { isUtf8 } from 'node:buffer';
import { MlshipError } from '../core/index.js';

/** Where the first invalid UTF-8 sequence is: byte offset, 1-based line, and the offending bytes. */
export interface Utf8Problem {
  offset: number;
  line: number;
  bytes: string;
}

/**
 * Length of the invalid sequence starting at `i`, or 0 when `bytes[i..]` starts a valid character
 * (WHATWG UTF-8 decoder rules: no overlongs, no surrogates, nothing above U+10FFFF). When the
 * buffer ends inside a sequence, returns -1 (more bytes are needed to decide).
 */
function invalidAt(bytes: Uint8Array, i: number): number {
  const b = bytes[i]!;
  if (b < 0x80) return 0;
  let need: number;
  let lower = 0x80;
  let upper = 0xbf;
  if (b >= 0xc2 && b <= 0xdf) need = 1;
  else if (b >= 0xe0 && b <= 0xef) {
    need = 2;
    if (b === 0xe0) lower = 0xa0;
    else if (b === 0xed) upper = 0x9f;
  } else if (b >= 0xf0 && b <= 0xf4) {
    need = 3;
    if (b === 0xf0) lower = 0x90;
    else if (b === 0xf4) upper = 0x8f;
  } else return 1;
  for (let k = 1; k <= need; k++) {
    if (i + k >= bytes.length) return -1;
    const c = bytes[i + k]!;
    if (c < lower || c > upper) return k;
    lower = 0x80;
    upper = 0xbf;
  }
  return 0;
}

function seqLength(b: number): number {
  return b < 0x80 ? 1 : b < 0xe0 ? 2 : b < 0xf0 ? 3 : 4;
}

function hex(bytes: Uint8Array, from: number, len: number): string {
  const out: string[] = [];
  for (let k = from; k < from + len && k < bytes.length; k++) out.push(bytes[k]!.toString(16).padStart(2, '0'));
  return out.join(' ');
}

/**
 * Scans `bytes` for the first invalid UTF-8 sequence. Returns its offset and length, or `null`
 * when all bytes are valid. With `final` false, a sequence cut off by the end is not an error:
 * the returned `{ offset, length: -1 }` marks where the unfinished tail starts.
 */
function scan(bytes: Uint8Array, final: boolean): { offset: number; length: number } | null {
  let i = 0;
  const n = bytes.length;
  while (i < n) {
    if (bytes[i]! < 0x80) {
      i++;
      continue;
    }
    const bad = invalidAt(bytes, i);
    if (bad === 0) i += seqLength(bytes[i]!);
    else if (bad === -1) return final ? { offset: i, length: n - i } : { offset: i, length: -1 };
    else return { offset: i, length: bad };
  }
  return null;
}

function countNewlines(bytes: Uint8Array, end: number): number {
  let count = 0;
  for (let k = 0; k < end; k++) if (bytes[k] === 0x0a) count++;
  return count;
}

/** Finds the first invalid UTF-8 sequence in an in-memory buffer, or `null` when it is valid. */
export function findInvalidUtf8(bytes: Uint8Array): Utf8Problem | null {
  if (isUtf8(bytes)) return null;
  const hit = scan(bytes, true);
  if (hit === null) return null;
  return { offset: hit.offset, line: countNewlines(bytes, hit.offset) + 1, bytes: hex(bytes, hit.offset, Math.max(hit.length, 1)) };
}

/** Streams a file to find its first invalid UTF-8 sequence (only called once decoding failed). */
export async function findInvalidUtf8InFile(file: string): Promise<Utf8Problem | null> {
  let carry: Uint8Array = new Uint8Array(0);
  let base = 0; // file offset of carry[0]
  let lines = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    const bytes = carry.length === 0 ? chunk : Buffer.concat([carry, chunk]);
    const hit = scan(bytes, false);
    if (hit !== null && hit.length > 0) {
      return { offset: base + hit.offset, line: lines + countNewlines(bytes, hit.offset) + 1, bytes: hex(bytes, hit.offset, hit.length) };
    }
    const keep = hit === null ? bytes.length : hit.offset;
    lines += countNewlines(bytes, keep);
    carry = bytes.subarray(keep);
    base += keep;
  }
  if (carry.length > 0) return { offset: base, line: lines + 1, bytes: hex(carry, 0, carry.length) };
  return null;
}

/** The INVALID_DATA error for a file that is not valid UTF-8. */
export function invalidUtf8Error(file: string, problem: Utf8Problem | null): MlshipError {
  const where = problem === null ? '' : ` at line ${problem.line} (byte offset ${problem.offset}, bytes ${problem.bytes})`;
  return new MlshipError(
    'INVALID_DATA',
    `${file}: invalid UTF-8${where}. mlship reads text files as UTF-8; re-encode the file ` +
      `(for example \`iconv -f latin1 -t utf-8 in.csv > out.csv\`) or fix the bytes on that line.`,
    { file, line: problem?.line, value: problem?.bytes, hint: 're-encode the file as UTF-8' },
  );
}

/**
 * Decodes a whole file's bytes as UTF-8 (a leading BOM is dropped), or throws INVALID_DATA naming
 * the file and line.
 */
export function decodeUtf8(bytes: Buffer, file: string): string {
  const problem = findInvalidUtf8(bytes);
  if (problem !== null) throw invalidUtf8Error(file, problem);
  const start = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  return bytes.toString('utf8', start);
}
