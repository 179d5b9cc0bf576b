import { kafkaEnvProperties, Topics } from '@hoot/events';
import { loadConfig, logEnvProperties } from '@hoot/runtime';
import { type Static, Type } from '@sinclair/typebox';

/** Settings of the archive's storage, shared by the archiver, `./hoot sql` and the api's log. */
export const archiveStorageProperties = {
  ARCHIVE_URL: Type.String({
    default: '/var/lib/hoot/archive',
    minLength: 1,
    description: 'Where archive files go: a directory (a path or file:///path) or s3://bucket[/prefix]',
  }),
  ARCHIVE_S3_ENDPOINT: Type.Optional(
    Type.String({
      pattern: '^https?://',
      description: 'S3-compatible endpoint (MinIO, S3Proxy, R2, …); unset: AWS S3 of ARCHIVE_S3_REGION',
    }),
  ),
  ARCHIVE_S3_REGION: Type.String({ default: 'us-east-1', minLength: 1 }),
  ARCHIVE_S3_FORCE_PATH_STYLE: Type.Boolean({
    default: false,
    description: 'Path-style bucket addressing, which most S3-compatible servers need',
  }),
};

export const archiverConfigSchema = Type.Object({
  ...kafkaEnvProperties,
  ...logEnvProperties,
  ...archiveStorageProperties,
  HTTP_PORT: Type.Integer({
    default: 9466,
    minimum: 0,
    maximum: 65535,
    description: '/metrics, /healthz, /readyz',
  }),
  ARCHIVER_GROUP_ID: Type.String({
    default: 'hoot-archiver',
    pattern: '^[A-Za-z0-9._-]+$',
    description: 'Consumer group; its dead-letter topic is `<id>-dead-letter`',
  }),
  ARCHIVE_TOPICS: Type.String({
    default: [Topics.dispatch, Topics.ping, Topics.orders].join(','),
    pattern: '^[A-Za-z0-9._-]+(,[A-Za-z0-9._-]+)*$',
    description: 'Topics archived, comma-separated; each must have a built-in schema (see topicSchemas)',
  }),
  ARCHIVE_FILE_MAX_RECORDS: Type.Integer({ default: 200_000, minimum: 1, description: 'Records per file' }),
  ARCHIVE_FILE_MAX_BYTES: Type.Integer({
    default: 64 * 1024 * 1024,
    minimum: 1024,
    description: 'Kafka value bytes per file (files are several times smaller once compressed)',
  }),
  ARCHIVE_OPEN_FILE_WRITE_MS: Type.Integer({
    default: 10_000,
    minimum: 100,
    description: 'How often files still being filled are written to _open/ for readers, in ms',
  }),
  ARCHIVE_RETENTION_DAYS: Type.Integer({
    default: 0,
    minimum: 0,
    description: 'Hour partitions older than this many days are removed; 0 keeps everything',
  }),
  KAFKA_SESSION_TIMEOUT_MS: Type.Integer({ default: 30_000, minimum: 6000 }),
});

export type ArchiverConfig = Static<typeof archiverConfigSchema>;

/** Reads and validates the archiver's configuration; throws ConfigError naming each variable. */
export function loadArchiverConfig(env: Record<string, string | undefined> = process.env): ArchiverConfig {
  return loadConfig('archiver', archiverConfigSchema, env);
}
