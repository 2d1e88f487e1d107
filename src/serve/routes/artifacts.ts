/**
 * A run's artifacts over HTTP under `/api/v1/runs/:runId/artifacts`: upload a file body to a path
 * (streamed to disk, never held in memory whole), list a folder, download a file. Path safety
 * (`..`, absolute paths, symlinks) is the artifact store's, plus a check of the upload's last
 * segment here.
 */
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { FastifyInstance } from 'fastify';
import { MlshipError } from '../../core/index.js';
import type { ServeContext } from '../context.js';
import { arr, artifactInfoSchema, nonEmpty, obj, out, str } from '../schemas.js';

/** Options of {@link artifactRoutes}. */
export interface ArtifactRoutesOptions extends ServeContext {
  /** Largest upload accepted, in bytes. @default 1 GiB */
  maxUploadBytes?: number;
}

const runIdParams = obj({ runId: nonEmpty }, ['runId']);
const wildcardParams = obj({ runId: nonEmpty, '*': str }, ['runId']);

/** The segments of an artifact path given in a URL; INVALID_ARGUMENT for empty, `.`, `..` or backslash segments. */
function uploadSegments(path: string): string[] {
  const segments = path.split('/');
  if (path === '' || segments.some((s) => s === '' || s === '.' || s === '..' || s.includes('\\') || s.includes('\0'))) {
    throw new MlshipError('INVALID_ARGUMENT', `invalid artifact path ${JSON.stringify(path)}: give a relative '/'-separated file path without empty, '.' or '..' segments, e.g. reports/summary.json`, {
      field: 'path',
      value: path,
    });
  }
  return segments;
}

function limit(maxBytes: number, path: string): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      seen += chunk.length;
      if (seen > maxBytes) done(new MlshipError('INVALID_ARGUMENT', `the upload to ${JSON.stringify(path)} is larger than the server's limit of ${maxBytes} bytes; start the server with a larger limit or log the file from the client side`, { field: 'body', value: seen }));
      else done(null, chunk);
    },
  });
}

/**
 * Registers the artifact routes (mounted under `/api/v1` by `createApp`). Uploads take any body
 * as raw bytes (send `Content-Type: application/octet-stream`).
 *
 * @example
 * ```ts
 * app.register(artifactRoutes, { prefix: '/api/v1', client });
 * // PUT /api/v1/runs/<id>/artifacts/reports/summary.json  (body: the file)
 * ```
 */
export async function artifactRoutes(app: FastifyInstance, { client, maxUploadBytes = 2 ** 30 }: ArtifactRoutesOptions): Promise<void> {
  const tags = ['artifacts'];
  // Uploads are streamed whatever their content type: the parser hands the raw request stream to the handler.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_req, payload, done) => done(null, payload));

  app.put(
    '/runs/:runId/artifacts/*',
    {
      schema: {
        summary: "Upload a file to a path in the run's artifacts (atomic: readers never see half a file)",
        tags,
        consumes: ['application/octet-stream'],
        params: wildcardParams,
        response: { 201: out({ path: str }) },
      },
    },
    async (req, reply) => {
      const { runId, '*': path = '' } = req.params as { runId: string; '*'?: string };
      const segments = uploadSegments(path);
      const artifacts = await client.artifacts(runId);
      const dir = await mkdtemp(join(tmpdir(), 'mlship-upload-'));
      try {
        const local = join(dir, segments[segments.length - 1]!);
        const body = req.body as Readable | undefined; // undefined: an empty upload
        await pipeline(body ?? (async function* () {})(), limit(maxUploadBytes, path), createWriteStream(local));
        await artifacts.logFile(local, segments.length > 1 ? segments.slice(0, -1).join('/') : undefined);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
      reply.code(201);
      return { path };
    },
  );

  app.get(
    '/runs/:runId/artifacts',
    {
      schema: {
        summary: "List a folder of the run's artifacts (the root when path is omitted): folders first, then by name",
        tags,
        params: runIdParams,
        querystring: obj({ path: str }),
        response: { 200: out({ rootUri: str, files: arr(artifactInfoSchema) }) },
      },
    },
    async (req) => {
      const artifacts = await client.artifacts((req.params as { runId: string }).runId);
      const path = (req.query as { path?: string }).path;
      return { rootUri: artifacts.rootUri, files: await artifacts.list(path === '' ? undefined : path) };
    },
  );

  app.get(
    '/runs/:runId/artifacts/*',
    { schema: { summary: 'Download one artifact file', tags, produces: ['application/octet-stream'], params: wildcardParams } },
    async (req, reply) => {
      const { runId, '*': path = '' } = req.params as { runId: string; '*'?: string };
      const artifacts = await client.artifacts(runId);
      const bytes = await artifacts.readBytes(path);
      const name = path.split('/').pop() ?? 'artifact';
      reply.type('application/octet-stream').header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(name)}`);
      return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    },
  );
}
