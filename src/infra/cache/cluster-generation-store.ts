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
import type { ClientMark, GenerationStore, WriteMark } from './cache-store.ts';

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

/**
 * In the cluster primary: owns the mark, and answers an advance once every
 * registered worker applied it. `advance` opens a generation for a write
 * made elsewhere (an outside write: nobody waits for it).
 */
export function coordinateCacheGenerations(): { advance(writeLsn: Lsn): void } {
  let generation = 1;
  let writeLsn: Lsn = 0n;
  let seq = 0;
  const registered = new Set<number>();
  const pending = new Map<number, { waiting: Set<number>; writer: Worker; id: number }>();
  /** Opens a generation and sends it to every worker; `writer` is answered once all applied it. */
  const open = (lsn: Lsn, writer?: { worker: Worker; id: number }) => {
    generation += 1;
    seq += 1;
    if (lsn > writeLsn) writeLsn = lsn;
    if (writer) pending.set(seq, { waiting: new Set(registered), writer: writer.worker, id: writer.id });
    const notice = markNotice(seq);
    for (const id of registered) cluster.workers?.[id]?.send(notice);
  };
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
      open(lsnFromHex(request.lsn), { worker, id: request.id });
    } else {
      settle(worker.id, [request.seq]);
    }
  });
  // A worker that exits will never apply anything: nobody waits for it.
  cluster.on('exit', (worker) => {
    registered.delete(worker.id);
    settle(worker.id, [...pending.keys()]);
  });
  return { advance: (lsn) => open(lsn) };
}

/** In a worker process: the mark held in memory, kept current by the primary. */
export class ClusterGenerationStore implements GenerationStore {
  private mark: WriteMark = { generation: 0, writeLsn: 0n };
  private readonly known: Promise<void>;
  private nextId = 0;
  private readonly waiting = new Map<number, () => void>();
  /** The advance the writes of this turn of the event loop share, not sent yet. */
  private batch: { lsn: Lsn; applied: Promise<void> } | undefined;

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

  /**
   * Every client counts as having seen the newest write: the embedded start this store is
   * for has no replica, so no read is sent elsewhere by it (docs/read-path.md).
   */
  async current(): Promise<ClientMark> {
    await this.known;
    return { ...this.mark, clientLsn: this.mark.writeLsn };
  }

  async recordSeen(): Promise<void> {}

  /**
   * The writes that commit in one turn of the event loop (a batch of creates
   * ends in the same turn) share one new generation, opened at the newest of
   * their positions once the turn is over: one exchange with the primary
   * instead of one per write (each is a message to the primary, one to and
   * from every worker, and the answer). Every one of them committed before
   * the generation opens, as each alone required.
   */
  advance(writeLsn: Lsn): Promise<void> {
    if (this.batch) {
      if (writeLsn > this.batch.lsn) this.batch.lsn = writeLsn;
      return this.batch.applied;
    }
    const batch: { lsn: Lsn; applied: Promise<void> } = { lsn: writeLsn, applied: Promise.resolve() };
    batch.applied = new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
      this.batch = undefined;
      return this.openGeneration(batch.lsn);
    });
    this.batch = batch;
    return batch.applied;
  }

  private openGeneration(writeLsn: Lsn): Promise<void> {
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
