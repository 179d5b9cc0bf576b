export { freePort } from './free-port.ts';
export { kafkaLogCreator } from './kafka-log.ts';
export { ConfigError, configVariables, loadConfig } from './load-config.ts';
export { LOG_LEVELS, type LogLevel, logEnvProperties } from './log-config.ts';
export { createLogger, type LoggerOptions } from './logger.ts';
export { type OpsServerOptions, type ReadinessCheck, startOpsServer } from './ops-server.ts';
export { onShutdown } from './shutdown.ts';
export {
  describeStartupFailure,
  EXIT_STARTUP_FAILED,
  exitOnStartupFailure,
  PortInUseError,
  type StartupContext,
} from './startup-failure.ts';
