import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Workload } from '@hoot/workload';
import { sleep } from '../../../streams/test/integration/harness/kafka.ts';
import { CampaignPipeline } from './pipeline.ts';
import { TemporaryPostgres } from './temporary-postgres.ts';

describe('campaign reporting under failures', () => {
  const postgres = new TemporaryPostgres();
  let pipeline: CampaignPipeline;
  before(async () => {
    postgres.init();
    postgres.start();
    pipeline = new CampaignPipeline(postgres.url('hoot_test'));
    await pipeline.prepare();
  });
  after(async () => {
    await pipeline.cleanup();
    postgres.destroy();
  });

  it('stays exact through kill -9 of processors and sinks and a 20 s Postgres outage', async () => {
    const workload = new Workload({
      seed: 23,
      notifications: Number(process.env.N ?? 60_000),
      merchants: 10,
    });
    const dirA = pipeline.newStateDir();
    const dirB = pipeline.newStateDir();
    let a = pipeline.start(dirA);
    let b = pipeline.start(dirB);
    const writing = pipeline.write(workload.main());

    // A processor killed and restarted on its surviving state directory.
    await sleep(4_000);
    await a.kill9();
    a = pipeline.start(dirA);
    // Another killed and restarted with its state lost: it restores from the changelogs.
    await sleep(4_000);
    await b.kill9();
    b = pipeline.start(pipeline.newStateDir());
    await writing;
    await pipeline.drain();

    // Postgres goes away for 20 s while reports keep coming (the orders); the sinks ride it out.
    postgres.stop();
    const ordersWritten = pipeline.write(workload.orders());
    await sleep(10_000);
    await a.kill9();
    a = pipeline.start(dirA);
    await sleep(10_000);
    // The outage lasts until a sink has met it: on a slow machine the reports of the orders may
    // reach the sinks only after the rebalance that the kill caused.
    const metOutage = () =>
      pipeline.processes.some((p) =>
        p.logs.some((l) => l.msg === 'postgres write failed; retrying with backoff'),
      );
    for (let waited = 0; !metOutage() && waited < 120_000; waited += 500) await sleep(500);
    postgres.start();
    await ordersWritten;
    await pipeline.drain();
    await pipeline.write(workload.tooLate());
    await pipeline.drain();

    assert.deepEqual(pipeline.crashed(), [], 'no process crashed');
    const differences = await pipeline.settle(workload, 300_000);
    assert.deepEqual(
      differences.slice(0, 20),
      [],
      `${differences.length} figures differ; logs in ${pipeline.dumpLogs()}`,
    );
    const logged = pipeline.processes.flatMap((p) => p.logs.map((l) => l.msg));
    assert.ok(
      logged.includes('postgres write failed; retrying with backoff'),
      `a sink met the outage; logs in ${pipeline.dumpLogs()}`,
    );
    assert.ok(logged.includes('postgres is back; sink resumed'), 'and resumed after it');
    assert.ok(workload.truth.sum('orders') > 0 && workload.truth.sum('clicks') > 0);
  });
});
