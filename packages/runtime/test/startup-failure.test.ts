import assert from 'node:assert/strict';
import net from 'node:net';
import { describe, it } from 'node:test';
import pino from 'pino';
import { Registry } from 'prom-client';
import { describeStartupFailure, PortInUseError, startOpsServer } from '../src/index.ts';

describe('start-up failures', () => {
  it('a taken ops port rejects with PortInUseError naming the port and the variable that sets it', async () => {
    const holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const { port } = holder.address() as net.AddressInfo;
    try {
      await assert.rejects(
        startOpsServer({
          host: '127.0.0.1',
          port,
          portVariable: 'METRICS_PORT',
          registry: new Registry(),
          readiness: {},
          logger: pino({ level: 'silent' }),
        }),
        (error: unknown) =>
          error instanceof PortInUseError &&
          error.port === port &&
          error.message ===
            `port ${port} is already in use by another process; set METRICS_PORT to a free port`,
      );
    } finally {
      holder.close();
    }
  });

  it('an EADDRINUSE from a server of its own is described with the context variable', () => {
    const error = Object.assign(new Error('listen EADDRINUSE: address already in use 0.0.0.0:8080'), {
      code: 'EADDRINUSE',
    });
    assert.equal(
      describeStartupFailure(error, { port: 8080, portVariable: 'PORT' }),
      'port 8080 is already in use by another process; set PORT to a free port',
    );
  });

  it('a broker connection given up on names the brokers and KAFKA_BROKERS, with each reason once', () => {
    const refused = Object.assign(new Error('Connection error: connect ECONNREFUSED 127.0.0.1:1'), {
      name: 'KafkaJSConnectionError',
    });
    const gaveUp = Object.assign(new Error(refused.message), {
      name: 'KafkaJSNumberOfRetriesExceeded',
      cause: refused,
    });
    assert.equal(
      describeStartupFailure(gaveUp, { brokers: ['127.0.0.1:1'] }),
      'Kafka is unreachable at 127.0.0.1:1 after retrying (KAFKA_BROKERS): Connection error: connect ECONNREFUSED 127.0.0.1:1',
    );
  });

  it('any other failure is its own message', () => {
    assert.equal(describeStartupFailure(new Error('VAPID key invalid')), 'VAPID key invalid');
  });
});
