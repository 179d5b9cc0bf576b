import net from 'node:net';

/**
 * A TCP port on 127.0.0.1 that nothing listens on at the moment of the call (the kernel's pick),
 * for tests and tools that start a server of their own. Another process may take it before the
 * caller listens; callers that cannot retry should listen on port 0 instead.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
