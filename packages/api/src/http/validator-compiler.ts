import { Ajv, type Options } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifyInstance, FastifySchema } from 'fastify';

const shared: Options = { useDefaults: true, removeAdditional: true, allErrors: false, strict: false };

/**
 * Two validators: query strings, params and headers arrive as text, so their numbers and
 * booleans are coerced; JSON bodies are not, so `"12.00"` is refused where an integer is
 * expected instead of silently becoming 12.
 */
export function installValidators(app: FastifyInstance): void {
  const strict = new Ajv({ ...shared, coerceTypes: false });
  const coercing = new Ajv({ ...shared, coerceTypes: 'array' });
  for (const ajv of [strict, coercing]) addFormats.default(ajv);
  app.setValidatorCompiler(({ schema, httpPart }: { schema: FastifySchema; httpPart?: string }) =>
    (httpPart === 'body' ? strict : coercing).compile(schema as object),
  );
}
