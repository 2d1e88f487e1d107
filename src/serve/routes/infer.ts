/**
 * The inference routes of `mlship serve`: the plain JSON API (`/predict`, `/models/{name}/predict`),
 * the Open Inference Protocol V2 (`/v2/...`) and MLflow's scoring server (`/invocations`, `/ping`).
 * Each request reads its model slot's current model once, validates the body against that model's
 * signature, predicts, and writes the response JSON directly (no serializer pass); what it served
 * is left on the request for the app's `onResponse` hook (metrics, request log, prediction log).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { MlshipError } from '../../core/index.js';
import type { ModelSlot } from '../inference/model-slot.js';
import type { Outputs, ServedModel } from '../inference/predictor.js';
import { csvItems, mlflowItems, mlflowResponse, plainItems, plainResponse, v2Items, v2Response, v2Tensors } from '../inference/protocols.js';
import { toHttpError } from '../errors.js';

/** What one inference request served; the app's `onResponse` hook reads it. */
export interface Served {
  model: ServedModel;
  items: readonly unknown[];
  out: Outputs;
  /** When the request reached its handler (ms since epoch). */
  timestamp: number;
}

/** Options of {@link inferenceRoutes}. */
export interface InferenceRoutesOptions {
  /** The served models by name, in the order given (the first one answers `/predict`). */
  slots: ReadonlyMap<string, ModelSlot>;
  /** Most items per request. @default 10000 */
  maxBatch?: number;
  /** mlship's version, reported by `GET /v2`. */
  serverVersion: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by an inference handler: what it served (read by the model app's onResponse hook). */
    mlshipServed: Served | null;
  }
}

const JSON_TYPE = 'application/json; charset=utf-8';

function unavailable(slot: ModelSlot): MlshipError {
  const why = slot.lastError instanceof Error ? `: the last load failed (${slot.lastError.message})` : ': it is still loading';
  return new MlshipError('UNAVAILABLE', `model '${slot.name}' is not ready${why}; retry shortly (readiness: GET /v2/models/${slot.name}/ready)`, { field: 'model', value: slot.name });
}

/**
 * Registers the inference routes on `app` (which must decorate the request with `mlshipServed`).
 *
 * @example
 * ```ts
 * app.decorateRequest('mlshipServed', null);
 * app.register(inferenceRoutes, { slots: new Map([['spam', slot]]), serverVersion: '0.1.0' });
 * ```
 */
export async function inferenceRoutes(app: FastifyInstance, options: InferenceRoutesOptions): Promise<void> {
  const { slots, maxBatch = 10_000, serverVersion } = options;
  const first = slots.values().next().value as ModelSlot | undefined;
  if (!first) throw new MlshipError('INVALID_ARGUMENT', 'serve at least one model', { field: 'models' });
  const names = [...slots.keys()];

  const slotOf = (name: string): ModelSlot => {
    const slot = slots.get(name);
    if (!slot) throw new MlshipError('NOT_FOUND', `no model named '${name}' is served here; the models are ${names.map((n) => `'${n}'`).join(', ')} (GET /models)`, { field: 'name', value: name });
    return slot;
  };
  /** The slot's model now, captured once for the whole request. */
  const modelOf = (slot: ModelSlot): ServedModel => {
    const m = slot.current;
    if (!m) throw unavailable(slot);
    return m;
  };

  const send = (req: FastifyRequest, reply: FastifyReply, m: ServedModel, items: readonly unknown[], out: Outputs, timestamp: number, body: string): void => {
    req.mlshipServed = { model: m, items, out, timestamp };
    reply.header('x-model-version', m.version).header('x-request-id', req.id).type(JSON_TYPE).send(body);
  };

  const predict = (slot: ModelSlot, req: FastifyRequest, reply: FastifyReply): void => {
    const timestamp = Date.now();
    const m = modelOf(slot);
    const { items, single } = plainItems(m, req.body, maxBatch);
    const out = m.predict(items);
    send(req, reply, m, items, out, timestamp, plainResponse(m, JSON.stringify(req.id), out, single));
  };

  // ---------------------------------------------------------------- the plain API
  app.post('/predict', (req, reply) => predict(first, req, reply));
  app.post<{ Params: { name: string } }>('/models/:name/predict', (req, reply) => predict(slotOf(req.params.name), req, reply));
  app.get('/models', (_req, reply) => {
    reply.type(JSON_TYPE).send(
      JSON.stringify({
        models: [...slots.values()].map((s) => {
          const m = s.current;
          return { name: s.name, uri: s.uri, ready: m !== undefined, version: m?.version ?? null, kind: m?.kind ?? null, task: m?.task ?? null, inputs: m?.signature.inputs ?? null, outputs: m?.signature.outputs ?? null, classes: m?.classes ?? null, loaded_at: m ? new Date(m.loadedAt).toISOString() : null };
        }),
      }),
    );
  });

  // ---------------------------------------------------------------- MLflow scoring server
  // MLflow's scoring server also takes a CSV body (header row, one row per record).
  app.addContentTypeParser(['text/csv', 'application/csv'], { parseAs: 'string' }, (_req, body, done) => done(null, { csv: body as string }));
  app.post('/invocations', async (req, reply) => {
    const timestamp = Date.now();
    const m = modelOf(first);
    const body = req.body as { csv?: unknown } | undefined;
    const items = req.headers['content-type']?.includes('csv') && typeof body?.csv === 'string' ? await csvItems(m, body.csv, maxBatch) : mlflowItems(m, req.body, maxBatch);
    const out = m.predict(items);
    send(req, reply, m, items, out, timestamp, mlflowResponse(m, out));
    return reply;
  });
  const ping = (_req: FastifyRequest, reply: FastifyReply): void => {
    const waiting = [...slots.values()].find((s) => !s.ready);
    if (waiting) throw unavailable(waiting);
    reply.type('application/json').send('\n');
  };
  app.get('/ping', ping);
  app.get('/health', ping);

  // ---------------------------------------------------------------- Open Inference Protocol V2
  await app.register(
    async (v2) => {
      v2.setErrorHandler((err, req, reply) => {
        const e = toHttpError(err);
        if (e.internal) process.stderr.write(`mlship serve: ${req.method} ${req.url}: ${(err as Error).stack ?? String(err)}\n`);
        reply.code(e.status).header('x-request-id', req.id).type(JSON_TYPE).send(JSON.stringify({ error: e.body.message }));
      });
      v2.setNotFoundHandler((req, reply) => {
        reply.code(404).type(JSON_TYPE).send(JSON.stringify({ error: `no route ${req.method} ${req.url.split('?')[0]} in the V2 inference protocol` }));
      });
      v2.get('/health/live', (_req, reply) => void reply.type(JSON_TYPE).send('{"live":true}'));
      v2.get('/health/ready', (_req, reply) => {
        const ready = [...slots.values()].every((s) => s.ready);
        reply.code(ready ? 200 : 503).type(JSON_TYPE).send(JSON.stringify({ ready }));
      });
      v2.get('/', (_req, reply) => void reply.type(JSON_TYPE).send(JSON.stringify({ name: 'mlship', version: serverVersion, extensions: [] })));

      /** The slot's model, checking the version in the path when there is one. */
      const versioned = (params: { name: string; version?: string }): ServedModel => {
        const m = modelOf(slotOf(params.name));
        if (params.version !== undefined && params.version !== m.version) {
          throw new MlshipError('NOT_FOUND', `model '${params.name}' version ${params.version} is not served here; the server serves version ${m.version} (GET /v2/models/${params.name})`, { field: 'version', value: params.version });
        }
        return m;
      };
      const metadata = (req: FastifyRequest<{ Params: { name: string; version?: string } }>, reply: FastifyReply): void => {
        const m = versioned(req.params);
        const { inputs, outputs } = v2Tensors(m);
        reply.type(JSON_TYPE).send(JSON.stringify({ name: m.name, versions: [m.version], platform: `mlship_${m.metadata.estimator}`, inputs, outputs }));
      };
      const ready = (req: FastifyRequest<{ Params: { name: string; version?: string } }>, reply: FastifyReply): void => {
        const slot = slotOf(req.params.name);
        const m = slot.current;
        const isReady = m !== undefined && (req.params.version === undefined || req.params.version === m.version);
        reply.code(isReady ? 200 : 503).type(JSON_TYPE).send(JSON.stringify({ name: slot.name, ready: isReady }));
      };
      const infer = (req: FastifyRequest<{ Params: { name: string; version?: string } }>, reply: FastifyReply): void => {
        const timestamp = Date.now();
        const m = versioned(req.params);
        const { items, id, outputs } = v2Items(m, req.body, maxBatch);
        const out = m.predict(items);
        send(req, reply, m, items, out, timestamp, v2Response(m, id ?? req.id, out, outputs));
      };
      v2.get('/models/:name', metadata);
      v2.get('/models/:name/versions/:version', metadata);
      v2.get('/models/:name/ready', ready);
      v2.get('/models/:name/versions/:version/ready', ready);
      v2.post('/models/:name/infer', infer);
      v2.post('/models/:name/versions/:version/infer', infer);
    },
    { prefix: '/v2' },
  );
}
