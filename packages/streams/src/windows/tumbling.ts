/**
 * Tumbling windows by event time: fixed-size, non-overlapping, aligned to the epoch (and so to
 * UTC hours and days). A pure description; the window node applies it.
 */
export interface TumblingWindows {
  readonly kind: 'tumbling';
  readonly sizeMs: number;
  /** How long after a window ends records for it are still accepted, in stream time. */
  readonly graceMs: number;
  /** How long a window is kept in the store after it starts; at least size + grace. */
  readonly retentionMs: number;
}

export interface Window {
  start: number;
  end: number;
}

export function tumblingWindows(options: {
  sizeMs: number;
  graceMs?: number;
  retentionMs?: number;
}): TumblingWindows {
  const { sizeMs, graceMs = 0 } = options;
  const retentionMs = options.retentionMs ?? sizeMs + graceMs;
  if (!Number.isSafeInteger(sizeMs) || sizeMs <= 0)
    throw new RangeError(`window size must be a positive integer, got ${sizeMs}`);
  if (!Number.isSafeInteger(graceMs) || graceMs < 0)
    throw new RangeError(`grace must be a non-negative integer, got ${graceMs}`);
  if (retentionMs < sizeMs + graceMs) {
    throw new RangeError(`retention ${retentionMs} ms must cover size + grace (${sizeMs + graceMs} ms)`);
  }
  return { kind: 'tumbling', sizeMs, graceMs, retentionMs };
}

/** The one window a timestamp falls in: [start, end). */
export function windowFor(windows: TumblingWindows, timestamp: number): Window {
  const start = timestamp - mod(timestamp, windows.sizeMs);
  return { start, end: start + windows.sizeMs };
}

/**
 * Whether a window no longer accepts records. Kafka Streams' rule, read in place:
 * windowCloseTime = streamTime - grace; a window that ended at or before it is closed.
 */
export function isWindowClosed(windows: TumblingWindows, window: Window, streamTime: number): boolean {
  const windowCloseTime = streamTime - windows.graceMs;
  return window.end <= windowCloseTime;
}

/** Windows that started before this time are past retention and may be deleted. */
export function retentionCutoff(windows: TumblingWindows, streamTime: number): number {
  return streamTime - windows.retentionMs;
}

/** A name fragment that changes whenever the definition does, so changed windows start fresh state. */
export function describeWindows(windows: TumblingWindows): string {
  return `tumbling-${windows.sizeMs}-${windows.graceMs}`;
}

function mod(a: number, n: number): number {
  return ((a % n) + n) % n;
}
