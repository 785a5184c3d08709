/**
 * `npm run bench:stack`: the running stack (`npm run stack`) loaded through
 * its front door, NGINX over HTTPS in front of two API instances with the
 * Redis cache, the replica behind PgBouncer and the worker, against a
 * baseline measured in the same run: the very same requests sent to one API
 * instance directly (plain HTTP, no NGINX). The ratio is what the front door
 * and the second instance add or cost on this machine; Prometheus
 * (http://127.0.0.1:9090) shows the rest while it runs.
 *
 *   npm run stack && npm run bench:stack [-- --seconds 10 --connections 32]
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { STACK_PORTS } from '../scripts/stack/stack-layout.ts';
import type { Task } from '../src/modules/tasks/tasks.schemas.ts';
import { asUser, passwordGrant, STACK_URL } from '../test/support/stack-client.ts';
import { type LoadResult, type Request, runWrk } from './lib/wrk.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    connections: { type: 'string', default: '32' },
  },
});
const seconds = Number(values.seconds);
const connections = Number(values.connections);
const log = (line: string) => process.stdout.write(`${line}\n`);

const { access_token: token } = await passwordGrant('bob');
const auth = { authorization: `Bearer ${token}` };
// Tasks to read by id: created through the stack, so the replica and the cache see real writes.
const ids: string[] = [];
for (let i = 0; i < 200; i += 1) {
  const response = await asUser('bob', 'POST', '/tasks', { json: { title: `bench:stack ${i}` } });
  ids.push(((await response.json()) as Task).id);
}

const scenarios: { name: string; requests: Request[] }[] = [
  { name: 'list (cache hit)', requests: [{ method: 'GET', path: '/tasks?limit=10', headers: auth }] },
  {
    name: 'get-by-id',
    requests: ids.map((id) => ({ method: 'GET', path: `/tasks/${id}`, headers: auth })),
  },
  {
    name: 'post',
    requests: [
      {
        method: 'POST',
        path: '/tasks',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ title: 'bench:stack write' }),
      },
    ],
  },
];
const targets = {
  direct: `http://127.0.0.1:${STACK_PORTS.apis[0]}`,
  nginx: STACK_URL,
};

const rows: string[] = [];
const format = (result: LoadResult) =>
  `${Math.round(result.requestsPerSecond)} | ${result.latencyMs.p50.toFixed(2)} | ${result.latencyMs.p99.toFixed(2)} | ${result.errors}`;
for (const scenario of scenarios) {
  const results: Record<string, LoadResult> = {};
  for (const [target, url] of Object.entries(targets)) {
    log(`${scenario.name} → ${target} …`);
    results[target] = await runWrk({ url, requests: scenario.requests, connections, seconds });
  }
  const { direct, nginx } = results as { direct: LoadResult; nginx: LoadResult };
  rows.push(
    `| ${scenario.name} | ${format(direct)} | ${format(nginx)} | ${(nginx.requestsPerSecond / direct.requestsPerSecond).toFixed(2)} |`,
  );
}

const report = [
  `# bench:stack, ${new Date().toISOString()}`,
  '',
  `wrk -t1 -c${connections} -d${seconds}s; "direct" is one API instance over plain HTTP (the baseline),`,
  '"NGINX" is the front door over HTTPS with both instances behind it.',
  '',
  '| scenario | direct req/s | p50 ms | p99 ms | errors | NGINX req/s | p50 ms | p99 ms | errors | × direct |',
  '|---|---|---|---|---|---|---|---|---|---|',
  ...rows,
  '',
].join('\n');
await mkdir(new URL('results/', import.meta.url), { recursive: true });
await writeFile(new URL('results/latest-stack.md', import.meta.url), report);
log(`\n${report}`);
process.exit(0);
