export { ConfigError, configVariables, loadConfig } from './load-config.ts';
export { LOG_LEVELS, type LogLevel, logEnvProperties } from './log-config.ts';
