/** A tiny aggregation: a start value and how one record changes it. Must not mutate `aggregate`. */
export interface Aggregator<V, A> {
  initialize(): A;
  add(aggregate: A, value: V): A;
}

export function countAggregator<V>(): Aggregator<V, number> {
  return { initialize: () => 0, add: (n) => n + 1 };
}

export function sumAggregator<V>(amount: (value: V) => number): Aggregator<V, number> {
  return { initialize: () => 0, add: (sum, value) => sum + amount(value) };
}
