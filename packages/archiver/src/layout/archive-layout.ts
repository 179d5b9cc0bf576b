/**
 * Where each archive file lives. Files are Hive-partitioned by topic and by the UTC date and hour
 * of their first record's Kafka timestamp, which Athena, Trino, Spark and DuckDB all prune on:
 *
 *   topic=pushnotification-dispatch/dt=2026-11-30/hour=16/pushnotification-dispatch+3+00000000000000012000.parquet
 *
 * The name is the topic, the Kafka partition and the first record's offset (20 digits, so names
 * sort by offset): a replay of the same records writes the same name. A file holds the records
 * of one partition, in offset order, from that offset up to the next file's first offset.
 *
 * A file still being filled is also written, for reading before it is complete, under the
 * `_open/` prefix with the same relative path. Hive readers skip paths starting with `_`, so
 * tables over the archive see complete files only; Hoot's own readers also read open files
 * whose complete version does not exist yet.
 */

/** Prefix of the copies of files still being filled. */
export const OPEN_PREFIX = '_open/';

const OFFSET_DIGITS = 20;
const FILE_NAME = /^(?<topic>[A-Za-z0-9._-]+)\+(?<partition>\d+)\+(?<offset>\d{20})\.parquet$/;
const KEY =
  /^(?<open>_open\/)?topic=(?<topic>[A-Za-z0-9._-]+)\/dt=(?<dt>\d{4}-\d{2}-\d{2})\/hour=(?<hour>\d{2})\/(?<name>[^/]+)$/;

/** The Hive partition of an instant: its UTC date `YYYY-MM-DD` and hour `HH`. */
export interface HourPartition {
  dt: string;
  hour: string;
}

/** One archive file's identity, as its key tells it. */
export interface ArchiveFileRef extends HourPartition {
  topic: string;
  partition: number;
  /** Offset of the first record in the file (a decimal string: offsets are 64-bit). */
  firstOffset: string;
  /** True for the `_open/` copy of a file still being filled. */
  open: boolean;
}

/** The UTC date and hour of an instant given in epoch milliseconds. */
export function hourPartition(epochMs: number): HourPartition {
  const iso = new Date(epochMs).toISOString();
  return { dt: iso.slice(0, 10), hour: iso.slice(11, 13) };
}

/** The key of the complete file (or, with `open`, of its open copy). */
export function archiveFileKey(ref: Omit<ArchiveFileRef, 'open'>, open = false): string {
  const name = `${ref.topic}+${ref.partition}+${ref.firstOffset.padStart(OFFSET_DIGITS, '0')}.parquet`;
  return `${open ? OPEN_PREFIX : ''}topic=${ref.topic}/dt=${ref.dt}/hour=${ref.hour}/${name}`;
}

/** Reads a key back; undefined for anything that is not an archive file (temporary files, …). */
export function parseArchiveFileKey(key: string): ArchiveFileRef | undefined {
  const k = KEY.exec(key)?.groups;
  if (k === undefined) return undefined;
  const f = FILE_NAME.exec(k.name ?? '')?.groups;
  if (f === undefined || f.topic !== k.topic) return undefined;
  return {
    topic: k.topic as string,
    dt: k.dt as string,
    hour: k.hour as string,
    partition: Number(f.partition),
    firstOffset: BigInt(f.offset as string).toString(),
    open: k.open !== undefined,
  };
}

/** The key prefix of one topic, or of one of its days (`dt` given), complete files only. */
export function topicPrefix(topic: string, dt?: string, open = false): string {
  return `${open ? OPEN_PREFIX : ''}topic=${topic}/${dt === undefined ? '' : `dt=${dt}/`}`;
}

/** The UTC dates (`YYYY-MM-DD`) from the day of `fromMs` to the day of `toMs`, both included. */
export function daysBetween(fromMs: number, toMs: number): string[] {
  const days: string[] = [];
  const day = 86_400_000;
  for (let t = Math.floor(fromMs / day) * day; t <= toMs; t += day) days.push(hourPartition(t).dt);
  return days;
}
