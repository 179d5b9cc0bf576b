import type { FastifyError, FastifyInstance } from 'fastify';
import { RequestError, ServiceUnavailableError } from './request-error.ts';

export interface ErrorBody {
  error: string;
  message: string;
  field?: string;
}

interface ValidationIssue {
  instancePath: string;
  message?: string;
  params?: Record<string, unknown>;
}

/** `body.pings.0.token` from an Ajv issue in the body, querystring, params or headers. */
export function fieldOf(context: string | undefined, issue: ValidationIssue): string {
  const path = issue.instancePath
    .split('/')
    .filter((part) => part !== '')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'));
  const missing = issue.params?.missingProperty;
  if (typeof missing === 'string') path.push(missing);
  const extra = issue.params?.additionalProperty;
  if (typeof extra === 'string') path.push(extra);
  return [context ?? 'request', ...path].join('.');
}

/** Postgres' SQLSTATE class 22, data exception: caused by a value, never by the server's state. */
function isPostgresDataException(error: unknown): boolean {
  const { code, severity } = error as { code?: unknown; severity?: unknown };
  return typeof severity === 'string' && typeof code === 'string' && /^22[0-9A-Z]{3}$/.test(code);
}

/** Fastify's own 4xx errors get a stable code name instead of FST_ERR_…. */
const fastifyCodes: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'body_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'bad_content_length',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'empty_body',
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid_json',
};

/** @fastify/csrf-protection's refusals: a cookie-authenticated write without its session's token. */
const csrfCodes: Record<string, string> = {
  FST_CSRF_INVALID_TOKEN: 'csrf_token_invalid',
  FST_CSRF_MISSING_SECRET: 'csrf_token_invalid',
};

/**
 * One place maps every error to a JSON answer. Bad input of any kind is a 4xx naming what is
 * wrong; an unavailable dependency is a 503; anything else is a 500 whose details stay in the log.
 */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error.validation !== undefined && error.validation.length > 0) {
      const issue = error.validation[0] as ValidationIssue;
      const field = fieldOf(error.validationContext, issue);
      const body: ErrorBody = {
        error: 'validation_failed',
        message: `${field} ${issue.message ?? 'is invalid'}`,
        field,
      };
      return reply.code(400).send(body);
    }
    if (error instanceof RequestError) {
      const body: ErrorBody = { error: error.code, message: error.message };
      if (error.field !== undefined) body.field = error.field;
      return reply.code(error.statusCode).send(body);
    }
    if (isPostgresDataException(error)) {
      // Input the schema let through but Postgres refuses (a value out of its range or encoding).
      request.log.warn({ err: error }, 'Postgres refused a value from the request');
      return reply
        .code(400)
        .send({ error: 'invalid_value', message: 'a value in the request cannot be stored' });
    }
    if (error instanceof ServiceUnavailableError) {
      request.log.warn({ err: error }, 'dependency unavailable');
      return reply.code(503).send({ error: error.code, message: error.message } satisfies ErrorBody);
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      const code =
        fastifyCodes[error.code] ??
        (status === 429 ? 'rate_limited' : (error.code?.toLowerCase() ?? 'bad_request'));
      const csrf = csrfCodes[error.code];
      if (csrf !== undefined) {
        return reply.code(403).send({
          error: csrf,
          message: 'a write signed in with the dashboard cookie needs its CSRF token in x-csrf-token',
          field: 'headers.x-csrf-token',
        } satisfies ErrorBody);
      }
      if (error instanceof SyntaxError || error.code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
        return reply
          .code(400)
          .send({ error: 'invalid_json', message: 'body is not valid JSON', field: 'body' });
      }
      return reply.code(status).send({ error: code, message: error.message } satisfies ErrorBody);
    }
    request.log.error({ err: error }, 'request failed');
    return reply.code(500).send({ error: 'internal', message: 'internal error' } satisfies ErrorBody);
  });
  app.setNotFoundHandler((request, reply) =>
    reply
      .code(404)
      .send({ error: 'not_found', message: `no route ${request.method} ${request.url.split('?')[0]}` }),
  );
}
