export { loadProcessorConfig, type ProcessorConfig, processorConfigSchema } from './config.ts';
