/**
 * The stream benchmark's clients, in a process of their own (so that the
 * write load's generator does not delay them): opens the streams it is
 * told to, counts every task event each receives and how long after its
 * commit (the event's `occurred_at`) it arrived. Driven over IPC by
 * bench/stream.ts: `open` → `opened`; `measure` (start counting) →
 * `report` (latencies of the events since), as often as needed; `close`
 * (every stream) → `closed`; `stop`.
 */
import { once } from 'node:events';
import http from 'node:http';

interface OpenMessage {
  kind: 'open';
  base: string;
  /** One token per stream (a user's token repeated for each of their tabs). */
  tokens: string[];
}

const latencies: number[] = [];
let measuring = false;
let errors = 0;
let open = 0;
const requests = new Set<http.ClientRequest>();

function openStream(base: string, token: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = http.get(
      `${base}/tasks/stream`,
      { headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' }, agent: false },
      (response) => {
        if (response.statusCode !== 200) {
          reject(new Error(`stream answered ${response.statusCode}`));
          return;
        }
        open += 1;
        resolve();
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          text += chunk;
          for (let end = text.indexOf('\n\n'); end >= 0; end = text.indexOf('\n\n')) {
            const block = text.slice(0, end);
            text = text.slice(end + 2);
            if (!measuring) continue;
            // The event's commit time, without parsing the whole event: the clients' CPU is the API's too here.
            const occurredAt = /"occurred_at": ?"([^"]+)"/.exec(block)?.[1];
            if (occurredAt) latencies.push(Date.now() - Date.parse(occurredAt));
          }
        });
        response.on('close', () => {
          open -= 1;
          if (measuring) errors += 1;
        });
      },
    );
    requests.add(request);
    request.on('close', () => requests.delete(request));
    request.on('error', reject);
  });
}

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;

type Command = OpenMessage | { kind: 'measure' } | { kind: 'report' } | { kind: 'close' } | { kind: 'stop' };

process.on('message', async (message: Command) => {
  if (message.kind === 'open') {
    // A few hundred at a time: a browser fleet does not connect in one instant either.
    for (let i = 0; i < message.tokens.length; i += 200)
      await Promise.all(message.tokens.slice(i, i + 200).map((token) => openStream(message.base, token)));
    process.send?.({ kind: 'opened', open });
  } else if (message.kind === 'measure') {
    latencies.length = 0;
    errors = 0;
    measuring = true;
  } else if (message.kind === 'close') {
    const closed = [...requests].map((request) => once(request, 'close'));
    for (const request of requests) request.destroy();
    await Promise.all(closed);
    process.send?.({ kind: 'closed', open });
  } else if (message.kind === 'stop') {
    process.exit(0);
  } else {
    measuring = false;
    const sorted = [...latencies].sort((a, b) => a - b);
    process.send?.({
      kind: 'report',
      events: sorted.length,
      p50: quantile(sorted, 0.5),
      p99: quantile(sorted, 0.99),
      max: sorted.at(-1) ?? 0,
      open,
      dropped: errors,
    });
  }
});
