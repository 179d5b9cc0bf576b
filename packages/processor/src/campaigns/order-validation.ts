import type { Order } from '@hoot/events';

/** An order the reporting cannot use; the engine dead-letters it with this message. */
export class InvalidOrderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidOrderError';
  }
}

export function validateOrder(order: Order): void {
  if (order.order_id.length === 0) throw new InvalidOrderError('order_id is empty');
  if (order.total_minor < 0) throw new InvalidOrderError(`total_minor is negative: ${order.total_minor}`);
  if (!/^[A-Z]{3}$/.test(order.currency))
    throw new InvalidOrderError(`currency is not ISO 4217: ${order.currency}`);
}
