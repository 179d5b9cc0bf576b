import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';

export type ReadinessChecks = Record<string, () => Promise<string | undefined>>;

/** /metrics (Prometheus text), /healthz (the process answers), /readyz (Kafka and Postgres answer). */
export function opsRoutes(app: FastifyInstance, registry: Registry, readiness: ReadinessChecks): void {
  const hide = { schema: { hide: true } };
  app.get('/metrics', hide, async (_request, reply) =>
    reply.type(registry.contentType).send(await registry.metrics()),
  );
  app.get('/healthz', hide, async () => ({ status: 'ok' }));
  app.get('/readyz', hide, async (_request, reply) => {
    const results = await Promise.all(
      Object.entries(readiness).map(async ([name, check]) => {
        try {
          return [name, await check()] as const;
        } catch (error) {
          return [name, error instanceof Error ? error.message : String(error)] as const;
        }
      }),
    );
    const failed = Object.fromEntries(results.filter(([, problem]) => problem !== undefined));
    if (Object.keys(failed).length > 0) return reply.code(503).send({ status: 'unavailable', failed });
    return { status: 'ready' };
  });
}
