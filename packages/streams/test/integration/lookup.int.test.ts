import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import {
  createKafkaPort,
  EngineMetrics,
  jsonSerde,
  StreamProcessor,
  TopologyBuilder,
} from '../../src/index.ts';
import { brokers, createTopics, groupLag, produce, readAll, sleep } from './harness/kafka.ts';
import { TestApplication } from './harness/test-application.ts';

interface Profile {
  user: string;
  tier: string;
}
interface Purchase {
  user: string;
  amount: number;
}

describe('a keyed lookup against a table of the same task', () => {
  const t = new TestApplication('it-lookup');
  const app = t.id;
  const profiles = `${app}-profiles`;
  const purchases = `${app}-purchases`;
  const output = `${app}-enriched`;
  const dir = t.newDir();
  after(() => t.cleanup());

  it('enriches each record with the latest table value under the key it names, and drops what has none', async () => {
    await createTopics([
      { topic: profiles, partitions: 3 },
      { topic: purchases, partitions: 3 },
      { topic: output, partitions: 3 },
    ]);
    const builder = new TopologyBuilder('lookup');
    const table = builder
      .stream(profiles, { value: jsonSerde<Profile>() })
      .rekey('profiles-by-user', (p) => p.user, { value: jsonSerde<Profile>() })
      .toTable('profiles', { value: jsonSerde<Profile>() });
    builder
      .stream(purchases, { value: jsonSerde<Purchase>() })
      .rekey('purchases-by-user', (p) => p.user, { value: jsonSerde<Purchase>() })
      .lookup(
        table,
        (p) => p.user,
        (purchase, profile) => (profile === undefined ? undefined : { ...purchase, tier: profile.tier }),
      )
      .to(output, { value: jsonSerde<Purchase & { tier: string }>() });

    const logger = pino({ level: 'warn' });
    const processor = new StreamProcessor({
      applicationId: app,
      topology: builder.build(),
      // HOOT_KAFKA_CLIENT picks the client, as for the tests that run the engine as processes.
      port: createKafkaPort(process.env.HOOT_KAFKA_CLIENT, { brokers, clientId: app, logger }),
      stateDir: dir,
      commitIntervalMs: 50,
      commitMaxRecords: 1000,
      metrics: new EngineMetrics(new Registry()),
      logger,
    });
    t.onCleanup(() => processor.stop());
    await processor.start();

    await produce(
      profiles,
      Array.from({ length: 30 }, (_, i) => ({
        key: null,
        value: JSON.stringify({ user: `u${i}`, tier: 'silver' }),
      })),
    );
    await sleep(20); // the newer profile gets a later timestamp: the table keeps the latest by event time
    await produce(profiles, [{ key: 'u3', value: JSON.stringify({ user: 'u3', tier: 'gold' }) }]);
    while (
      (await groupLag(app, profiles)) > 0 ||
      (await groupLag(app, `${app}-profiles-by-user-repartition`)) > 0
    ) {
      await sleep(100);
    }
    await produce(
      purchases,
      Array.from({ length: 40 }, (_, i) => ({
        key: null,
        value: JSON.stringify({ user: `u${i}`, amount: i }),
      })),
    );
    const deadline = Date.now() + 60_000;
    let enriched: Array<Purchase & { tier: string }> = [];
    while (Date.now() < deadline && enriched.length < 30) {
      enriched = (await readAll(output)).map((r) => JSON.parse(r.value!.toString()));
      if (enriched.length < 30) await sleep(200);
    }
    assert.equal(enriched.length, 30, 'users u30-u39 have no profile and are dropped');
    const byUser = new Map(enriched.map((e) => [e.user, e]));
    assert.deepEqual(byUser.get('u3'), { user: 'u3', amount: 3, tier: 'gold' }, 'the latest profile wins');
    assert.deepEqual(byUser.get('u7'), { user: 'u7', amount: 7, tier: 'silver' });
    assert.equal(byUser.has('u35'), false);
  });
});
