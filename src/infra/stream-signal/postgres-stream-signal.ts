/**
 * Stream announcements over PostgreSQL LISTEN/NOTIFY, on a dedicated
 * session connection (LISTEN does not survive a transaction-mode pooler).
 * A lost connection is reopened after a pause; each (re)connection tells
 * the hub to catch up on what it missed meanwhile.
 */
import pg from 'pg';
import type { StreamSignal, StreamSignalListener } from './stream-signal.ts';

const RECONNECT_MS = 1_000;

export class PostgresStreamSignal implements StreamSignal {
  private notifier: pg.Pool | undefined;
  private client: pg.Client | undefined;
  private listener: StreamSignalListener | undefined;
  private readonly lost = new WeakSet<pg.Client>();
  private closed = false;
  private reconnect: NodeJS.Timeout | undefined;

  constructor(
    private readonly url: string,
    private readonly channel: string,
    private readonly onError: (error: unknown) => void,
  ) {}

  async announce(position: number): Promise<void> {
    if (!this.notifier) {
      this.notifier = new pg.Pool({
        connectionString: this.url,
        max: 1,
        application_name: 'tasks-stream-signal',
      });
      // An idle connection the database ends (a restart) is an 'error' on the pool: without a
      // listener it crashed the process. The next announcement opens a new one.
      this.notifier.on('error', (error) => this.onError(error));
    }
    await this.notifier.query('SELECT pg_notify($1, $2)', [this.channel, String(position)]);
  }

  async listen(listener: StreamSignalListener): Promise<void> {
    this.listener = listener;
    await this.open();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.reconnect);
    await Promise.all([this.client?.end().catch(() => {}), this.notifier?.end()]);
  }

  private async open(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url, application_name: 'tasks-stream-listener' });
    this.client = client;
    client.on('notification', (message) => this.listener?.onPosition(Number(message.payload)));
    client.on('error', (error) => this.connectionLost(client, error));
    client.on('end', () => this.connectionLost(client, new Error('stream listener connection ended')));
    try {
      await client.connect();
      await client.query(`LISTEN ${this.channel}`);
    } catch (error) {
      this.connectionLost(client, error);
      throw error;
    }
    this.listener?.onConnected();
  }

  private connectionLost(client: pg.Client, error: unknown): void {
    if (this.closed || this.lost.has(client)) return;
    this.lost.add(client);
    this.onError(error);
    void client.end().catch(() => {});
    this.reconnect = setTimeout(() => void this.open().catch(() => {}), RECONNECT_MS);
  }
}
