/**
 * Cache generations shared by the worker processes of one `npm start`
 * through the cluster primary, for when no Redis is configured and no other
 * instance writes to the database (the embedded start). Reads cost nothing:
 * each worker holds the current mark in memory. A write pays instead: the
 * primary opens the new generation, sends it to every worker, and answers
 * the writer only once all of them have applied it, so the next read on any
 * worker already uses it (read-your-writes without a round trip per read).
 */
import cluster, { type Worker } from 'node:cluster';
import { type Lsn, lsnFromHex, lsnToHex } from '../db/lsn.ts';
import type { GenerationStore, WriteMark } from './cache-store.ts';

const TOPIC = 'tasks:cache-generation';
/** A worker that has not applied a new generation by then is stuck: the write then counts as unsettled. */
const ADVANCE_TIMEOUT_MS = 2_000;

/** Worker → primary */
type Request =
  | { topic: typeof TOPIC; kind: 'hello' }
  | { topic: typeof TOPIC; kind: 'advance'; id: number; lsn: string }
  | { topic: typeof TOPIC; kind: 'applied'; seq: number };
/** Primary → worker */
type Notice =
  | { topic: typeof TOPIC; kind: 'mark'; seq: number; generation: number; lsn: string }
  | { topic: typeof TOPIC; kind: 'advanced'; id: number };

const isOurs = (message: unknown): message is Request & Notice =>
  typeof message === 'object' && message !== null && (message as { topic?: unknown }).topic === TOPIC;

/** In the cluster primary: owns the mark, and answers an advance once every registered worker applied it. */
export function coordinateCacheGenerations(): void {
  let generation = 1;
  let writeLsn: Lsn = 0n;
  let seq = 0;
  const registered = new Set<number>();
  const pending = new Map<number, { waiting: Set<number>; writer: Worker; id: number }>();
  const markNotice = (forSeq: number): Notice => ({
    topic: TOPIC,
    kind: 'mark',
    seq: forSeq,
    generation,
    lsn: lsnToHex(writeLsn),
  });
  const settle = (workerId: number, seqs: Iterable<number>) => {
    for (const key of seqs) {
      const advance = pending.get(key);
      if (!advance) continue;
      advance.waiting.delete(workerId);
      if (advance.waiting.size > 0) continue;
      pending.delete(key);
      if (advance.writer.isConnected())
        advance.writer.send({ topic: TOPIC, kind: 'advanced', id: advance.id });
    }
  };

  cluster.on('message', (worker, message: unknown) => {
    if (!isOurs(message)) return;
    const request = message as Request;
    if (request.kind === 'hello') {
      registered.add(worker.id);
      worker.send(markNotice(0));
    } else if (request.kind === 'advance') {
      generation += 1;
      seq += 1;
      const lsn = lsnFromHex(request.lsn);
      if (lsn > writeLsn) writeLsn = lsn;
      pending.set(seq, { waiting: new Set(registered), writer: worker, id: request.id });
      const notice = markNotice(seq);
      for (const id of registered) cluster.workers?.[id]?.send(notice);
    } else {
      settle(worker.id, [request.seq]);
    }
  });
  // A worker that exits will never apply anything: nobody waits for it.
  cluster.on('exit', (worker) => {
    registered.delete(worker.id);
    settle(worker.id, [...pending.keys()]);
  });
}

/** In a worker process: the mark held in memory, kept current by the primary. */
export class ClusterGenerationStore implements GenerationStore {
  private mark: WriteMark = { generation: 0, writeLsn: 0n };
  private readonly known: Promise<void>;
  private nextId = 0;
  private readonly waiting = new Map<number, () => void>();

  constructor() {
    if (!process.send) throw new Error('ClusterGenerationStore runs only in a cluster worker process');
    let learned: () => void = () => {};
    this.known = new Promise((resolve) => (learned = resolve));
    process.on('message', (message: unknown) => {
      if (!isOurs(message)) return;
      const notice = message as Notice;
      if (notice.kind === 'advanced') {
        this.waiting.get(notice.id)?.();
        return;
      }
      if (notice.generation > this.mark.generation) {
        this.mark = { generation: notice.generation, writeLsn: lsnFromHex(notice.lsn) };
      }
      learned();
      if (notice.seq > 0) this.send({ topic: TOPIC, kind: 'applied', seq: notice.seq });
    });
    this.send({ topic: TOPIC, kind: 'hello' });
  }

  async current(): Promise<WriteMark> {
    await this.known;
    return this.mark;
  }

  advance(writeLsn: Lsn): Promise<void> {
    this.nextId += 1;
    const id = this.nextId;
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(
          new Error(`the workers did not all apply a new cache generation within ${ADVANCE_TIMEOUT_MS} ms`),
        );
      }, ADVANCE_TIMEOUT_MS);
      this.waiting.set(id, () => {
        clearTimeout(timer);
        this.waiting.delete(id);
        resolve();
      });
      this.send({ topic: TOPIC, kind: 'advance', id, lsn: lsnToHex(writeLsn) });
    });
  }

  private send(request: Request): void {
    process.send?.(request);
  }
}
