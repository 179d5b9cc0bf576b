/** Operation counts of one store, read by the engine's metrics when Prometheus scrapes. */
export interface StoreOperationCounts {
  gets: number;
  puts: number;
  deletes: number;
  expired: number;
}

export function emptyStoreCounts(): StoreOperationCounts {
  return { gets: 0, puts: 0, deletes: 0, expired: 0 };
}
