// Writes a generated campaign workload to Kafka and its ground truth to a JSON file beside it.
//   node packages/workload/src/cli.ts --seed 7 --notifications 100000 --truth truth.json \
//     [--merchants 8] [--group hoot-processor]
// With --group, each phase waits until that processor group has taken the previous one, so that
// orders meet the clicks they are attributed to (see Workload).
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createBuiltinCatalog } from '@hoot/events';
import { javaCompatiblePartitioner } from '@hoot/kafka';
import { Kafka, logLevel } from 'kafkajs';
import { defaultWorkloadTopics, Workload, waitForGroup, writeRecords } from './index.ts';

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: '1' },
    notifications: { type: 'string', default: '100000' },
    merchants: { type: 'string', default: '8' },
    truth: { type: 'string', default: 'truth.json' },
    group: { type: 'string' },
  },
});
const number = (name: 'seed' | 'notifications' | 'merchants') => {
  const n = Number(values[name]);
  if (!Number.isSafeInteger(n) || n < 0)
    throw new Error(`--${name} must be a whole number, got ${values[name]}`);
  return n;
};

const workload = new Workload({
  seed: number('seed'),
  notifications: number('notifications'),
  merchants: number('merchants'),
});
const kafka = new Kafka({
  clientId: 'hoot-workload',
  brokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','),
  logLevel: logLevel.WARN,
});
const producer = kafka.producer({ idempotent: true, createPartitioner: javaCompatiblePartitioner });
const admin = kafka.admin();
await Promise.all([producer.connect(), admin.connect()]);
try {
  const topics = defaultWorkloadTopics;
  for (const [name, phase] of [
    ['main', workload.main()],
    ['orders', workload.orders()],
    ['too-late', workload.tooLate()],
  ] as const) {
    const written = await writeRecords(producer, createBuiltinCatalog(), phase, topics);
    console.log(`${name}: ${written} records written`);
    if (values.group !== undefined) {
      await waitForGroup(admin, values.group, [topics.ping, topics.dispatch, topics.orders]);
    }
  }
  writeFileSync(values.truth, `${JSON.stringify(workload.truth.toJSON(), null, 2)}\n`);
  console.log(`ground truth of ${workload.truth.campaigns.size} campaigns in ${values.truth}`);
} finally {
  await Promise.all([producer.disconnect(), admin.disconnect()]);
}
