/**
 * The registry of event consumers: the dispatcher gives each event to those
 * whose `types` name it. Adding a consumer is its own file beside this one
 * and its line here; adding an event type is its schema in the producing
 * module and a consumer that lists it (a type no consumer lists is skipped).
 */
import type { Mailer } from '../../infra/mail/mailer.ts';
import type { EventConsumer } from '../dispatcher.ts';
import { taskMailConsumer } from './task-mail.consumer.ts';

export interface ConsumerDeps {
  mailer: Mailer;
  /** The base of links to the web app (PUBLIC_URL). */
  publicUrl: string;
}

export function createConsumers(deps: ConsumerDeps): EventConsumer<never>[] {
  return [taskMailConsumer(deps)];
}
