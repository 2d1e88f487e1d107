import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { isMlshipError } from '../../core/index.js';
import { checkWebhookUrl, postWebhook } from './webhook.js';

/** A real HTTP server on 127.0.0.1 answering with `handler`, recording the bodies it got. */
async function receiver(handler: (n: number, req: IncomingMessage, res: ServerResponse) => void): Promise<{ url: string; bodies: unknown[]; server: Server }> {
  const bodies: unknown[] = [];
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString('utf8')));
    req.on('end', () => {
      bodies.push({ contentType: req.headers['content-type'], body: JSON.parse(text) as unknown });
      handler(bodies.length, req, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/alerts`, bodies, server };
}

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

describe('postWebhook', () => {
  it('POSTs the payload as JSON once when the receiver answers 2xx', async () => {
    const r = await receiver((_n, _req, res) => res.writeHead(204).end());
    servers.push(r.server);
    const result = await postWebhook(r.url, { event: 'firing', model: 'spam' });
    expect(result).toEqual({ ok: true, status: 204, attempts: 1 });
    expect(r.bodies).toEqual([{ contentType: 'application/json', body: { event: 'firing', model: 'spam' } }]);
  });

  it('retries a 5xx and succeeds on the next attempt', async () => {
    const r = await receiver((n, _req, res) => res.writeHead(n === 1 ? 503 : 200).end('ok'));
    servers.push(r.server);
    const result = await postWebhook(r.url, { n: 1 }, { retries: 2, retryDelayMs: 10 });
    expect(result).toEqual({ ok: true, status: 200, attempts: 2 });
    expect(r.bodies).toHaveLength(2);
  });

  it('does not retry a 4xx, and reports it without throwing', async () => {
    const r = await receiver((_n, _req, res) => res.writeHead(400).end('bad'));
    servers.push(r.server);
    const result = await postWebhook(r.url, { n: 1 }, { retries: 2, retryDelayMs: 10 });
    expect(result).toEqual({ ok: false, status: 400, attempts: 1, error: 'HTTP 400' });
  });

  it('gives up after the retries on a receiver that never answers (timeout)', async () => {
    const r = await receiver(() => undefined); // never responds
    servers.push(r.server);
    const t0 = Date.now();
    const result = await postWebhook(r.url, { n: 1 }, { timeoutMs: 150, retries: 1, retryDelayMs: 10 });
    expect(result.ok).toBe(false);
    expect(result.status).toBeNull();
    expect(result.attempts).toBe(2);
    expect(result.error).toBe('no answer within 150 ms');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(300);
  });

  it('reports a refused connection without throwing', async () => {
    const r = await receiver((_n, _req, res) => res.end());
    const url = r.url;
    await new Promise((res) => r.server.close(res)); // nothing listens on that port any more
    const result = await postWebhook(url, { n: 1 }, { retries: 1, retryDelayMs: 10 });
    expect(result.ok).toBe(false);
    expect(result.attempts).toBe(2);
    expect(result.error).toBe('ECONNREFUSED');
  });

  it('checks URLs', () => {
    expect(checkWebhookUrl('https://hooks.example.com/x')).toBe('https://hooks.example.com/x');
    for (const bad of ['127.0.0.1:9000', 'ftp://x/y', '']) {
      let err: unknown;
      try {
        checkWebhookUrl(bad);
      } catch (e) {
        err = e;
      }
      expect(isMlshipError(err) && err.code === 'INVALID_ARGUMENT', bad).toBe(true);
    }
  });
});
