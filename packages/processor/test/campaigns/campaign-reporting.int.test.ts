import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Workload } from '@hoot/workload';
import { CampaignPipeline } from './pipeline.ts';

describe('campaign reporting end to end', () => {
  const pipeline = new CampaignPipeline();
  before(() => pipeline.prepare());
  after(() => pipeline.cleanup());

  it('puts figures equal to the ground truth in Postgres, for every campaign and hour', async () => {
    const workload = new Workload({ seed: 11, notifications: Number(process.env.N ?? 30_000), merchants: 8 });
    pipeline.start(pipeline.newStateDir());
    pipeline.start(pipeline.newStateDir());
    const main = await pipeline.write(workload.main());
    await pipeline.drain();
    const orders = await pipeline.write(workload.orders());
    await pipeline.drain();
    const tooLate = await pipeline.write(workload.tooLate());
    await pipeline.drain();
    assert.deepEqual(pipeline.crashed(), [], 'no process crashed');
    const differences = await pipeline.settle(workload, 120_000);
    assert.deepEqual(
      differences.slice(0, 20),
      [],
      `${differences.length} figures differ; logs in ${pipeline.dumpLogs()}; logged:\n${pipeline.problems().join('\n')}`,
    );

    const truth = workload.truth;
    // The workload exercised what it claims to.
    const formats = workload.merchants.filter((m) => m.seedFormat).length;
    assert.ok(formats >= 1, 'some merchants write the seed schema');
    assert.ok(truth.sum('impressions') > 0.25 * truth.sum('sent'));
    assert.ok(truth.sum('clicks') > 0 && truth.sum('orders') > 0 && truth.sum('revenue_minor') > 0);
    assert.ok(main > 0 && orders > 0 && tooLate > 0);
  });
});
