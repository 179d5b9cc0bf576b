import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Type } from '@sinclair/typebox';
import { ConfigError, configVariables, loadConfig, logEnvProperties } from '../src/index.ts';

const schema = Type.Object({
  ...logEnvProperties,
  PORT: Type.Integer({ default: 3000, minimum: 1, maximum: 65535 }),
  SECRET: Type.String({ minLength: 8 }),
  URL: Type.Optional(Type.String({ pattern: '^https?://' })),
});

describe('loadConfig', () => {
  it('coerces, fills defaults and ignores variables it does not declare', () => {
    const config = loadConfig('svc', schema, { PORT: '8080', SECRET: 'long enough', PATH: '/bin', URL: '' });
    assert.deepEqual(config, { LOG_LEVEL: 'info', PORT: 8080, SECRET: 'long enough' });
  });

  it('names every variable at fault at once, with what it got', () => {
    assert.throws(
      () => loadConfig('svc', schema, { PORT: 'eighty', LOG_LEVEL: 'loud', URL: 'ftp://x' }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.match(error.message, /invalid configuration for svc/);
        assert.ok(error.problems.some((p) => p.startsWith('PORT must be integer (got "eighty")')));
        assert.ok(error.problems.some((p) => p.startsWith('SECRET must have required property')));
        assert.ok(
          error.problems.some((p) => p.startsWith('LOG_LEVEL must be equal to one of the allowed values')),
        );
        assert.ok(error.problems.some((p) => p.startsWith('URL must match pattern')));
        assert.equal(error.problems.length, 4);
        return true;
      },
    );
  });

  it('lists the variables a schema reads', () => {
    assert.deepEqual(configVariables(schema).sort(), ['LOG_LEVEL', 'PORT', 'SECRET', 'URL']);
  });
});
