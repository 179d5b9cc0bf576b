import net from 'node:net';
import { type ISocketFactory, Kafka, logLevel, type RetryOptions } from 'kafkajs';
import { brokers } from './kafka.ts';

/** Kafka's API key of EndTxn, the request that commits or aborts a transaction. */
export const END_TXN = 26;

/**
 * Broker connections a test can cut: a kafkajs socket factory over real TCP sockets to the real
 * broker. Armed with `cutAtNext(apiKey, forMs)`, the first request of that kind is never sent:
 * every connection is destroyed and new ones fail for `forMs`, as when a broker restarts or the
 * network drops at the worst moment (an EndTxn in flight is what wedges a kafkajs producer).
 */
export class NetworkFaults {
  #cutUntil = 0;
  #armed: { apiKey: number; forMs: number; onCut: () => void } | undefined;
  readonly #sockets = new Set<net.Socket>();

  readonly socketFactory: ISocketFactory = ({ host, port, onConnect }) => {
    const socket = net.connect({ host, port }, onConnect);
    this.#sockets.add(socket);
    socket.on('close', () => this.#sockets.delete(socket));
    const write = socket.write.bind(socket) as (chunk: Buffer, ...rest: unknown[]) => boolean;
    socket.write = ((chunk: Buffer, ...rest: unknown[]) => {
      // A kafkajs request is written whole: size (4 bytes), then the API key (2 bytes).
      const armed = this.#armed;
      if (
        armed !== undefined &&
        Buffer.isBuffer(chunk) &&
        chunk.length >= 6 &&
        chunk.readInt16BE(4) === armed.apiKey
      ) {
        this.#armed = undefined;
        this.cut(armed.forMs);
        armed.onCut();
      }
      if (this.cutting) {
        socket.destroy(new Error('network cut by the test'));
        return false;
      }
      return write(chunk, ...rest);
    }) as typeof socket.write;
    if (this.cutting) setImmediate(() => socket.destroy(new Error('network cut by the test')));
    return socket;
  };

  get cutting(): boolean {
    return Date.now() < this.#cutUntil;
  }

  /** Drops every connection now and refuses new ones for `forMs`. */
  cut(forMs: number): void {
    this.#cutUntil = Date.now() + forMs;
    for (const socket of this.#sockets) socket.destroy(new Error('network cut by the test'));
  }

  /** Cuts the network for `forMs` when the next request with `apiKey` is about to be sent. */
  cutAtNext(apiKey: number, forMs: number, onCut: () => void = () => {}): void {
    this.#armed = { apiKey, forMs, onCut };
  }

  /** A silent kafkajs client on the test broker whose connections go through these faults. */
  kafka(clientId: string, retry: RetryOptions): Kafka {
    return new Kafka({
      clientId,
      brokers,
      logLevel: logLevel.NOTHING,
      socketFactory: this.socketFactory,
      retry,
    });
  }
}
