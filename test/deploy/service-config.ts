import { apiConfigSchema } from '@hoot/api';
import { archiverConfigSchema } from '@hoot/archiver';
import { dispatcherConfigSchema } from '@hoot/dispatcher';
import { processorConfigSchema } from '@hoot/processor';
import { configVariables } from '@hoot/runtime';
import type { TObject } from '@sinclair/typebox';

/** The configuration schema of each Hoot service, by the package it runs. */
export const configSchemaByPackage: Record<string, TObject> = {
  processor: processorConfigSchema,
  api: apiConfigSchema,
  dispatcher: dispatcherConfigSchema,
  archiver: archiverConfigSchema,
};

/**
 * Variables a service reads outside its configuration schema: the AWS SDK's default credential
 * chain takes the archive's S3 credentials from the environment in every service that opens the
 * archive (its configuration has ARCHIVE_URL).
 */
export function sdkVariables(pkg: string): string[] {
  const schema = configSchemaByPackage[pkg];
  return schema !== undefined && 'ARCHIVE_URL' in schema.properties
    ? ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']
    : [];
}

/** The package a Hoot service runs, from its command `node packages/<name>/src/main.ts`. */
export function packageOf(command: readonly string[] | undefined): string | undefined {
  return command?.join(' ').match(/packages\/([a-z-]+)\/src\/main\.ts/)?.[1];
}

export interface VariableProblems {
  /** Set, but the service's configuration never reads them. */
  unknown: string[];
  /** Required by the configuration, without a default, and not set. */
  missing: string[];
}

/** What is wrong with the environment variable names `given` to a service running `pkg`. */
export function variableProblems(pkg: string, given: readonly string[]): VariableProblems {
  const schema = configSchemaByPackage[pkg];
  if (schema === undefined) throw new Error(`no configuration schema for package ${pkg}`);
  const known = new Set([...configVariables(schema), ...sdkVariables(pkg)]);
  const required = (schema.required ?? []).filter((name: string) => !('default' in schema.properties[name]!));
  return {
    unknown: given.filter((name) => !known.has(name)),
    missing: required.filter((name: string) => !given.includes(name)),
  };
}
