/**
 * The model server's OpenAPI 3.1 document (built from the served models' signatures) and the
 * `/docs` page: a small self-contained HTML page (no CDN) that lists the routes and lets a reader
 * try `/predict` from the browser.
 */
import type { FieldSpec } from '../../model/index.js';
import type { ModelSlot } from './model-slot.js';

function fieldSchema(f: FieldSpec): Record<string, unknown> {
  let s: Record<string, unknown> = { type: f.type };
  if (f.values) s.enum = f.values;
  if (f.description) s.description = f.description;
  for (const dim of [...(f.shape ?? [])].reverse()) s = { type: 'array', items: s, ...(dim !== null ? { minItems: dim, maxItems: dim } : {}) };
  if (f.optional) s = { anyOf: [s, { type: 'null' }] };
  return s;
}

const ERROR = { type: 'object', required: ['error_code', 'message'], properties: { error_code: { type: 'string' }, message: { type: 'string' } } };

/**
 * The OpenAPI 3.1 document of the plain API for these models: one request schema per model from
 * its signature (when loaded), the error body, and the other routes summarized.
 *
 * @example
 * ```ts
 * buildModelOpenApi([slot], { version: '0.1.0', maxBatch: 10_000 }).paths['/predict'];
 * ```
 */
export function buildModelOpenApi(slots: readonly ModelSlot[], info: { version: string; maxBatch: number }): Record<string, unknown> {
  const schemas: Record<string, unknown> = { Error: ERROR };
  const paths: Record<string, unknown> = {};
  const errors = {
    400: { description: 'Invalid input: the message names the field', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
    404: { description: 'No such model', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
    413: { description: 'Body or batch too large (--body-limit, --max-batch)', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
    503: { description: 'The model is not loaded yet', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
  };
  slots.forEach((slot, i) => {
    const m = slot.current;
    const id = slot.name.replace(/[^A-Za-z0-9_]/g, '_');
    let request: Record<string, unknown> = { type: 'object', description: 'the model is not loaded yet; its schema appears once it is' };
    let prediction: Record<string, unknown> = { type: 'object' };
    if (m) {
      const record = { type: 'object', additionalProperties: false, required: m.signature.inputs.filter((f) => !f.optional).map((f) => f.name), properties: Object.fromEntries(m.signature.inputs.map((f) => [f.name, fieldSchema(f)])) };
      const instances = { type: 'object', required: ['instances'], additionalProperties: false, properties: { instances: { type: 'array', minItems: 1, maxItems: info.maxBatch, items: m.kind === 'text' ? { anyOf: [{ type: 'string' }, record] } : record } } };
      request =
        m.kind === 'text'
          ? {
              oneOf: [
                { type: 'object', required: ['text'], additionalProperties: false, properties: { text: { type: 'string', description: 'one document' } } },
                { type: 'object', required: ['texts'], additionalProperties: false, properties: { texts: { type: 'array', items: { type: 'string' }, minItems: 1, maxItems: info.maxBatch } } },
                instances,
              ],
            }
          : instances;
      prediction =
        m.task === 'regression'
          ? { type: 'object', properties: { [m.valueField]: { type: 'number' } } }
          : { type: 'object', properties: { label: { enum: m.classes ?? [] }, probabilities: { type: 'object', properties: Object.fromEntries((m.classes ?? []).map((c) => [String(c), { type: 'number' }])) } } };
    }
    schemas[`${id}_request`] = request;
    schemas[`${id}_response`] = {
      type: 'object',
      required: ['request_id', 'model_name', 'model_version'],
      properties: { request_id: { type: 'string' }, model_name: { type: 'string', const: slot.name }, model_version: { type: 'string' }, label: {}, probabilities: { type: 'object' }, predictions: { type: 'array', items: prediction } },
    };
    const op = {
      summary: `Predict with '${slot.name}' (${slot.uri})`,
      description: m ? `${m.kind} ${m.task} model, version ${m.version}. A single {"text"} answers with label and probabilities at the top level; a batch answers with "predictions".` : 'not loaded yet',
      parameters: [{ name: 'x-request-id', in: 'header', required: false, schema: { type: 'string' }, description: 'kept as the request id (use it to post the true label to /feedback)' }],
      requestBody: { required: true, content: { 'application/json': { schema: { $ref: `#/components/schemas/${id}_request` } } } },
      responses: { 200: { description: 'The prediction; headers x-model-version and x-request-id', content: { 'application/json': { schema: { $ref: `#/components/schemas/${id}_response` } } } }, ...errors },
    };
    paths[`/models/${slot.name}/predict`] = { post: { ...op, tags: ['predict'] } };
    if (i === 0) paths['/predict'] = { post: { ...op, summary: `${op.summary}: the default model`, tags: ['predict'] } };
  });
  const get = (summary: string, tag: string) => ({ get: { summary, tags: [tag], responses: { 200: { description: 'OK' } } } });
  Object.assign(paths, {
    '/models': get('The served models: name, URI, version, readiness, signature', 'models'),
    '/invocations': { post: { summary: "MLflow scoring: {dataframe_split | dataframe_records | instances | inputs} → {predictions}", tags: ['mlflow'], requestBody: { required: true, content: { 'application/json': { schema: { type: 'object' } } } }, responses: { 200: { description: 'OK' }, ...errors } } },
    '/ping': get('MLflow health check (200 when every model is loaded, else 503)', 'mlflow'),
    '/health': get('Same as /ping', 'mlflow'),
    '/v2/health/live': get('V2 (KServe) liveness', 'v2'),
    '/v2/health/ready': get('V2 readiness (503 until every model is loaded)', 'v2'),
    '/v2': get('V2 server metadata', 'v2'),
    '/v2/models/{name}': get('V2 model metadata: inputs and outputs with V2 datatypes', 'v2'),
    '/v2/models/{name}/ready': get('V2 model readiness', 'v2'),
    '/v2/models/{name}/infer': { post: { summary: 'V2 inference: {inputs: [{name, shape, datatype, data}]} → {model_name, model_version, id, outputs}', tags: ['v2'], responses: { 200: { description: 'OK' } } } },
    '/metrics': get('Prometheus metrics', 'server'),
  });
  return {
    openapi: '3.1.0',
    info: { title: 'mlship model server', version: info.version, description: 'Online inference for mlship models: the plain JSON API, the Open Inference Protocol V2 (/v2) and MLflow scoring (/invocations). Errors are JSON { error_code, message } ({ error } under /v2).' },
    paths,
    components: { schemas },
  };
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * The `/docs` page: the routes from `/openapi.json`, each model's request example, and a form that
 * posts to `/models/{name}/predict`. Self-contained: no external scripts or styles.
 *
 * @example
 * ```ts
 * reply.type('text/html').send(docsPage(slots));
 * ```
 */
export function docsPage(slots: readonly ModelSlot[]): string {
  const examples = slots
    .map((s) => {
      const m = s.current;
      const body = !m ? '{}' : m.kind === 'text' ? JSON.stringify({ text: 'Win a FREE cruise, click now!' }) : JSON.stringify({ instances: [Object.fromEntries(m.signature.inputs.map((f) => [f.name, f.type === 'string' ? (f.values?.[0] ?? '') : f.type === 'boolean' ? false : 0]))] });
      return `<section><h2>${escapeHtml(s.name)} <small>${escapeHtml(s.uri)}${m ? ` · version ${escapeHtml(m.version)} · ${m.kind} ${m.task}` : ' · not loaded yet'}</small></h2>
<form data-model="${escapeHtml(s.name)}"><textarea name="body" rows="6">${escapeHtml(body)}</textarea><br><button>POST /models/${escapeHtml(s.name)}/predict</button></form><pre class="out"></pre></section>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>mlship model server</title>
<style>body{font:15px/1.45 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}textarea{width:100%;font:13px monospace}pre{background:#f4f4f4;padding:.6rem;overflow:auto}small{color:#666;font-weight:normal}table{border-collapse:collapse}td{padding:.15rem .6rem;border-bottom:1px solid #eee;vertical-align:top}code{font-size:13px}</style></head>
<body><h1>mlship model server</h1>
<p>The plain JSON API, the Open Inference Protocol V2 under <code>/v2</code>, and MLflow scoring at <code>/invocations</code>. Machine-readable: <a href="/openapi.json">/openapi.json</a>. Metrics: <a href="/metrics">/metrics</a>.</p>
${examples}
<h2>Routes</h2><table id="routes"></table>
<script>
fetch('/openapi.json').then(r=>r.json()).then(doc=>{const t=document.getElementById('routes');for(const [p,ops] of Object.entries(doc.paths))for(const [verb,op] of Object.entries(ops)){const tr=t.insertRow();tr.insertCell().innerHTML='<code>'+verb.toUpperCase()+' '+p.replace(/&/g,'&amp;').replace(/</g,'&lt;')+'</code>';tr.insertCell().textContent=op.summary||''}});
for(const f of document.querySelectorAll('form')){f.addEventListener('submit',async e=>{e.preventDefault();const out=f.parentElement.querySelector('.out');try{const r=await fetch('/models/'+encodeURIComponent(f.dataset.model)+'/predict',{method:'POST',headers:{'content-type':'application/json'},body:f.elements.body.value});out.textContent=r.status+' (version '+(r.headers.get('x-model-version')||'-')+')\\n'+JSON.stringify(await r.json(),null,2)}catch(err){out.textContent=String(err)}})}
</script></body></html>`;
}
