import type { Static, TObject } from '@sinclair/typebox';
import envSchema from 'env-schema';

/** A configuration that failed validation; `problems` name each variable at fault. */
export class ConfigError extends Error {
  readonly problems: string[];
  constructor(service: string, problems: string[]) {
    super(`invalid configuration for ${service}:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

interface AjvIssue {
  instancePath: string;
  message?: string;
  params?: { missingProperty?: string; allowedValues?: unknown[] };
}

/**
 * Reads and validates a service's configuration from environment variables: strings are coerced
 * to the declared types, defaults filled in, and every problem reported at once by variable name.
 */
export function loadConfig<S extends TObject>(
  service: string,
  schema: S,
  env: Record<string, string | undefined> = process.env,
): Static<S> {
  // Only the variables the schema declares: the rest of the environment is none of its business.
  const data: Record<string, string> = {};
  for (const name of Object.keys(schema.properties)) {
    const value = env[name];
    if (value !== undefined && value !== '') data[name] = value;
  }
  try {
    return envSchema<Static<S>>({ schema, data, env: false, dotenv: false });
  } catch (error) {
    const issues = (error as { errors?: AjvIssue[] }).errors;
    if (issues === undefined) throw error;
    const problems = issues.map((issue) => {
      const name = issue.params?.missingProperty ?? issue.instancePath.replace(/^\//, '');
      const value = data[name];
      const allowed = issue.params?.allowedValues;
      return [
        `${name} ${issue.message ?? 'is invalid'}`,
        allowed === undefined ? '' : ` ${JSON.stringify(allowed)}`,
        value === undefined ? '' : ` (got ${JSON.stringify(value)})`,
      ].join('');
    });
    throw new ConfigError(service, [...new Set(problems)]);
  }
}

/** The variable names a configuration schema reads. */
export function configVariables(schema: TObject): string[] {
  return Object.keys(schema.properties);
}
