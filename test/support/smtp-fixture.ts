/**
 * A real SMTP server for tests (the `smtp-server` package): keeps every
 * message it accepts, and can refuse the next n deliveries (a 451 to the
 * client) or all of them, as a failing mail server would.
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  to: string[];
  messageId: string | undefined;
  raw: string;
}

export interface SmtpFixture {
  url: string;
  received: ReceivedMail[];
  /** Delivery attempts, accepted or refused. */
  attempts: number;
  refuse(count: number | 'always'): void;
  /** Takes `ms` to accept each message from now on, as a loaded mail server would. */
  slowDown(ms: number): void;
  close(): Promise<void>;
}

export async function startSmtpFixture(): Promise<SmtpFixture> {
  let refusals: number | 'always' = 0;
  let acceptanceMs = 0;
  const fixture = {
    url: '',
    received: [] as ReceivedMail[],
    attempts: 0,
    refuse(count: number | 'always') {
      refusals = count;
    },
    slowDown(ms: number) {
      acceptanceMs = ms;
    },
    close: async () => {},
  };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      let raw = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        raw += chunk;
      });
      stream.on('end', () => {
        fixture.attempts += 1;
        if (refusals === 'always' || refusals > 0) {
          if (refusals !== 'always') refusals -= 1;
          const error = Object.assign(new Error('mailbox busy, try later'), { responseCode: 451 });
          return callback(error);
        }
        const messageId = /^Message-ID:\s*(\S+)/im.exec(raw)?.[1];
        const accept = () => {
          fixture.received.push({ to: session.envelope.rcptTo.map((rcpt) => rcpt.address), messageId, raw });
          callback();
        };
        if (acceptanceMs > 0) setTimeout(accept, acceptanceMs);
        else accept();
      });
    },
  });
  // A client that vanishes mid-session (a worker killed by a fault test) is emitted as an
  // 'error' (ECONNRESET) on the server: without a listener it would crash the test process.
  server.on('error', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  fixture.url = `smtp://127.0.0.1:${port}?ignoreTLS=true`;
  fixture.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return fixture;
}
