/** The transport the configuration asks for: RabbitMQ with AMQP_URL, else the PostgreSQL queue. */
import type { Config } from '../config/config.ts';
import type { Database } from '../infra/db/database.ts';
import { postgresTransport } from './postgres/postgres-transport.ts';
import { rabbitTransport } from './rabbitmq/rabbitmq-transport.ts';
import type { EventTransport } from './transport.ts';

export function createTransport(
  config: Pick<Config, 'amqp' | 'retryBaseMs'>,
  db: Pick<Database, 'primary' | 'transaction'>,
  onError: (error: unknown) => void,
): EventTransport {
  const { retryBaseMs } = config;
  return config.amqp.url
    ? rabbitTransport({ url: config.amqp.url, queue: config.amqp.queue, retryBaseMs, onError })
    : postgresTransport(db, { retryBaseMs, onError });
}
