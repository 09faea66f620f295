import { Type } from '@sinclair/typebox';
import { containsTemplate } from '../../engine/expressions/index.js';
import { defineNode, type Problem } from '../../engine/node-type.js';
import type { MailMessage } from './mail-port.js';

const Address = Type.String({ minLength: 1 });
/** One address, a comma-separated list (`"a@x.example, B <b@y.example>"`) or a list of them. */
const Addresses = Type.Union([Address, Type.Array(Address, { minItems: 1 })], { hint: 'must be an address or a list of addresses' });

export const EmailConfig = Type.Object({
  to: Addresses,
  cc: Type.Optional(Addresses),
  bcc: Type.Optional(Addresses),
  subject: Type.String(),
  text: Type.Optional(Type.String()),
  html: Type.Optional(Type.String()),
  /** Default: `smtp.from`, then `HOOKFLOW_SMTP_FROM`. */
  from: Type.Optional(Address),
  replyTo: Type.Optional(Address),
  /** This node's own server and sender, winning over `HOOKFLOW_SMTP_URL` / `_FROM`. */
  smtp: Type.Optional(
    Type.Object({ url: Type.Optional(Type.String({ minLength: 1 })), from: Type.Optional(Address) }, { additionalProperties: false }),
  ),
});

/**
 * Sends an e-mail through `ports.mail` (SMTP). Output: `{ messageId,
 * accepted, rejected }` as the server reported them.
 */
export const email = defineNode({
  type: 'email',
  description: 'Sends an e-mail over SMTP (to, cc, bcc, subject, text and/or HTML).',
  config: EmailConfig,
  check(fields): Problem[] {
    const url = fields.smtp?.url;
    if (url !== undefined && !containsTemplate(url) && !/^smtps?:\/\/[^/]/i.test(url)) {
      return [{ path: 'smtp.url', message: `"${redact(url)}" is not an smtp:// or smtps:// URL` }];
    }
    return [];
  },
  async run({ config, ports, signal }) {
    const message: MailMessage = {
      from: config.from,
      to: list(config.to),
      cc: list(config.cc),
      bcc: list(config.bcc),
      replyTo: config.replyTo,
      subject: config.subject,
      text: config.text,
      html: config.html,
    };
    const receipt = await ports.mail.send(message, { smtp: config.smtp, signal });
    return { output: { messageId: receipt.messageId, accepted: receipt.accepted, rejected: receipt.rejected } };
  },
});

function list(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** Validation messages are shown to whoever edits the workflow: no passwords. */
function redact(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//…@');
}
