import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import avro from 'avsc';
import {
  BUILTIN_SCHEMA_IDS,
  type CampaignReport,
  type CampaignSendBatch,
  type CampaignSendRequest,
  campaignReportSchemaV1,
  createAvroSerde,
  createBuiltinCatalog,
  type Dispatch,
  dispatchSchemaV1,
  encodeFrame,
  FrameError,
  InvalidValueError,
  type Order,
  orderSchemaV1,
  type Ping,
  seedDispatchSchema,
  seedPingSchema,
  Topics,
  topicSchemas,
  valueSubject,
} from '../src/index.ts';

const registry = createBuiltinCatalog();
function serdeFor<T>(topic: keyof typeof topicSchemas) {
  return createAvroSerde<T>({ registry, subject: valueSubject(topic), schema: topicSchemas[topic] });
}

const ping: Ping = {
  merchant: 'shop-1.myshopify.com',
  source: 'campaign',
  source_id: 42,
  subscriber_id: 9_007_199_254_740, // large ids survive as numbers
  delivered_time: '2026-11-21 10:15:02.123456',
  clicked_time: null,
  notification_id: 'n-0f8e',
  token: 'v1.abc.def',
  received_at: 1_795_000_000_000,
  event_time: 1_795_000_000_123,
};

describe('Avro serdes with the built-in catalog', () => {
  it('round-trips a ping, framed with its fixed id', async () => {
    const serde = serdeFor<Ping>(Topics.ping);
    const bytes = await serde.encode(ping);
    assert.equal(bytes[0], 0);
    assert.equal(bytes.readInt32BE(1), BUILTIN_SCHEMA_IDS.ping);
    assert.deepEqual({ ...(await serde.decode(bytes)) }, ping);
  });

  it('round-trips a dispatch, an order, a send request and a campaign report', async () => {
    const dispatch: Dispatch = {
      title: 'Sale',
      description: null,
      source: 'campaign',
      source_id: 42,
      merchant: 'shop-1.myshopify.com',
      subscriber_id: 7,
      notification_id: 'n-1',
      sent_at: 1_795_000_000_000,
      status_code: 201,
      push_service: 'fcm.googleapis.com',
      url: 'https://shop-1.example/sale',
      outcome: 'sent',
      error: null,
      attempts: 1,
      ttl_seconds: 2_419_200,
      urgency: 'normal',
      icon: 'https://shop-1.example/icon.png',
      decided_at: 1_795_000_000_000,
    };
    const order: Order = {
      merchant: 'shop-1.myshopify.com',
      order_id: '#1001',
      subscriber_id: 7,
      total_minor: 12_999,
      currency: 'EUR',
      created_at: 1_795_000_000_000,
      customer_id: '820982911946154508',
    };
    const request: CampaignSendRequest = {
      request_id: 'r-1',
      merchant: 'shop-1.myshopify.com',
      campaign_id: 42,
      action: 'send',
      requested_at: 1_795_000_000_000,
    };
    const report: CampaignReport = {
      merchant: 'shop-1.myshopify.com',
      source: 'campaign',
      source_id: 42,
      window_start: 1_794_999_600_000,
      sent: 1000,
      impressions: 300,
      clicks: 15,
      orders: 2,
      revenue_minor: 25_998,
      currency: 'EUR',
      updated_at: 1_795_000_000_000,
      revenue_by_currency: { EUR: 25_998, JPY: 1700 },
    };
    const batch: CampaignSendBatch = {
      request_id: 'r-1',
      merchant: 'shop-1.myshopify.com',
      campaign_id: 42,
      batch_index: 3,
      batch_count: 400,
      first_subscriber_id: 1501,
      last_subscriber_id: 2000,
    };
    const cases: Array<[keyof typeof topicSchemas, object]> = [
      [Topics.dispatch, dispatch],
      [Topics.orders, order],
      [Topics.campaignSendRequests, request],
      [Topics.campaignReporting, report],
      [Topics.campaignSendBatches, batch],
    ];
    for (const [topic, value] of cases) {
      const serde = serdeFor<object>(topic);
      const framed = await serde.encode(value);
      assert.deepEqual({ ...(await serde.decode(framed)) }, value, topic);
      if (topic === Topics.campaignSendBatches)
        assert.equal(framed.readInt32BE(1), BUILTIN_SCHEMA_IDS.campaignSendBatch);
      if (topic === Topics.orders) assert.equal(framed.readInt32BE(1), BUILTIN_SCHEMA_IDS.orderV2);
      if (topic === Topics.dispatch) assert.equal(framed.readInt32BE(1), BUILTIN_SCHEMA_IDS.dispatchV2);
      if (topic === Topics.campaignReporting)
        assert.equal(framed.readInt32BE(1), BUILTIN_SCHEMA_IDS.campaignReportV2);
    }
  });

  it('reads orders and reports of the first versions, new fields taking their defaults', async () => {
    const orderV1 = avro.Type.forSchema(orderSchemaV1).toBuffer({
      merchant: 'm',
      order_id: '1001',
      subscriber_id: 7,
      total_minor: 1999,
      currency: 'USD',
      created_at: 1_795_000_000_000,
    });
    const order = await serdeFor<Order>(Topics.orders).decode(encodeFrame(BUILTIN_SCHEMA_IDS.order, orderV1));
    assert.equal(order.customer_id, null);
    assert.equal(order.total_minor, 1999);
    const reportV1 = avro.Type.forSchema(campaignReportSchemaV1).toBuffer({
      merchant: 'm',
      source: 'campaign',
      source_id: 1,
      window_start: null,
      sent: 1,
      impressions: 1,
      clicks: 1,
      orders: 1,
      revenue_minor: 1999,
      currency: 'USD',
      updated_at: 1,
    });
    const report = await serdeFor<CampaignReport>(Topics.campaignReporting).decode(
      encodeFrame(BUILTIN_SCHEMA_IDS.campaignReport, reportV1),
    );
    assert.deepEqual({ ...report.revenue_by_currency }, {});
    assert.equal(report.revenue_minor, 1999);
  });

  it('reads dispatch events of the first version and of the seed, new fields taking their defaults', async () => {
    const seedFields = {
      title: 'Sale',
      description: 'Up to 30% off',
      source: 'campaign',
      source_id: 42,
      merchant: 'm',
      subscriber_id: 7,
    };
    const v1 = avro.Type.forSchema(dispatchSchemaV1).toBuffer({
      ...seedFields,
      notification_id: 'n-1',
      sent_at: 1_795_000_000_000,
      status_code: 201,
      push_service: 'fcm.googleapis.com',
      url: 'https://m.example/sale',
    });
    const serde = serdeFor<Dispatch>(Topics.dispatch);
    const fromV1 = await serde.decode(encodeFrame(BUILTIN_SCHEMA_IDS.dispatch, v1));
    assert.equal(fromV1.status_code, 201);
    assert.equal(fromV1.sent_at, 1_795_000_000_000);
    for (const field of [
      'outcome',
      'error',
      'attempts',
      'ttl_seconds',
      'urgency',
      'icon',
      'decided_at',
    ] as const)
      assert.equal(fromV1[field], null, field);
    const fromSeed = await serde.decode(
      encodeFrame(
        BUILTIN_SCHEMA_IDS.seedDispatch,
        avro.Type.forSchema(seedDispatchSchema).toBuffer(seedFields),
      ),
    );
    assert.equal(fromSeed.title, 'Sale');
    assert.equal(fromSeed.status_code, null);
    assert.equal(fromSeed.outcome, null);
  });

  it("reads a ping written with the seed's original schema, new fields taking their defaults", async () => {
    const seedType = avro.Type.forSchema(seedPingSchema);
    const seedBody = seedType.toBuffer({
      merchant: 'old-shop',
      source: 'campaign',
      source_id: 7,
      subscriber_id: 99,
      delivered_time: null,
      clicked_time: '2021-03-04 05:06:07.891011',
    });
    const decoded = await serdeFor<Ping>(Topics.ping).decode(
      encodeFrame(BUILTIN_SCHEMA_IDS.seedPing, seedBody),
    );
    assert.equal(decoded.merchant, 'old-shop');
    assert.equal(decoded.clicked_time, '2021-03-04 05:06:07.891011');
    assert.equal(decoded.notification_id, null);
    assert.equal(decoded.token, null);
    assert.equal(decoded.event_time, null);
  });

  it('refuses to encode a value that does not match, naming the field', async () => {
    const serde = serdeFor<Ping>(Topics.ping);
    await assert.rejects(
      serde.encode({ ...ping, source_id: 'forty-two' as unknown as number }),
      (error: unknown) => {
        assert.ok(error instanceof InvalidValueError);
        assert.deepEqual(error.paths, ['source_id']);
        return true;
      },
    );
  });

  it('gives typed errors for an unknown schema id, a truncated body, trailing bytes and a foreign schema', async () => {
    const serde = serdeFor<Ping>(Topics.ping);
    const good = await serde.encode(ping);
    const expectFrameError = (code: string) => (error: unknown) =>
      error instanceof FrameError && error.code === code && !error.retriable;

    const unknownId = Buffer.from(good);
    unknownId.writeInt32BE(9999, 1);
    await assert.rejects(serde.decode(unknownId), expectFrameError('UNKNOWN_SCHEMA_ID'));
    await assert.rejects(serde.decode(good.subarray(0, good.length - 4)), expectFrameError('BAD_AVRO_BODY'));
    await assert.rejects(
      serde.decode(Buffer.concat([good, Buffer.from([1, 2])])),
      expectFrameError('BAD_AVRO_BODY'),
    );
    const orderFrame = await serdeFor<Order>(Topics.orders).encode({
      merchant: 'm',
      order_id: '1',
      subscriber_id: null,
      total_minor: 1,
      currency: 'EUR',
      created_at: 0,
    });
    await assert.rejects(serde.decode(orderFrame), expectFrameError('INCOMPATIBLE_SCHEMA'));
    await assert.rejects(
      serde.decode(Buffer.from('{"json":"not avro"}')),
      expectFrameError('BAD_MAGIC_BYTE'),
    );
  });

  it('survives random garbage: every result is a value or a FrameError, never another throw', async () => {
    const serde = serdeFor<Ping>(Topics.ping);
    const good = await serde.encode(ping);
    let seed = 12345;
    const random = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 2 ** 32;
    };
    for (let i = 0; i < 2000; i++) {
      const garbage = Buffer.from(good);
      const flips = 1 + Math.floor(random() * 4);
      for (let f = 0; f < flips; f++)
        garbage[5 + Math.floor(random() * (garbage.length - 5))] = Math.floor(random() * 256);
      const cut = random() < 0.3 ? garbage.subarray(0, Math.floor(random() * garbage.length)) : garbage;
      try {
        await serde.decode(cut);
      } catch (error) {
        assert.ok(error instanceof FrameError, `unexpected ${String(error)}`);
      }
    }
  });

  it('does not give the built-in ids to a schema outside the catalog', async () => {
    const serde = createAvroSerde<{ a: string }>({
      registry,
      subject: 'other-value',
      schema: { type: 'record', name: 'other', fields: [{ name: 'a', type: 'string' }] },
    });
    await assert.rejects(serde.encode({ a: 'x' }), { code: 'SCHEMA_NOT_IN_CATALOG' });
  });
});
