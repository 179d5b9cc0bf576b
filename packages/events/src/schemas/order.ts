import type { Schema } from 'avsc';

/** An order reported by the merchant's store through the signed webhook. */
export const orderSchema = {
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

export interface Order {
  merchant: string;
  order_id: string;
  subscriber_id: number | null;
  total_minor: number;
  currency: string;
  created_at: number;
}
