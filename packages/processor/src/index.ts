export { attribute, type ClickRef, rememberClick } from './campaigns/attribution.ts';
export { type CampaignFigures, figuresAggregator } from './campaigns/campaign-figures.ts';
export { type CampaignTopologyOptions, campaignTopology } from './campaigns/campaign-topology.ts';
export { parsePingTime } from './campaigns/ping-time.ts';
export { loadProcessorConfig, type ProcessorConfig, processorConfigSchema } from './config.ts';
export { type ProcessorService, startProcessorService } from './service.ts';
export { PostgresSink, type PostgresSinkOptions } from './sink/postgres-sink.ts';
export { SinkMetrics } from './sink/sink-metrics.ts';
