import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { PortInUseError } from './startup-failure.ts';

/** A readiness check: resolves when the dependency is usable, rejects (or returns a reason) when not. */
export type ReadinessCheck = () => Promise<string | undefined> | string | undefined;

export interface OpsServerOptions {
  host?: string;
  port: number;
  /** The variable that sets `port`, named when the port is taken (default HTTP_PORT). */
  portVariable?: string;
  registry: Registry;
  /** Named checks; /readyz answers 503 naming each one that failed. */
  readiness: Record<string, ReadinessCheck>;
  logger: Logger;
}

async function runCheck(check: ReadinessCheck): Promise<string | undefined> {
  try {
    return await check();
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/**
 * The operational endpoints of a service without its own HTTP api: /metrics (Prometheus text),
 * /healthz (the process is alive) and /readyz (its dependencies answer). A port already taken
 * rejects with PortInUseError, which names the variable to change.
 */
export async function startOpsServer(options: OpsServerOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: options.logger.child({ component: 'ops-http' }) as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
  });
  app.get('/metrics', async (_request, reply) => {
    reply.header('content-type', options.registry.contentType);
    return options.registry.metrics();
  });
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const results = await Promise.all(
      Object.entries(options.readiness).map(async ([name, check]) => [name, await runCheck(check)] as const),
    );
    const failed = Object.fromEntries(results.filter(([, problem]) => problem !== undefined));
    if (Object.keys(failed).length > 0) return reply.code(503).send({ status: 'unavailable', failed });
    return { status: 'ready' };
  });
  try {
    await app.listen({ host: options.host ?? '0.0.0.0', port: options.port });
  } catch (error) {
    await app.close().catch(() => {});
    if ((error as { code?: unknown }).code === 'EADDRINUSE')
      throw new PortInUseError(options.port, options.portVariable ?? 'HTTP_PORT', { cause: error });
    throw error;
  }
  return app;
}
