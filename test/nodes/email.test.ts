import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { validateDefinition } from '../../src/engine/validate.js';
import { createSmtpMailPort, type SmtpMailPortOptions } from '../../src/nodes/email/smtp-mail-port.js';
import { createDefaultRegistry } from '../../src/nodes/index.js';
import { definition, fakePorts, runNodes } from '../engine/harness.js';

interface Received {
  mailFrom: string;
  rcptTo: string[];
  raw: string;
}

let received: Received[] = [];
let server: SMTPServer;
let smtpUrl: string;
let closedUrl: string;

beforeAll(async () => {
  server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, _session, callback) {
      if (address.address.startsWith('reject')) callback(Object.assign(new Error('5.1.1 no such mailbox'), { responseCode: 550 }));
      else callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const envelope = session.envelope;
        received.push({
          mailFrom: envelope.mailFrom === false ? '' : envelope.mailFrom.address,
          rcptTo: envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  smtpUrl = `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
  // A port nothing listens on: connections are refused.
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  closedUrl = `smtp://127.0.0.1:${(closed.address() as AddressInfo).port}`;
  await new Promise((resolve) => closed.close(resolve));
});

afterAll(() => new Promise<void>((resolve) => server.close(resolve)));
beforeEach(() => {
  received = [];
});

const send = (fields: Record<string, unknown>, port: SmtpMailPortOptions, data: Record<string, unknown> = {}) =>
  runNodes([{ key: 'mail', type: 'email', ...fields }], { ports: fakePorts({ mail: createSmtpMailPort(port) }), context: { data } });

/** The header block of a raw message, unfolded. */
const headersOf = (raw: string) => raw.split('\r\n\r\n')[0]!.replace(/\r\n[ \t]+/g, ' ');

describe('email node against a real SMTP server', () => {
  it('delivers to, cc and bcc with subject, text and HTML (HOOKFLOW_SMTP_URL and _FROM)', async () => {
    const { outcome, job } = await send(
      {
        to: '{{ $context.data.email }}', cc: ['cc1@example.com', 'cc2@example.com'], bcc: 'hidden@example.com',
        subject: 'Order {{ $context.data.id }} received', text: 'Thanks for order {{ $context.data.id }}.', html: '<p>Thanks for order <b>{{ $context.data.id }}</b>.</p>',
      },
      { url: smtpUrl, from: 'Hookflow <hooks@example.com>' },
      { email: 'buyer@example.com', id: 42 },
    );
    expect(outcome).toEqual({ status: 'succeeded' });
    expect(received).toHaveLength(1);
    const [mail] = received as [Received];
    expect(mail.mailFrom).toBe('hooks@example.com');
    expect(mail.rcptTo).toEqual(['buyer@example.com', 'cc1@example.com', 'cc2@example.com', 'hidden@example.com']);
    const headers = headersOf(mail.raw);
    expect(headers).toMatch(/^From: Hookflow <hooks@example\.com>$/m);
    expect(headers).toMatch(/^To: buyer@example\.com$/m);
    expect(headers).toMatch(/^Cc: cc1@example\.com, cc2@example\.com$/m);
    expect(headers).toMatch(/^Subject: Order 42 received$/m);
    expect(headers).not.toMatch(/hidden@example\.com/);
    expect(headers).toMatch(/^Content-Type: multipart\/alternative;/m);
    expect(mail.raw).toMatch(/Content-Type: text\/plain[^\r]*\r\n(.+\r\n)*\r\nThanks for order 42\./);
    expect(mail.raw).toMatch(/Content-Type: text\/html[^\r]*\r\n(.+\r\n)*\r\n<p>Thanks for order <b>42<\/b>\.<\/p>/);
    const output = job('mail').output as { messageId: string };
    expect(output).toEqual({ messageId: expect.stringMatching(/^<.+>$/), accepted: mail.rcptTo, rejected: [] });
    expect(headers).toContain(`Message-ID: ${output.messageId}`);
  });

  it('lets the node\'s smtp settings, then its from, win over the defaults', async () => {
    const viaNode = await send(
      { to: 'a@example.com', subject: 's', text: 't', smtp: { url: smtpUrl, from: 'node@example.com' } },
      { url: closedUrl, from: 'default@example.com' },
    );
    expect(viaNode.outcome).toEqual({ status: 'succeeded' });
    expect(received[0]?.mailFrom).toBe('node@example.com');
    await send({ to: 'a@example.com', subject: 's', text: 't', from: 'Me <me@example.com>', replyTo: 'desk@example.com', smtp: { from: 'node@example.com' } }, { url: smtpUrl });
    expect(received[1]?.mailFrom).toBe('me@example.com');
    expect(headersOf(received[1]!.raw)).toMatch(/^Reply-To: desk@example\.com$/m);
  });

  it('reports recipients the server rejected when it took the message for others', async () => {
    const { job } = await send({ to: ['ok@example.com', 'reject@example.com'], subject: 's', text: 't' }, { url: smtpUrl, from: 'h@example.com' });
    expect(job('mail').output).toMatchObject({ accepted: ['ok@example.com'], rejected: ['reject@example.com'] });
    expect(received[0]?.rcptTo).toEqual(['ok@example.com']);
  });

  it('fails without retrying when every recipient is rejected (5xx)', async () => {
    const { outcome, job } = await send({ to: 'reject@example.com', subject: 's', text: 't', retry: { max: 2, backoffMs: 1 } }, { url: smtpUrl, from: 'h@example.com' });
    expect(outcome).toMatchObject({ status: 'failed', error: { code: 'node_failed', message: expect.stringMatching(/^sending through smtp:\/\/127\.0\.0\.1:\d+ failed: .*550/) } });
    expect(job('mail').attempts).toBe(1);
    expect(received).toEqual([]);
  });

  it('retries when the server cannot be reached, and never shows credentials', async () => {
    const { outcome, job } = await send({ to: 'a@example.com', subject: 's', text: 't', retry: { max: 1, backoffMs: 1 } }, { url: closedUrl.replace('//', '//user:secret@'), from: 'h@example.com' });
    expect(outcome).toMatchObject({ status: 'failed', error: { message: expect.stringContaining(`sending through ${closedUrl} failed`) } });
    expect(JSON.stringify(outcome)).not.toContain('secret');
    expect(job('mail').attempts).toBe(2);
  });

  it('fails clearly when no server or sender is configured', async () => {
    const noServer = await send({ to: 'a@example.com', subject: 's', text: 't', retry: { max: 2 } }, {});
    expect(noServer.outcome).toMatchObject({ status: 'failed', error: { message: 'no SMTP server: set HOOKFLOW_SMTP_URL or the node\'s smtp.url' } });
    expect(noServer.job('mail').attempts).toBe(1);
    const noSender = await send({ to: 'a@example.com', subject: 's', text: 't' }, { url: smtpUrl });
    expect(noSender.outcome).toMatchObject({ status: 'failed', error: { message: expect.stringContaining('no sender') } });
  });

  it('validates addresses and the smtp URL when saved', () => {
    const problems = (fields: Record<string, unknown>) => {
      const result = validateDefinition(definition([{ key: 'mail', type: 'email', subject: 's', ...fields }]), createDefaultRegistry());
      return result.ok ? [] : result.problems;
    };
    expect(problems({ to: [] })).toEqual([{ path: 'nodes[0].to', message: expect.any(String) }]);
    expect(problems({ to: 'a@example.com', smtp: { url: 'http://user:pw@mail.example' } })).toEqual([
      { path: 'nodes[0].smtp.url', message: '"http://…@mail.example" is not an smtp:// or smtps:// URL' },
    ]);
  });
});
