import nodemailer from 'nodemailer';
import { HookflowError, PermanentFailure } from '../../shared/errors.js';
import type { MailPort, MailReceipt } from './mail-port.js';

export interface SmtpMailPortOptions {
  /** `HOOKFLOW_SMTP_URL`: `smtp://host:587`, `smtps://user:pass@host:465`. */
  url?: string | undefined;
  /** `HOOKFLOW_SMTP_FROM`. */
  from?: string | undefined;
}

/**
 * nodemailer's defaults wait up to 2 min to connect and 10 min on a silent
 * socket; a node should fail (and maybe retry) well before that.
 */
const TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 60_000 };

type Transport = ReturnType<typeof nodemailer.createTransport>;

/** The real {@link MailPort}: one nodemailer SMTP transport per server URL, a connection per message. */
export function createSmtpMailPort(options: SmtpMailPortOptions = {}): MailPort {
  let defaultTransport: Transport | undefined;
  const transportFor = (url: string): Transport =>
    url === options.url ? (defaultTransport ??= create(url)) : create(url);
  return {
    async send(message, { smtp, signal }): Promise<MailReceipt> {
      const url = smtp?.url ?? options.url;
      if (url === undefined) {
        throw new PermanentFailure('node_failed', 'no SMTP server: set HOOKFLOW_SMTP_URL or the node\'s smtp.url');
      }
      const from = message.from ?? smtp?.from ?? options.from;
      if (from === undefined) {
        throw new PermanentFailure('node_failed', 'no sender: set the node\'s from (or smtp.from) or HOOKFLOW_SMTP_FROM');
      }
      const server = describeServer(url);
      try {
        const info = await transportFor(url).sendMail({ ...message, from, signal });
        return { messageId: info.messageId, accepted: info.accepted.map(String), rejected: info.rejected.map(String) };
      } catch (cause) {
        throw classify(cause, server);
      }
    },
  };
}

function create(url: string): Transport {
  try {
    return nodemailer.createTransport({ url, ...TIMEOUTS });
  } catch (cause) {
    throw new PermanentFailure('node_failed', `the SMTP URL ${describeServer(url)} is not usable`, { cause });
  }
}

/** `smtp://host:port`, never the credentials a URL may hold. */
function describeServer(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}`;
  } catch {
    return '(unparseable URL)';
  }
}

/**
 * RFC 5321 §4.2.1: a 5yz reply is permanent — sending the same message again
 * gets the same answer (nodemailer marks those `permanent`). A failed login
 * does not heal by itself either. Connection errors and 4yz replies may pass.
 */
function classify(cause: unknown, server: string): HookflowError {
  const err = cause as { message?: string; code?: string; permanent?: boolean; responseCode?: number };
  const message = `sending through ${server} failed: ${err.message ?? String(cause)}`;
  const details = err.responseCode === undefined ? undefined : { responseCode: err.responseCode };
  const permanent = err.permanent === true || err.code === 'EAUTH';
  return permanent ? new PermanentFailure('node_failed', message, { cause, details }) : new HookflowError('node_failed', message, { cause, details });
}
