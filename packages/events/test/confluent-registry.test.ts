import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import {
  createAvroSerde,
  createConfluentRegistry,
  FrameError,
  type Ping,
  pingSchema,
  SchemaRegistryError,
} from '../src/index.ts';

// The client's side of the Schema Registry REST API, exercised over real HTTP against a minimal
// in-process server that keeps subjects and ids as the registry documents them.
describe('Confluent Schema Registry client', () => {
  let server: Server;
  let url: string;
  const requests: Array<{
    method: string;
    path: string;
    auth: string | undefined;
    type: string | undefined;
  }> = [];
  const schemas: string[] = [];
  let failNext = 0;

  const body = async (req: IncomingMessage) => {
    let text = '';
    for await (const chunk of req) text += chunk;
    return text;
  };

  before(async () => {
    server = createServer(async (req, res) => {
      requests.push({
        method: req.method!,
        path: req.url!,
        auth: req.headers.authorization,
        type: req.headers['content-type'],
      });
      res.setHeader('content-type', 'application/vnd.schemaregistry.v1+json');
      if (failNext > 0) {
        failNext--;
        res.writeHead(503).end('{"error_code":50302,"message":"unavailable"}');
        return;
      }
      const register = req.url!.match(/^\/subjects\/([^/]+)\/versions$/);
      const byId = req.url!.match(/^\/schemas\/ids\/(\d+)$/);
      if (req.method === 'POST' && register) {
        const { schema } = JSON.parse(await body(req)) as { schema: string };
        let index = schemas.indexOf(schema);
        if (index < 0) index = schemas.push(schema) - 1;
        res.end(JSON.stringify({ id: 100 + index }));
      } else if (req.method === 'GET' && byId) {
        const schema = schemas[Number(byId[1]) - 100];
        if (schema === undefined) res.writeHead(404).end('{"error_code":40403,"message":"Schema not found"}');
        else res.end(JSON.stringify({ schema }));
      } else {
        res.writeHead(405).end('{}');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://user:s%3Acret@127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  after(() => server.close());

  const ping: Ping = {
    merchant: 'm',
    source: 'campaign',
    source_id: 1,
    subscriber_id: 2,
    delivered_time: '2026-01-01 00:00:00',
    clicked_time: null,
    notification_id: null,
    token: null,
    received_at: null,
    event_time: null,
  };

  it('registers under the subject, frames with the returned id and decodes by id', async () => {
    const registry = createConfluentRegistry({ url });
    const serde = createAvroSerde<Ping>({
      registry,
      subject: 'pushnotification-ping-value',
      schema: pingSchema,
    });
    const bytes = await serde.encode(ping);
    assert.equal(bytes.readInt32BE(1), 100);
    const reader = createAvroSerde<Ping>({
      registry: createConfluentRegistry({ url }),
      subject: 'x',
      schema: pingSchema,
    });
    assert.deepEqual({ ...(await reader.decode(bytes)) }, ping);
    const first = requests[0]!;
    assert.deepEqual([first.method, first.path], ['POST', '/subjects/pushnotification-ping-value/versions']);
    assert.equal(first.auth, `Basic ${Buffer.from('user:s:cret').toString('base64')}`);
    assert.equal(first.type, 'application/vnd.schemaregistry.v1+json');
    assert.ok(requests.some((r) => r.method === 'GET' && r.path === '/schemas/ids/100'));
  });

  it('asks once per schema and per id', async () => {
    const registry = createConfluentRegistry({ url });
    const serde = createAvroSerde<Ping>({ registry, subject: 'once-value', schema: pingSchema });
    const before = requests.length;
    for (let i = 0; i < 20; i++) await serde.decode(await serde.encode(ping));
    assert.equal(requests.length - before, 2);
  });

  it('maps an id the registry does not know to FrameError UNKNOWN_SCHEMA_ID', async () => {
    const serde = createAvroSerde<Ping>({
      registry: createConfluentRegistry({ url }),
      subject: 's',
      schema: pingSchema,
    });
    const bytes = Buffer.from([0, 0, 0, 0x30, 0x39, 2]);
    await assert.rejects(
      serde.decode(bytes),
      (e: unknown) => e instanceof FrameError && e.code === 'UNKNOWN_SCHEMA_ID',
    );
  });

  it('reports an outage as a retriable error and tries again on the next call', async () => {
    const registry = createConfluentRegistry({ url });
    failNext = 1;
    await assert.rejects(
      registry.schemaFor(100),
      (e: unknown) => e instanceof SchemaRegistryError && e.retriable,
    );
    assert.ok(await registry.schemaFor(100));
    const down = createConfluentRegistry({ url: 'http://127.0.0.1:1/', timeoutMs: 2000 });
    await assert.rejects(down.schemaFor(1), (e: unknown) => e instanceof SchemaRegistryError && e.retriable);
  });
});
