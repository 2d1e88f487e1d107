import { describe, expect, it } from 'vitest';
import { MlshipError, type ErrorCode } from '../core/index.js';
import { HTTP_STATUS, INTERNAL_MESSAGE, MLFLOW_HTTP_STATUS, toHttpError, toMlflowHttpError } from './errors.js';

describe('HTTP_STATUS', () => {
  it('maps the codes the API sends to their statuses', () => {
    const expected: Partial<Record<ErrorCode, number>> = {
      INVALID_ARGUMENT: 400,
      NOT_FOUND: 404,
      ALREADY_EXISTS: 409,
      CONFLICT: 409,
      PERMISSION_DENIED: 403,
      UNSUPPORTED_VERSION: 400,
      IO_ERROR: 503,
      INTERNAL: 500,
    };
    for (const [code, status] of Object.entries(expected)) expect([code, HTTP_STATUS[code as ErrorCode]]).toEqual([code, status]);
    for (const status of Object.values(HTTP_STATUS)) expect(status >= 400 && status < 600).toBe(true);
  });
});

describe('toHttpError', () => {
  it('keeps an MlshipError code and message', () => {
    const e = toHttpError(new MlshipError('CONFLICT', "alias 'champion' moved meanwhile"));
    expect(e).toEqual({ status: 409, body: { error_code: 'CONFLICT', message: "alias 'champion' moved meanwhile" }, internal: false });
  });

  it('hides unknown errors behind a generic 500 (no stack, no message)', () => {
    const err = new TypeError('secret internals at /srv/app.js:12');
    const e = toHttpError(err);
    expect(e.status).toBe(500);
    expect(e.internal).toBe(true);
    expect(e.body).toEqual({ error_code: 'INTERNAL', message: INTERNAL_MESSAGE });
    expect(JSON.stringify(e.body)).not.toContain('secret');
    expect(toHttpError('a string').status).toBe(500);
    expect(toHttpError(null).status).toBe(500);
  });

  it('names the field of a validation failure', () => {
    const required = toHttpError({ validation: [{ instancePath: '/metrics/3', keyword: 'required', params: { missingProperty: 'value' }, message: "must have required property 'value'" }], validationContext: 'body' });
    expect(required).toMatchObject({ status: 400, body: { error_code: 'INVALID_ARGUMENT', message: 'body.metrics[3].value is required' } });
    const type = toHttpError({ validation: [{ instancePath: '/maxResults', keyword: 'minimum', params: {}, message: 'must be >= 1' }], validationContext: 'querystring' });
    expect(type.body.message).toBe('querystring.maxResults must be >= 1');
    const extra = toHttpError({ validation: [{ instancePath: '', keyword: 'additionalProperties', params: { additionalProperty: 'nmae' } }], validationContext: 'body' });
    expect(extra.body.message).toContain('body.nmae is not a known field');
  });

  it('maps Fastify request errors (bad JSON, too large) to INVALID_ARGUMENT with their status', () => {
    expect(toHttpError({ statusCode: 413, code: 'FST_ERR_CTP_BODY_TOO_LARGE', message: 'Request body is too large' })).toMatchObject({ status: 413, body: { error_code: 'INVALID_ARGUMENT' } });
    expect(toHttpError({ statusCode: 400, code: 'FST_ERR_CTP_INVALID_JSON_BODY', message: 'bad json' })).toMatchObject({ status: 400, body: { error_code: 'INVALID_ARGUMENT', message: 'bad json' } });
  });
});

describe('toMlflowHttpError', () => {
  it("uses MLflow's codes and statuses", () => {
    expect(toMlflowHttpError(new MlshipError('NOT_FOUND', 'x'))).toMatchObject({ status: 404, body: { error_code: 'RESOURCE_DOES_NOT_EXIST', message: 'x' } });
    expect(toMlflowHttpError(new MlshipError('ALREADY_EXISTS', 'x'))).toMatchObject({ status: 400, body: { error_code: 'RESOURCE_ALREADY_EXISTS' } });
    expect(toMlflowHttpError(new MlshipError('INVALID_ARGUMENT', 'x'))).toMatchObject({ status: 400, body: { error_code: 'INVALID_PARAMETER_VALUE' } });
    expect(toMlflowHttpError(new MlshipError('PARSE_ERROR', 'x'))).toMatchObject({ status: 400, body: { error_code: 'INVALID_PARAMETER_VALUE' } });
    expect(toMlflowHttpError(new MlshipError('CONFLICT', 'x'))).toMatchObject({ status: 409, body: { error_code: 'RESOURCE_CONFLICT' } });
    expect(toMlflowHttpError(new Error('boom'))).toMatchObject({ status: 500, body: { error_code: 'INTERNAL_ERROR', message: INTERNAL_MESSAGE }, internal: true });
    expect(MLFLOW_HTTP_STATUS.RESOURCE_ALREADY_EXISTS).toBe(400);
  });
});
