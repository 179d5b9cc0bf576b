export {
  type ArchiverConfig,
  archiverConfigSchema,
  archiveStorageProperties,
  loadArchiverConfig,
} from './config.ts';
export {
  type ArchiveFileRef,
  archiveFileKey,
  daysBetween,
  type HourPartition,
  hourPartition,
  OPEN_PREFIX,
  parseArchiveFileKey,
  topicPrefix,
} from './layout/archive-layout.ts';
export { type ForgetResult, forgetSubscriber } from './maintenance/forget.ts';
export { removeExpired, startRetention } from './maintenance/retention.ts';
export { type ArchiverMetrics, createArchiverMetrics, type RotationReason } from './metrics.ts';
export {
  type ArchiveColumn,
  archiveColumns,
  EXCLUDED_FIELDS,
  KAFKA_COLUMNS,
} from './parquet/archive-columns.ts';
export { type ArchiveFileContent, encodeArchiveFile } from './parquet/encode-archive-file.ts';
export {
  ARCHIVE_VIEWS,
  type ArchiveDatabase,
  type ArchiveQueryEngine,
  type ArchiveQueryEngineOptions,
  createArchiveQueryEngine,
  type OpenArchiveDatabaseOptions,
  openArchiveDatabase,
} from './query/archive-database.ts';
export { type ArchiveFile, archiveFiles, localPaths } from './query/archive-files.ts';
export { formatCsv, formatJsonLines, formatTable, type QueryResult } from './query/format-result.ts';
export {
  type CursorFilters,
  decodeCursor,
  type NotificationLogEntry,
  type NotificationLogPage,
  type NotificationLogQuery,
  queryNotificationLog,
} from './query/notification-log.ts';
export { type ArchiveStorageConfig, openArchiveStore } from './storage/archive-store.ts';
export { createLocalStore } from './storage/local-store.ts';
export {
  type ObjectStore,
  PreconditionFailedError,
  type PutConditions,
  type StoredObject,
} from './storage/object-store.ts';
export { openStore } from './storage/open-store.ts';
export { createS3Store } from './storage/s3-store.ts';
export {
  type ArchiverOptions,
  archiverDeadLetterTopic,
  type RunningArchiver,
  startArchiver,
} from './writer/archiver.ts';
export { type ArchivedRecord, OpenFile, type RotationLimits } from './writer/open-file.ts';
