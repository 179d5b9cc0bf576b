export { type DispatcherConfig, dispatcherConfigSchema, loadDispatcherConfig } from './config.ts';
