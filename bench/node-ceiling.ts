/**
 * The HTTP ceiling of a Node service on this machine: bare `node:http` in
 * the same number of processes as the API (node:cluster, each accepting its
 * own connections as the API's workers do), answering every request with the
 * same fixed page the API serves.
 *
 *   node bench/node-ceiling.ts <port> <processes> <page file>
 */
import cluster from 'node:cluster';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

const [port, processes, pageFile] = process.argv.slice(2);
if (cluster.isPrimary) {
  cluster.schedulingPolicy = cluster.SCHED_NONE;
  for (let i = 0; i < Number(processes); i += 1) cluster.fork();
  process.on('SIGTERM', () => {
    for (const worker of Object.values(cluster.workers ?? {})) worker?.kill();
    process.exit(0);
  });
} else {
  const page = readFileSync(pageFile as string);
  createServer((_request, response) => {
    response.writeHead(200, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': page.length,
    });
    response.end(page);
  }).listen(Number(port), '127.0.0.1');
}
