import { createServer, type RequestListener, type Server } from 'node:http';

import { answerClientError } from './answerClientError';
import { listen } from './listen';

export interface LocalServers {
  port: number;
  close(): Promise<void>;
}

/**
 * Listens on 127.0.0.1 and, where available, ::1 on the same port, so "localhost" resolves to the host
 * either way without exposing it to the network.
 */
export async function listenLocal(handler: RequestListener, port: number): Promise<LocalServers> {
  const serve = (): Server => {
    const server = createServer(handler).on('clientError', answerClientError);
    // Node's default 5 s equals its clients' idle keep-alive: a client (the app's durable client calling the host)
    // could reuse a socket the server was closing that instant and get ECONNRESET (seen under load). The server
    // keeps idle sockets longer than clients do, so the client always closes first.
    server.keepAliveTimeout = 65_000;
    server.headersTimeout = 66_000;
    return server;
  };
  const v4 = serve();
  const actual = await listen(v4, port, '127.0.0.1');
  const all: Server[] = [v4];
  const v6 = serve();
  try {
    await listen(v6, actual, '::1');
    all.push(v6);
  } catch {
    // No IPv6 loopback (or the port is taken there): clients fall back to 127.0.0.1.
  }
  return {
    port: actual,
    close: () =>
      Promise.all(
        all.map(
          (server) =>
            new Promise<void>((done) => {
              server.close(() => done());
              server.closeAllConnections();
            }),
        ),
      ).then(() => undefined),
  };
}
