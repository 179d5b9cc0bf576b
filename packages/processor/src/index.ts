export { loadProcessorConfig, type ProcessorConfig, processorConfigSchema } from './config.ts';
export * from './engine/index.ts';
