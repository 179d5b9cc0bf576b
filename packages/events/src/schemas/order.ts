import type { Schema } from 'avsc';

/** The first version of the order (schema id 5): kept so records written with it still decode. */
export const orderSchemaV1 = {
  namespace: 'dev.hoot',
  type: 'record',
  name: 'order',
  fields: [
    { name: 'merchant', type: 'string' },
    { name: 'order_id', type: 'string', doc: "The store's order id; an order id counts once." },
    { name: 'subscriber_id', type: ['null', 'long'], default: null, doc: 'The push subscriber who ordered.' },
    { name: 'total_minor', type: 'long', doc: 'Order total in minor units of currency (cents).' },
    { name: 'currency', type: 'string', doc: 'ISO 4217 code.' },
    { name: 'created_at', type: 'long', doc: 'When the order was placed, epoch milliseconds.' },
  ],
} as const satisfies Schema;

/**
 * An order reported by the merchant's store through a signed webhook (Hoot's own or Shopify's).
 * Adds `customer_id` to the first version, with a null default: store ids such as Shopify's exceed
 * 2^53 and are carried as exact decimal strings (order_id was a string from the start).
 */
export const orderSchema = {
  ...orderSchemaV1,
  fields: [
    ...orderSchemaV1.fields,
    {
      name: 'customer_id',
      type: ['null', 'string'],
      default: null,
      doc: "The store's customer id as an exact decimal string, when the store sends one.",
    },
  ],
} as const satisfies Schema;

export interface Order {
  merchant: string;
  order_id: string;
  subscriber_id: number | null;
  total_minor: number;
  currency: string;
  created_at: number;
  /** Absent or null when the store sent no customer (and in records of the first version). */
  customer_id?: string | null;
}
