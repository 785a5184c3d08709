/**
 * Dispatches one delivered event, whichever transport delivered it, to the
 * consumers registered for its type (consumers/index.ts). A type no consumer
 * takes is skipped: acknowledged and counted, never dead-lettered (so is an
 * event that every consumer of its type declines: `accepts`); a message with
 * no type at all is not an event, and is dead-lettered at once. For each
 * consumer that takes it, the event is validated against the consumer's
 * contract (a broken one is dead-lettered at once: no retry can mend it),
 * then claimed in `processed_events` under the consumer's name and handled
 * in that same transaction: an event already handled by that consumer does
 * nothing again, and two deliveries handled at once cannot both act (the
 * second waits on the first's uncommitted claim, then finds it). A failure
 * rolls the claim back; the event is tried again (MAX_ATTEMPTS in all) and
 * consumers that already handled it find their claims and skip.
 */
import type { Logger } from 'pino';
import type { TSchema } from 'typebox';
import { createAjv } from '../http/validator-compiler.ts';
import type { Database, Queryable } from '../infra/db/database.ts';
import { MAX_ATTEMPTS } from './retry-policy.ts';

export interface ConsumerContext {
  /** The transaction holding the consumer's claim: commits with the handling. */
  client: Queryable;
  log: Logger;
}

/** One consumer of events: one file under consumers/, listed in consumers/index.ts. */
export interface EventConsumer<E = unknown> {
  /** Unique and stable: it keys the consumer's claims in `processed_events`. */
  name: string;
  /** The event types it takes; any other type never reaches it. */
  types: readonly string[];
  /** The contract of those events: validated before `handle`. */
  schema: TSchema;
  /** Whether this event (valid) concerns it at all; one it declines is not claimed. Default: yes. */
  accepts?(event: E): boolean;
  handle(event: E, context: ConsumerContext): Promise<void>;
}

export type HandlingOutcome = 'processed' | 'duplicate' | 'skipped';

export type HandlingResult =
  | { outcome: HandlingOutcome }
  /** `final`: no attempt left (or a message that can never succeed): dead-letter it. */
  | { outcome: 'failed'; reason: string; final: boolean };

export type HandleEvent = (event: unknown, attempt: number, requestId: unknown) => Promise<HandlingResult>;

const typeOf = (event: unknown) =>
  typeof event === 'object' && event !== null && typeof (event as { type?: unknown }).type === 'string'
    ? (event as { type: string }).type
    : undefined;

export function createDispatcher(deps: {
  db: Pick<Database, 'transaction'>;
  consumers: readonly EventConsumer<never>[];
  log: Logger;
}): HandleEvent {
  const { db, log } = deps;
  // One validator each: consumers may share a contract, and a schema's $id is unique per Ajv.
  const registered = deps.consumers.map((consumer) => ({
    consumer: consumer as unknown as EventConsumer,
    isValid: createAjv().compile(consumer.schema),
  }));

  /** Claims and handles; false when this consumer had already handled the event. */
  const claimAndHandle = async (consumer: EventConsumer, event: { event_id: string }, eventLog: Logger) => {
    const { result } = await db.transaction(async (client) => {
      const claim = await client.query(
        'INSERT INTO processed_events (event_id, consumer) VALUES ($1, $2) ON CONFLICT DO NOTHING',
        [event.event_id, consumer.name],
      );
      if (claim.rowCount !== 1) return false;
      await consumer.handle(event, { client, log: eventLog });
      return true;
    });
    return result;
  };

  return async function handle(event, attempt, requestId) {
    const type = typeOf(event);
    if (type === undefined) {
      // Not an event at all (no type): no consumer could ever take it; someone should look at it.
      const reason = `not a task event (no type): ${JSON.stringify(event)?.slice(0, 200)}`;
      log.error({ reqId: requestId, reason }, 'message is not an event: dead-lettered');
      return { outcome: 'failed', reason, final: true };
    }
    const takers = registered.filter(({ consumer }) => consumer.types.includes(type));
    if (takers.length === 0) {
      log.debug({ reqId: requestId, type }, 'no consumer takes this event type: skipped');
      return { outcome: 'skipped' };
    }
    for (const { consumer, isValid } of takers) {
      if (isValid(event)) continue;
      const reason = `${type} breaks the contract of ${consumer.name}: ${JSON.stringify(isValid.errors)}`;
      log.error({ reqId: requestId, reason }, 'event breaks its contract: dead-lettered');
      return { outcome: 'failed', reason, final: true };
    }
    const valid = event as { event_id: string };
    const concerned = takers.filter(({ consumer }) => consumer.accepts?.(valid) ?? true);
    if (concerned.length === 0) return { outcome: 'skipped' };
    const eventLog = log.child({ eventId: valid.event_id, reqId: requestId, attempt });
    let handled = 0;
    for (const { consumer } of concerned) {
      const consumerLog = eventLog.child({ consumer: consumer.name });
      try {
        if (await claimAndHandle(consumer, valid, consumerLog)) handled += 1;
        else consumerLog.info('event already handled: nothing done again');
      } catch (error) {
        const final = attempt >= MAX_ATTEMPTS;
        if (final) consumerLog.error({ err: error }, `failed ${MAX_ATTEMPTS} times: dead-lettered`);
        else consumerLog.warn({ err: error }, 'failed; will retry');
        return { outcome: 'failed', reason: (error as Error).message ?? String(error), final };
      }
    }
    return { outcome: handled > 0 ? 'processed' : 'duplicate' };
  };
}
