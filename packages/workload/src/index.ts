export {
  type CampaignTruth,
  emptyFigures,
  type FigureName,
  type Figures,
  GroundTruth,
  hourOf,
} from './ground-truth.ts';
export { sumOfSamples } from './metric-samples.ts';
export { PrivateBroker } from './private-broker.ts';
export { Random } from './random.ts';
export { pythonTime, type RecordFormat, type WorkloadRecord } from './records.ts';
export { groupBacklog, waitForGroup } from './wait-for-group.ts';
export { Workload, type WorkloadOptions } from './workload.ts';
export { defaultWorkloadTopics, type WorkloadTopics, writeRecords } from './write-records.ts';
