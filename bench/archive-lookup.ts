// Notification-log lookups over a large archive. The archive is written directly in the archiver's
// own format (OpenFile, the same cuts, keys and Parquet encoding) from a week of realistic sends,
// hour by hour so memory holds one hour at a time, into a directory kept for later runs of the
// same size and encoding; then queryNotificationLog is timed as the api calls it (one query
// engine, a connection with views of the current files per lookup).
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type ArchiveColumn,
  type ArchivedRecord,
  type ArchiveQueryEngine,
  archiveColumns,
  createLocalStore,
  type ObjectStore,
  OpenFile,
  queryNotificationLog,
  type RotationLimits,
} from '@hoot/archiver';
import {
  createAvroSerde,
  createBuiltinCatalog,
  type Dispatch,
  dispatchSchema,
  type Ping,
  pingSchema,
  Topics,
  valueSubject,
} from '@hoot/events';
import { Random } from '@hoot/workload';
import {
  type BenchMerchant,
  benchMerchants,
  dispatchEvent,
  newSend,
  pingEvent,
  type Send,
  subscriberOf,
} from './archive-events.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;
/** Kafka partitions of the dispatch and ping topics. */
const PARTITIONS = 6;
/** Framed records: the Confluent frame's magic byte and schema id before the Avro body. */
const FRAME_BYTES = 5;
/** Pairs kept (reservoir sampling over every notification) to look up. */
const SAMPLE_PAIRS = 2000;
/** Share of sends by UTC hour of day: quiet nights, mornings and evenings busiest. */
const HOUR_WEIGHTS = [1, 1, 1, 1, 2, 3, 5, 7, 9, 10, 10, 9, 8, 8, 8, 8, 9, 10, 10, 9, 7, 5, 3, 2];
const MANIFEST = 'bench-manifest.json';
/** Part of the kept archive's name: bump it when the generated data or the file format changes. */
const FORMAT = 'v1';

export interface LookupArchive {
  dir: string;
  notifications: number;
  pings: number;
  /** The week the notifications were sent in, epoch ms: [startMs, endMs). */
  startMs: number;
  endMs: number;
  subscribers: number;
  merchants: number;
  campaigns: number;
  /** Random notifications' (merchant, subscriber, campaign). */
  sample: Array<{ merchant: string; subscriber: number; campaign: number }>;
  largestMerchant: { merchant: string; notifications: number };
  largestCampaign: { merchant: string; campaign: number; notifications: number };
  buildSeconds: number;
}

interface PlannedSend extends Send {
  startMs: number;
  /** Notifications per second the dispatcher sends this campaign at. */
  rate: number;
  next: number;
}

/**
 * A week of sends adding up to `notifications`: every merchant sends a campaign in turn (order
 * shuffled each round) to 40–100% of its subscribers, at a time of day weighted by HOUR_WEIGHTS,
 * 1,000–3,000 notifications a second, ending within the week.
 */
function planWeek(r: Random, notifications: number, startMs: number): PlannedSend[] {
  const merchants = benchMerchants(11, 300, 2_000_000);
  const hourTotal = HOUR_WEIGHTS.reduce((a, b) => a + b, 0);
  const sends: PlannedSend[] = [];
  let planned = 0;
  let campaignId = 10_000;
  while (planned < notifications) {
    for (const merchant of r.shuffle([...merchants])) {
      if (planned >= notifications) break;
      const wanted = Math.round(merchant.subscribers * (0.4 + 0.6 * r.next()));
      const audience = Math.min(wanted, notifications - planned);
      const rate = r.int(1000, 3000);
      let pick = r.next() * hourTotal;
      let hour = 0;
      while (pick >= (HOUR_WEIGHTS[hour] as number)) pick -= HOUR_WEIGHTS[hour++] as number;
      const duration = Math.ceil((audience * 1000) / rate);
      const at = startMs + r.int(0, 6) * DAY + hour * HOUR + r.int(0, HOUR - 1);
      const send = newSend(r, merchant, ++campaignId, audience, PARTITIONS);
      sends.push({ ...send, startMs: Math.min(at, startMs + WEEK - duration - 1), rate, next: 0 });
      planned += send.audience;
    }
  }
  return sends.sort((a, b) => a.startMs - b.startMs);
}

/** Fills files of one topic partition by partition as the archiver does, and writes them complete. */
class TopicFiles {
  readonly #files = new Map<number, OpenFile>();
  readonly #offsets = new Map<number, number>();
  readonly #topic: string;
  readonly #columns: ArchiveColumn[];
  readonly #limits: RotationLimits;
  readonly #store: ObjectStore;

  constructor(
    topic: string,
    schema: Parameters<typeof archiveColumns>[0],
    limits: RotationLimits,
    store: ObjectStore,
  ) {
    this.#topic = topic;
    this.#columns = archiveColumns(schema);
    this.#limits = limits;
    this.#store = store;
  }

  async add(partition: number, timestamp: number, size: number, schemaId: number, value: Dispatch | Ping) {
    const offset = this.#offsets.get(partition) ?? 0;
    this.#offsets.set(partition, offset + 1);
    // The archiver holds decoded values as plain records; these are the same objects.
    const record: ArchivedRecord = {
      offset,
      timestamp,
      size,
      schemaId,
      value: value as unknown as Record<string, unknown>,
    };
    const file = this.#files.get(partition);
    if (file?.fits(record, this.#limits)) {
      file.add(record);
      return;
    }
    if (file !== undefined) await this.#complete(file);
    this.#files.set(partition, new OpenFile(this.#topic, partition, this.#columns, record));
  }

  /** Completes the files of hours before `beforeMs` (the archiver would at the partition's next record). */
  async completeBefore(beforeMs: number) {
    for (const [partition, file] of this.#files) {
      const fileHour = Date.parse(`${file.hour.dt}T${file.hour.hour}:00:00Z`);
      if (fileHour + HOUR <= beforeMs) {
        await this.#complete(file);
        this.#files.delete(partition);
      }
    }
  }

  async #complete(file: OpenFile) {
    const bytes = file.encode();
    await this.#store.put(file.key(), bytes);
  }
}

/** Writes the archive of a week of `notifications` into `dir`. */
async function buildArchive(
  dir: string,
  notifications: number,
  limits: RotationLimits,
): Promise<LookupArchive> {
  const started = performance.now();
  const r = new Random(20_261_130);
  const endMs = Math.floor(Date.now() / HOUR) * HOUR;
  const startMs = endMs - WEEK;
  const sends = planWeek(r, notifications, startMs);
  const store = createLocalStore(dir);
  const registry = createBuiltinCatalog();
  const dispatchType = createAvroSerde<Dispatch>({
    registry,
    subject: valueSubject(Topics.dispatch),
    schema: dispatchSchema,
  }).type;
  const pingType = createAvroSerde<Ping>({
    registry,
    subject: valueSubject(Topics.ping),
    schema: pingSchema,
  }).type;
  const dispatchSchemaId = await registry.idFor(valueSubject(Topics.dispatch), dispatchSchema);
  const pingSchemaId = await registry.idFor(valueSubject(Topics.ping), pingSchema);
  const dispatches = new TopicFiles(Topics.dispatch, dispatchSchema, limits, store);
  const pingFiles = new TopicFiles(Topics.ping, pingSchema, limits, store);
  /** Pings waiting for their hour, by hour index from startMs. */
  const pingsByHour = new Map<number, Array<{ at: number; partition: number; value: Ping }>>();
  const sample: LookupArchive['sample'] = [];
  const byMerchant = new Map<string, number>();
  let written = 0;
  let pings = 0;
  let running: PlannedSend[] = [];
  let nextSend = 0;
  for (let hour = 0; hour < 7 * 24 || pingsByHour.size > 0; hour++) {
    const from = startMs + hour * HOUR;
    const to = from + HOUR;
    while (nextSend < sends.length && (sends[nextSend] as PlannedSend).startMs < to)
      running.push(sends[nextSend++] as PlannedSend);
    // This hour's notifications of every running send, in time order (the sends interleave).
    const hourly: Array<{ at: number; send: PlannedSend; i: number }> = [];
    for (const send of running) {
      for (; send.next < send.audience; send.next++) {
        const at = send.startMs + Math.floor((send.next * 1000) / send.rate);
        if (at >= to) break;
        hourly.push({ at, send, i: send.next });
      }
    }
    running = running.filter((s) => s.next < s.audience);
    hourly.sort((a, b) => a.at - b.at);
    for (const { at, send, i } of hourly) {
      const value = dispatchEvent(r, send, subscriberOf(send, i), at - r.int(20, 400));
      const size = FRAME_BYTES + dispatchType.toBuffer(value).length;
      await dispatches.add(send.partition, at, size, dispatchSchemaId, value);
      written++;
      byMerchant.set(value.merchant, (byMerchant.get(value.merchant) ?? 0) + 1);
      const slot = written <= SAMPLE_PAIRS ? written - 1 : Math.floor(r.next() * written);
      if (slot < SAMPLE_PAIRS) {
        sample[slot] = {
          merchant: value.merchant,
          subscriber: value.subscriber_id,
          campaign: value.source_id,
        };
      }
      if (value.outcome !== 'sent') continue;
      // 35% delivered (most within seconds, some devices hours later), 4% clicked.
      const delivered =
        at + Math.min(2 * DAY, Math.round(r.chance(0.8) ? r.exponential(20_000) : r.exponential(3 * HOUR)));
      const kinds: Array<['delivered' | 'clicked', number]> = [];
      if (r.chance(0.35)) kinds.push(['delivered', delivered]);
      if (r.chance(0.04)) kinds.push(['clicked', delivered + Math.round(r.exponential(15 * MINUTE))]);
      for (const [kind, eventAt] of kinds) {
        const receivedAt = eventAt + r.int(50, 2000);
        const index = Math.floor((receivedAt - startMs) / HOUR);
        const bucket = pingsByHour.get(index) ?? [];
        bucket.push({
          at: receivedAt,
          partition: send.partition,
          value: pingEvent(value, kind, eventAt, receivedAt),
        });
        pingsByHour.set(index, bucket);
      }
    }
    await dispatches.completeBefore(to);
    const due = (pingsByHour.get(hour) ?? []).sort((a, b) => a.at - b.at);
    pingsByHour.delete(hour);
    for (const ping of due) {
      await pingFiles.add(
        ping.partition,
        ping.at,
        FRAME_BYTES + pingType.toBuffer(ping.value).length,
        pingSchemaId,
        ping.value,
      );
      pings++;
    }
    await pingFiles.completeBefore(to);
    if (hour % 24 === 23) {
      process.stdout.write(
        `  built day ${(hour + 1) / 24}: ${written} notifications, ${pings} pings, ${((performance.now() - started) / 1000).toFixed(0)} s\n`,
      );
    }
  }
  await dispatches.completeBefore(Number.MAX_SAFE_INTEGER);
  await pingFiles.completeBefore(Number.MAX_SAFE_INTEGER);
  await store.close();
  const [merchant, count] = [...byMerchant].sort((a, b) => b[1] - a[1])[0] as [string, number];
  const campaign = sends
    .filter((s) => s.merchant.domain === merchant)
    .sort((a, b) => b.audience - a.audience)[0] as PlannedSend;
  return {
    dir,
    notifications: written,
    pings,
    startMs,
    endMs,
    subscribers: 2_000_000,
    merchants: byMerchant.size,
    campaigns: sends.length,
    sample,
    largestMerchant: { merchant, notifications: count },
    largestCampaign: { merchant, campaign: campaign.campaignId, notifications: campaign.audience },
    buildSeconds: (performance.now() - started) / 1000,
  };
}

/**
 * Identifies the archiver's file encoding: the MD5 of a small fixed file as OpenFile encodes it.
 * An archive kept from another encoding (statistics or bloom filters changed) is not reused.
 */
function encodingFingerprint(): string {
  const r = new Random(1);
  const send = newSend(r, benchMerchants(1, 1, 1000)[0] as BenchMerchant, 1, 100, PARTITIONS);
  const columns = archiveColumns(dispatchSchema);
  let file: OpenFile | undefined;
  for (let i = 0; i < 100; i++) {
    const timestamp = 1_800_000_000_000 + i * 1000;
    const value = dispatchEvent(r, send, subscriberOf(send, i), timestamp);
    const record: ArchivedRecord = {
      offset: i,
      timestamp,
      size: 1000,
      schemaId: 11,
      value: value as unknown as Record<string, unknown>,
    };
    if (file === undefined) file = new OpenFile(Topics.dispatch, 0, columns, record);
    else file.add(record);
  }
  return createHash('md5')
    .update((file as OpenFile).encode())
    .digest('hex')
    .slice(0, 8);
}

/**
 * The archive of `notifications` notifications: the one kept in $HOOT_CACHE (else the temporary
 * directory) by an earlier run of the same size and file encoding, else built there now (in a directory of its own,
 * renamed into place once complete, so an interrupted build is never taken for a complete one).
 */
export async function lookupArchive(
  notifications: number,
  limits: RotationLimits,
): Promise<LookupArchive & { reused: boolean }> {
  const root = join(process.env.HOOT_CACHE ?? tmpdir(), 'bench-archive');
  const name = `lookup-${FORMAT}-${notifications}-${limits.maxRecords}-${limits.maxBytes}-${encodingFingerprint()}`;
  const dir = join(root, name);
  const manifest = join(dir, MANIFEST);
  if (existsSync(manifest))
    return { ...(JSON.parse(readFileSync(manifest, 'utf8')) as LookupArchive), reused: true };
  const building = `${dir}.building-${process.pid}`;
  for (const name of existsSync(root) ? readdirSync(root) : []) {
    const pid = /\.building-(\d+)$/.exec(name)?.[1];
    if (pid !== undefined && !alive(Number(pid))) rmSync(join(root, name), { recursive: true, force: true });
  }
  const built = await buildArchive(building, notifications, limits);
  writeFileSync(join(building, MANIFEST), JSON.stringify({ ...built, dir }));
  rmSync(dir, { recursive: true, force: true });
  renameSync(building, dir);
  return { ...built, dir, reused: false };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Complete files and bytes of a topic in the archive. */
export async function archiveSize(
  store: ObjectStore,
  topic: string,
): Promise<{ files: number; bytes: number }> {
  let files = 0;
  let bytes = 0;
  for await (const object of store.list(`topic=${topic}/`)) {
    files++;
    bytes += object.size;
  }
  return { files, bytes };
}

export interface Timed {
  ms: number;
  rows: number;
}

/** One notification-log page as GET /v1/notifications asks for it, timed. */
export async function timedLookup(
  engine: ArchiveQueryEngine,
  archive: LookupArchive,
  filter: { merchant: string; subscriberId?: number; campaignId?: number },
): Promise<Timed> {
  const started = performance.now();
  const page = await queryNotificationLog(engine, {
    ...filter,
    from: archive.startMs,
    to: archive.endMs,
    limit: 50,
  });
  return { ms: performance.now() - started, rows: page.notifications.length };
}
