/**
 * The one interface of the background wing's transport: RabbitMQ with
 * AMQP_URL, the PostgreSQL queue without (create-transport.ts chooses).
 * Both keep the same rules: the relay's publish resolves only once every
 * event is durably queued; a message is settled only once its outcome is
 * safe (handled, or rescheduled for a retry, or dead-lettered after
 * MAX_ATTEMPTS); dead letters are reviewed with the same operations.
 */
import type { HandleEvent, HandlingOutcome } from './dispatcher.ts';
import type { EventPublisher } from './outbox-relay.ts';

/** What happened to one delivered message (the worker's metric label). */
export type MessageOutcome = HandlingOutcome | 'retried' | 'dead_lettered';

export interface DeliveryHooks {
  /** Each settled message's outcome and handling time (metrics). */
  onHandled?: (outcome: MessageOutcome, seconds: number) => void;
}

export interface DeadLetter {
  eventId: string | undefined;
  taskId: string | undefined;
  attempts: unknown;
  lastError: unknown;
  failedAt: unknown;
  requestId: unknown;
  body: unknown;
}

/** Manual review of dead letters, wherever they are kept. */
export interface DeadLetterReview {
  list(): Promise<DeadLetter[]>;
  /** Replays the dead letters of one event (or all when `eventId` is undefined); returns how many. */
  replay(eventId?: string): Promise<number>;
  purge(): Promise<number>;
}

export interface EventTransport {
  /** For the log: where events travel. */
  readonly description: string;
  /** What the outbox relay publishes into. */
  readonly publisher: EventPublisher;
  /**
   * Resolves once everything the transport needs exists (RabbitMQ: the main
   * queue, its retry queues and the dead-letter queue), declared idempotently
   * at start and again after each reconnect, before any message has failed.
   */
  readonly ready: Promise<void>;
  /** Starts delivering messages to `handle`, as many at once as the transport allows. */
  consume(handle: HandleEvent, hooks?: DeliveryHooks): void;
  readonly deadLetters: DeadLetterReview;
  /** Stops consuming (messages in hand finish or are redelivered later), then closes connections. */
  close(): Promise<void>;
}
