import { type StringOptions, Type } from '@sinclair/typebox';

/**
 * A string that Postgres can store: `text` refuses the NUL character, so a field bound for the
 * database must refuse it at validation (a clear 400) rather than fail at the INSERT.
 */
export function Text(options: StringOptions = {}) {
  return Type.String({ pattern: '^[^\\u0000]*$', ...options });
}
