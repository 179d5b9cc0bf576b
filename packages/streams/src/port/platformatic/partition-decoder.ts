import type { RecordsBatch } from '@platformatic/kafka';
import type { InputRecord } from '../kafka-port.ts';
import type { FetchResponsePartition } from './fetch-round.ts';

const IS_TRANSACTIONAL = 1 << 4;
const IS_CONTROL = 1 << 5;
const LOG_APPEND_TIME = 1 << 3;

export interface DecodedPartition {
  /** Visible records at or after the fetch offset, in offset order. */
  records: InputRecord[];
  /** The offset after everything the response held for the partition (control records and aborted data included). */
  nextOffset: number;
  highWatermark: number;
}

/**
 * Turns one partition's read_committed fetch responses into visible records, one decoder per
 * partition read in sequence (make a new one after a seek).
 *
 * Aborted data is dropped the way Kafka's Java consumer does it, across responses: an aborted
 * transaction the broker lists becomes active once a batch reaches its first offset, and the
 * producer's transactional batches are skipped until its abort marker. The library filters only
 * aborted ranges whose abort marker is in the same response and hands the rest over as if
 * committed, which happens whenever a response is cut off by its byte limit inside an aborted
 * transaction.
 */
export class PartitionDecoder {
  /** Aborted transactions listed by the broker and not yet reached, by first offset. */
  #pending: Array<{ producerId: bigint; firstOffset: bigint }> = [];
  /** Producers inside an aborted transaction at the current position. */
  readonly #aborted = new Set<bigint>();

  /** Decodes a response fetched from `fetchOffset`. */
  decode(response: FetchResponsePartition, fetchOffset: number): DecodedPartition {
    const from = BigInt(fetchOffset);
    for (const txn of response.abortedTransactions ?? []) {
      if (!this.#pending.some((p) => p.producerId === txn.producerId && p.firstOffset === txn.firstOffset))
        this.#pending.push({ producerId: txn.producerId, firstOffset: txn.firstOffset });
    }
    this.#pending.sort((a, b) =>
      a.firstOffset < b.firstOffset ? -1 : a.firstOffset > b.firstOffset ? 1 : 0,
    );
    const records: InputRecord[] = [];
    let next = from;
    for (const batch of response.records ?? []) {
      const last = batch.firstOffset + BigInt(batch.lastOffsetDelta);
      if (last < from) continue;
      while (this.#pending.length > 0 && this.#pending[0]!.firstOffset <= last) {
        this.#aborted.add(this.#pending.shift()!.producerId);
      }
      if (last + 1n > next) next = last + 1n;
      if (batch.attributes & IS_CONTROL) {
        if (isAbortMarker(batch)) this.#aborted.delete(batch.producerId);
        continue;
      }
      if (batch.attributes & IS_TRANSACTIONAL && this.#aborted.has(batch.producerId)) continue;
      const logAppendTime = (batch.attributes & LOG_APPEND_TIME) !== 0;
      for (const record of batch.records) {
        const offset = batch.firstOffset + BigInt(record.offsetDelta);
        if (offset < from) continue;
        const headers: Record<string, Buffer | undefined> = {};
        for (const [name, value] of record.headers) {
          if (name !== null) headers[name.toString('utf8')] = value ?? undefined;
        }
        records.push({
          offset: Number(offset),
          key: record.key,
          value: record.value,
          timestamp: Number(
            logAppendTime ? batch.maxTimestamp : batch.firstTimestamp + record.timestampDelta,
          ),
          headers,
        });
      }
    }
    return { records, nextOffset: Number(next), highWatermark: Number(response.highWatermark) };
  }
}

/** A control batch's record key is (version: int16, type: int16); type 0 is ABORT, 1 COMMIT. */
function isAbortMarker(batch: RecordsBatch): boolean {
  const key = batch.records[0]?.key;
  return key !== null && key !== undefined && key.length >= 4 && key.readInt16BE(2) === 0;
}
