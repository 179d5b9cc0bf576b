import type { FastifyInstance } from 'fastify';

/**
 * Lets `close()` finish while clients hold keep-alive connections. Fastify closes the connections
 * idle when close starts, but one busy then (a ping waiting for its acknowledgement) would stay
 * open after its answer until the keep-alive timeout. Answers sent once closing has begun say
 * `Connection: close`, so each such connection ends with its last response.
 */
export function closeConnectionsWhenClosing(app: FastifyInstance): void {
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', async (_request, reply) => {
    if (closing) reply.header('connection', 'close');
  });
}
