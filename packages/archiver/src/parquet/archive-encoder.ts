import { Worker } from 'node:worker_threads';
import { type ArchiveFileContent, encodeArchiveFile } from './encode-archive-file.ts';

/** Encodes archive files (see encodeArchiveFile), here or elsewhere. */
export interface ArchiveEncoder {
  /** The file's Parquet bytes; rejects with the encoder's error. */
  encode(content: ArchiveFileContent): Promise<Uint8Array>;
  close(): Promise<void>;
}

/** Encodes in the calling thread. */
export function inlineEncoder(): ArchiveEncoder {
  return {
    async encode(content) {
      return encodeArchiveFile(content);
    },
    async close() {},
  };
}

/**
 * Encodes in a worker thread of its own, one file at a time in the order asked, so the archiver's
 * thread keeps reading and decoding records meanwhile. The content is copied to the worker
 * (structured clone) and the bytes come back without a copy. If the worker dies, pending and
 * later encodings reject and a new worker is started for the next one.
 */
export function workerEncoder(): ArchiveEncoder {
  let worker: Worker | undefined;
  let nextId = 0;
  const pending = new Map<number, { resolve(bytes: Uint8Array): void; reject(error: Error): void }>();
  const start = () => {
    const started = new Worker(new URL('./encode-worker.ts', import.meta.url));
    started.unref();
    started.on('message', (message: { id: number; bytes?: Uint8Array; error?: string }) => {
      const waiting = pending.get(message.id);
      pending.delete(message.id);
      if (message.bytes !== undefined) waiting?.resolve(new Uint8Array(message.bytes));
      else waiting?.reject(new Error(`encoding an archive file failed: ${message.error}`));
      if (pending.size === 0) started.unref();
    });
    const fail = (error: Error) => {
      if (worker === started) worker = undefined;
      for (const waiting of pending.values()) waiting.reject(error);
      pending.clear();
    };
    started.on('error', fail);
    started.on('exit', (code) => fail(new Error(`the archive encoder thread exited with code ${code}`)));
    return started;
  };
  return {
    encode(content) {
      worker ??= start();
      const id = nextId++;
      const done = new Promise<Uint8Array>((resolve, reject) => pending.set(id, { resolve, reject }));
      worker.ref(); // keeps the process alive while an encoding is pending
      worker.postMessage({ id, content });
      return done;
    },
    async close() {
      const stopping = worker;
      worker = undefined;
      await stopping?.terminate();
    },
  };
}
