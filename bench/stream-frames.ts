/**
 * What one live-stream frame costs the server, and whether leaving Node's
 * HTTP framing would pay: 2,000 open event-stream responses on loopback, 10
 * events every 10 ms each sent to 10 of them (a user's tabs, as in
 * bench/stream.ts), the serving process's CPU per frame (user and kernel)
 * two ways, in turn, twice:
 *   - `response.write(text)`, as StreamConnection does;
 *   - the frame encoded once as one HTTP chunk, shared by its streams and
 *     written to each socket directly.
 * Prints each run and the second way's cost as a ratio of the first's.
 *
 *   node --import tsx bench/stream-frames.ts
 */
import { fork } from 'node:child_process';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

const STREAMS = 2_000;
const TABS = 10;
const SECONDS = 5;
type Mode = 'response.write' | 'shared chunk';

if (process.argv[2] === 'serve') await serve(process.argv[3] as Mode);
else await compare();

/** The serving process: counts its own CPU over the frames it sends. */
async function serve(mode: Mode): Promise<void> {
  const open: http.ServerResponse[] = [];
  const server = http.createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/event-stream', connection: 'close' });
    response.write('retry: 2000\n\n');
    open.push(response);
    if (open.length === STREAMS) process.send?.({ kind: 'ready' });
  });
  server.listen(0, '127.0.0.1', () =>
    process.send?.({ kind: 'port', port: (server.address() as AddressInfo).port }),
  );
  await once(process, 'message');
  // An event of the bench's size: a created task with its fields.
  const data = JSON.stringify({
    type: 'task.created',
    event_id: '0193f1f4-7b1a-7c3e-9b2a-5d6e7f8a9b0c',
    task_id: '0193f1f4-7b1a-7c3e-9b2a-5d6e7f8a9b0d',
    owner_id: 'stream-user-001',
    actor_id: 'stream-user-001',
    version: 1,
    occurred_at: new Date().toISOString(),
    request_id: 'req-0000000001',
    changes: { title: { before: null, after: 'stream bench 1234' } },
  });
  const started = process.cpuUsage();
  let frames = 0;
  let position = 0;
  const timer = setInterval(() => {
    for (let event = 0; event < 10; event += 1) {
      position += 1;
      const frame = `id: ${position}\nevent: task.created\ndata: ${data}\n\n`;
      const body = Buffer.from(frame);
      const chunk = Buffer.concat([
        Buffer.from(`${body.length.toString(16)}\r\n`),
        body,
        Buffer.from('\r\n'),
      ]);
      const first = (position % (STREAMS / TABS)) * TABS;
      for (const response of open.slice(first, first + TABS)) {
        if (mode === 'shared chunk') response.socket?.write(chunk);
        else response.write(frame);
        frames += 1;
      }
    }
  }, 10);
  setTimeout(() => {
    clearInterval(timer);
    const used = process.cpuUsage(started);
    process.send?.({ kind: 'done', frames, userMicros: used.user, systemMicros: used.system });
  }, SECONDS * 1000);
}

/** Runs each way in its own process, in turn, with the same 2,000 readers. */
async function compare(): Promise<void> {
  const costs: Record<Mode, number[]> = { 'response.write': [], 'shared chunk': [] };
  for (const mode of ['response.write', 'shared chunk', 'response.write', 'shared chunk'] as Mode[]) {
    const child = fork(new URL(import.meta.url).pathname, ['serve', mode], { execArgv: ['--import', 'tsx'] });
    const [{ port }] = (await once(child, 'message')) as [{ port: number }];
    // Readers that only drain: the reading side's cost is not what is measured.
    for (let k = 0; k < STREAMS; k += 1)
      http.get({ host: '127.0.0.1', port, path: '/', agent: false }, (response) => response.resume());
    await once(child, 'message');
    child.send('go');
    const [run] = (await once(child, 'message')) as [
      { frames: number; userMicros: number; systemMicros: number },
    ];
    child.kill();
    const perFrame = (run.userMicros + run.systemMicros) / run.frames;
    costs[mode].push(perFrame);
    process.stdout.write(
      `${mode.padEnd(15)} ${run.frames} frames: ${(run.userMicros / run.frames).toFixed(1)} µs user + ` +
        `${(run.systemMicros / run.frames).toFixed(1)} µs kernel = ${perFrame.toFixed(1)} µs a frame\n`,
    );
  }
  const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
  const ratio = mean(costs['shared chunk']) / mean(costs['response.write']);
  process.stdout.write(`shared chunk costs ${ratio.toFixed(2)}x response.write per frame\n`);
  process.exit(0);
}
