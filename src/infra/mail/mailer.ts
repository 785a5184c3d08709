/**
 * Outgoing e-mail through nodemailer: SMTP when SMTP_URL is set, otherwise
 * each message written as an `.eml` file under DATA_DIR/mail (the embedded
 * default), so the whole flow is visible without a mail server.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import nodemailer from 'nodemailer';

export interface Mail {
  /** RFC 5322 Message-ID, derived from the event: a resend is recognisable as the same message. */
  messageId: string;
  to: string;
  subject: string;
  text: string;
  /** The same content as HTML (values escaped by whoever renders it). */
  html?: string;
}

export interface Mailer {
  send(mail: Mail): Promise<void>;
  close(): void;
}

export function createMailer(options: {
  smtpUrl: string | undefined;
  from: string;
  dataDir: string;
}): Mailer {
  if (options.smtpUrl) {
    const transport = nodemailer.createTransport(options.smtpUrl);
    return {
      async send(mail) {
        await transport.sendMail({ from: options.from, ...mail });
      },
      close: () => transport.close(),
    };
  }
  const folder = path.join(options.dataDir, 'mail');
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    async send(mail) {
      const { message } = await transport.sendMail({ from: options.from, ...mail });
      await mkdir(folder, { recursive: true });
      const name = mail.messageId.replace(/[^A-Za-z0-9.@_-]/g, '');
      await writeFile(path.join(folder, `${name}.eml`), message as Buffer);
    },
    close: () => transport.close(),
  };
}
