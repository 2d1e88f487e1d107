// Reading the scikit-learn reference fixtures (test/fixtures/sklearn/, written by
// scripts/sklearn-fixtures/): exact float64 arrays travel as base64 of their little-endian bytes.
import { readFileSync } from 'node:fs';
import { CsrMatrix, Matrix } from '../../src/core/index.js';

export type F64 = { f64: string };
export type CsrFixture = { shape: [number, number]; indptr: number[]; indices: number[]; data: number[] | F64 };
export type DenseFixture = { shape: [number, number]; data: F64 };

/** Parses test/fixtures/sklearn/<name>. */
export function loadFixture(name: string): any {
  return JSON.parse(readFileSync(new URL(`../fixtures/sklearn/${name}`, import.meta.url), 'utf8'));
}

/** The exact float64 values of a `{ f64: base64 }` field. */
export function f64(v: F64): Float64Array {
  const b = Buffer.from(v.f64, 'base64');
  return new Float64Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

/** A CSR matrix from a fixture, optionally with other values on the same structure. */
export function csrFixture(c: CsrFixture, values?: F64): CsrMatrix {
  const data = values ? f64(values) : Array.isArray(c.data) ? Float64Array.from(c.data) : f64(c.data);
  return new CsrMatrix(c.shape[0], c.shape[1], data, Int32Array.from(c.indices), Int32Array.from(c.indptr));
}

/** A dense matrix from a fixture. */
export function denseFixture(d: DenseFixture): Matrix {
  return new Matrix(d.shape[0], d.shape[1], f64(d.data));
}
