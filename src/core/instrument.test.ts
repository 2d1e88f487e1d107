import diagnostics from 'node:diagnostics_channel';
import { describe, expect, it } from 'vitest';
import {
  DATA_READ_CHANNEL,
  FIT_CHANNEL,
  hasDataReadSubscribers,
  hasFitSubscribers,
  publishDataRead,
  publishFit,
  subscribeDataRead,
  subscribeFit,
} from './index.js';
import type { DataReadEvent, FitEvent } from './index.js';

describe('instrumentation channels', () => {
  it('delivers fit events to subscribers until they unsubscribe', () => {
    expect(hasFitSubscribers()).toBe(false);
    const seen: FitEvent[] = [];
    const stop = subscribeFit((e) => {
      seen.push(e);
    });
    expect(hasFitSubscribers()).toBe(true);
    const event: FitEvent = { estimator: { name: 'm' }, X: [[1]], y: [0], durationMs: 3 };
    publishFit(event);
    stop();
    stop(); // idempotent
    publishFit(event);
    expect(seen).toEqual([event]);
    expect(hasFitSubscribers()).toBe(false);
  });

  it('uses the named node:diagnostics_channel channels, so anyone can listen', () => {
    const seen: unknown[] = [];
    const listener = (m: unknown): void => {
      seen.push(m);
    };
    diagnostics.subscribe(DATA_READ_CHANNEL, listener);
    try {
      expect(hasDataReadSubscribers()).toBe(true);
      const event: DataReadEvent = { path: '/tmp/a.csv', format: 'csv', rows: 2, schema: [{ name: 'x', kind: 'float64' }] };
      publishDataRead(event);
      expect(seen).toEqual([event]);
    } finally {
      diagnostics.unsubscribe(DATA_READ_CHANNEL, listener);
    }
    expect(FIT_CHANNEL).toBe('mlship:learn:fit');
  });

  it('a throwing or rejecting subscriber never reaches the publisher', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error): void => {
      warnings.push(w.message);
    };
    process.on('warning', onWarning);
    const stopThrow = subscribeDataRead(() => {
      throw new Error('boom');
    });
    const stopReject = subscribeDataRead(async () => {
      throw new Error('later');
    });
    const got: string[] = [];
    const stopOk = subscribeDataRead((e) => {
      got.push(e.path);
    });
    try {
      expect(() => publishDataRead({ path: '/x', format: 'text-folder', rows: null, schema: null })).not.toThrow();
      await new Promise((r) => setTimeout(r, 20));
      expect(got).toEqual(['/x']);
      expect(warnings.some((m) => m.includes('boom'))).toBe(true);
      expect(warnings.some((m) => m.includes('later'))).toBe(true);
    } finally {
      stopThrow();
      stopReject();
      stopOk();
      process.off('warning', onWarning);
    }
  });
});
