/** Whether a server could listen on host:port now: listens there once, alone, and lets go. */
import { createServer } from 'node:net';

/** Resolves when host:port could be listened on; rejects with the listen error (EADDRINUSE, EACCES…). */
export function probeListen(host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen({ port, host, exclusive: true }, () => probe.close(() => resolve()));
  });
}
