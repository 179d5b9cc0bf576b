export { type ApiConfig, apiConfigSchema, loadApiConfig } from './config.ts';
