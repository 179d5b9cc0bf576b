import type { Schema } from 'avsc';
import { HootEventsError } from '../errors.ts';
import { campaignReportSchema, campaignReportSchemaV1 } from '../schemas/campaign-report.ts';
import { campaignSendBatchSchema } from '../schemas/campaign-send-batch.ts';
import { campaignSendRequestSchema } from '../schemas/campaign-send-request.ts';
import { dispatchSchema, dispatchSchemaV1 } from '../schemas/dispatch.ts';
import { orderSchema, orderSchemaV1 } from '../schemas/order.ts';
import { pingSchema } from '../schemas/ping.ts';
import { seedDispatchSchema, seedPingSchema } from '../schemas/seed.ts';
import { schemaIdentity } from './schema-identity.ts';
import type { SchemaRegistry } from './schema-registry.ts';

/**
 * The built-in catalog: fixed schema ids, used when no SCHEMA_REGISTRY_URL is set, so any producer
 * can frame messages without a registry. These ids are a published contract: never renumber one;
 * a new schema version takes the next free id.
 */
export const BUILTIN_SCHEMA_IDS = {
  seedDispatch: 1,
  seedPing: 2,
  dispatch: 3,
  ping: 4,
  order: 5,
  campaignSendRequest: 6,
  campaignReport: 7,
  campaignSendBatch: 8,
  /** The order with `customer_id`. */
  orderV2: 9,
  /** The campaign report with `revenue_by_currency`. */
  campaignReportV2: 10,
  /** The dispatch event of every final outcome, with `outcome`, `error`, `attempts` and the push headers. */
  dispatchV2: 11,
} as const;

const entries: ReadonlyArray<readonly [number, Schema]> = [
  [BUILTIN_SCHEMA_IDS.seedDispatch, seedDispatchSchema],
  [BUILTIN_SCHEMA_IDS.seedPing, seedPingSchema],
  [BUILTIN_SCHEMA_IDS.dispatch, dispatchSchemaV1],
  [BUILTIN_SCHEMA_IDS.ping, pingSchema],
  [BUILTIN_SCHEMA_IDS.order, orderSchemaV1],
  [BUILTIN_SCHEMA_IDS.campaignSendRequest, campaignSendRequestSchema],
  [BUILTIN_SCHEMA_IDS.campaignReport, campaignReportSchemaV1],
  [BUILTIN_SCHEMA_IDS.campaignSendBatch, campaignSendBatchSchema],
  [BUILTIN_SCHEMA_IDS.orderV2, orderSchema],
  [BUILTIN_SCHEMA_IDS.campaignReportV2, campaignReportSchema],
  [BUILTIN_SCHEMA_IDS.dispatchV2, dispatchSchema],
];

/** A SchemaRegistry answering from the fixed catalog; subjects do not change the ids. */
export function createBuiltinCatalog(): SchemaRegistry {
  const byId = new Map<number, Schema>(entries);
  const idByForm = new Map<string, number>(entries.map(([id, schema]) => [schemaIdentity(schema), id]));
  return {
    async idFor(subject, schema) {
      const id = idByForm.get(schemaIdentity(schema));
      if (id === undefined) {
        throw new HootEventsError(
          'SCHEMA_NOT_IN_CATALOG',
          `schema for subject ${subject} is not in the built-in catalog; add it with a new id or set SCHEMA_REGISTRY_URL`,
        );
      }
      return id;
    },
    async schemaFor(id) {
      return byId.get(id);
    },
  };
}
