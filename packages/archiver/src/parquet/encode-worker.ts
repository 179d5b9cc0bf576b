// A worker thread encoding archive files (see ArchiveEncoder): the Parquet encoding and its
// compression take more CPU than reading and decoding the records, so they run beside them.
import { parentPort } from 'node:worker_threads';
import { type ArchiveFileContent, encodeArchiveFile } from './encode-archive-file.ts';

parentPort?.on('message', ({ id, content }: { id: number; content: ArchiveFileContent }) => {
  try {
    const bytes = encodeArchiveFile(content);
    parentPort?.postMessage({ id, bytes }, [bytes.buffer as ArrayBuffer]);
  } catch (error) {
    parentPort?.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
  }
});
