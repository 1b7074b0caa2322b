import { parentPort, workerData } from 'node:worker_threads';

import { startTableServer, type StartTableServerOptions } from './tableServer';

/** Worker-thread entry: runs the table server and reports its port, or why it could not start. */
const port = parentPort;
if (port) {
  startTableServer(workerData as StartTableServerOptions).then(
    (server) => {
      port.postMessage({ kind: 'listening', port: server.port });
      port.on('message', (msg: unknown) => {
        if (msg === 'stop') {
          void server.stop().then(() => {
            port.postMessage({ kind: 'stopped' });
            port.close();
          });
        }
      });
    },
    (err: unknown) => {
      const e = err as NodeJS.ErrnoException;
      port.postMessage({ kind: 'failed', message: e.message, code: e.code });
    },
  );
}
