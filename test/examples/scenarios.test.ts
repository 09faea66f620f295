/**
 * The two ready workflows of `examples/`, end to end as the README tells a
 * user to run them: imported with the real CLI into the store, served by a
 * real server, called over HTTP, talking to a real SMTP server and real HTTP
 * peers (the deploy hook and Slack) on loopback.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpPeer, type HttpPeer } from '../helpers/http-peer.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { createTestStore, storeKinds, type TestStore } from '../helpers/stores.js';
import { githubHeaders } from '../verify/sign.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const run = promisify(execFile);

/** `hookflow import FILE` as a user runs it, against the test store's database. */
async function cliImport(testStore: TestStore, file: string): Promise<string> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', path.join(root, 'src/cli/main.ts'), 'import', file], {
    cwd: root,
    // DATABASE_URL '' first: a SQLite test store must not inherit one from the shell.
    env: { ...process.env, DATABASE_URL: '', LOG_LEVEL: 'warn', ...testStore.env },
    timeout: 60_000,
  });
  return stdout;
}

interface Mail {
  mailFrom: string;
  rcptTo: string[];
  headers: string;
  text: string;
}

/** Header block unfolded; body decoded from quoted-printable when the message says so. */
function parseMail(raw: string, mailFrom: string, rcptTo: string[]): Mail {
  const split = raw.indexOf('\r\n\r\n');
  const headers = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ');
  let text = raw.slice(split + 4);
  if (/^Content-Transfer-Encoding: quoted-printable$/im.test(headers)) {
    text = Buffer.from(
      text.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))),
      'latin1',
    ).toString('utf8');
  }
  return { mailFrom, rcptTo, headers, text: text.replace(/\r\n/g, '\n') };
}

const header = (mail: Mail, name: string) => new RegExp(`^${name}: (.*)$`, 'im').exec(mail.headers)?.[1];

const GITHUB_SECRET = 'gh-webhook-secret-for-tests';

describe.each(storeKinds)('the two example workflows (%s)', (kind) => {
  let server: TestServer;
  let smtp: SMTPServer;
  let deployPeer: HttpPeer;
  let slackPeer: HttpPeer;
  const mails: Mail[] = [];
  const imported: string[] = [];

  beforeAll(async () => {
    const testStore = await createTestStore(kind);
    for (const file of ['examples/form-submission.yaml', 'examples/github-push.yaml']) imported.push(await cliImport(testStore, file));

    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const { mailFrom, rcptTo } = session.envelope;
          mails.push(parseMail(Buffer.concat(chunks).toString('utf8'), mailFrom === false ? '' : mailFrom.address, rcptTo.map((r) => r.address)));
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    const smtpPort = (smtp.server.address() as AddressInfo).port;

    deployPeer = await startHttpPeer(() => ({ status: 201, headers: { 'content-type': 'application/json' }, body: '{"deployment":"dep_1"}' }));
    // Slack's incoming webhooks answer a plain `ok`.
    slackPeer = await startHttpPeer(() => ({ status: 200, headers: { 'content-type': 'text/plain' }, body: 'ok' }));

    server = await startTestServer(kind, { smtpUrl: `smtp://127.0.0.1:${smtpPort}`, smtpFrom: 'Acme Sales <sales@example.com>' }, { testStore });

    // The setup the examples' headers and the README describe.
    const collection = JSON.parse(readFileSync(path.join(root, 'examples/customers.collection.json'), 'utf8')) as unknown;
    expect((await server.api('POST', '/api/collections', collection)).status).toBe(201);
    const secrets = {
      GITHUB_WEBHOOK_SECRET: GITHUB_SECRET,
      DEPLOY_URL: `${deployPeer.url}/hooks/deploy`,
      SLACK_WEBHOOK_URL: `${slackPeer.url}/services/T000/B000/XXXX`,
    };
    for (const [name, value] of Object.entries(secrets)) {
      expect((await server.api('PUT', `/api/secrets/${name}`, { value })).status).toBe(204);
    }
  }, 90_000);

  afterAll(async () => {
    await server?.stop();
    await deployPeer?.close();
    await slackPeer?.close();
    if (smtp) await new Promise<void>((resolve) => smtp.close(resolve));
  });

  it('imports both files with the CLI, which prints their webhook URLs', () => {
    expect(imported[0]).toMatch(/^imported "Form submission → customer" as \S+ \(version 1\)$/m);
    expect(imported[0]).toMatch(/^webhook: http:\/\/localhost:3000\/api\/webhooks\/forms\/:formId$/m);
    expect(imported[1]).toMatch(/^imported "GitHub push → deploy main" as \S+ \(version 1\)$/m);
    expect(imported[1]).toMatch(/^webhook: http:\/\/localhost:3000\/api\/webhooks\/github\/push$/m);
  });

  describe('form submission', () => {
    const records = async (): Promise<any[]> => {
      const { status, body } = await server.api('GET', '/api/collections/customers/records?limit=500');
      expect(status).toBe(200);
      return body.items;
    };
    const postJson = (formId: string, data: unknown) =>
      server.call('POST', `/api/webhooks/forms/${formId}`, { body: JSON.stringify(data), headers: { 'content-type': 'application/json' } });
    const postForm = (formId: string, fields: Record<string, string>, headers: Record<string, string> = {}) =>
      server.call('POST', `/api/webhooks/forms/${formId}`, {
        body: new URLSearchParams(fields).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      });

    let adaId: string;

    it('urlencoded, with an address: creates the customer, routes by region, mails a confirmation', async () => {
      const mailsBefore = mails.length;
      const response = await postForm('contact', {
        name: '  Ada Lovelace ',
        email: ' Ada@Example.com ',
        phone: '+44 20 7946 0000',
        company: 'Analytical Engines Ltd',
        region: 'EMEA',
        message: 'Please call me about the trial.',
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('access-control-allow-origin')).toBe('*');
      const answer = await response.json();
      expect(answer).toEqual({ ok: true, reference: expect.any(String), confirmationSent: true });
      adaId = answer.reference;

      const ada = (await records()).find((r) => r.id === adaId);
      expect(ada).toMatchObject({
        email: 'ada@example.com',
        name: 'Ada Lovelace',
        phone: '+44 20 7946 0000',
        company: 'Analytical Engines Ltd',
        region: 'emea',
        interest: null,
        message: 'Please call me about the trial.',
        formId: 'contact',
        owner: 'emil@example.com',
        submissions: 1,
        lastSubmittedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      });

      // The mail is accepted by the SMTP server before the form is answered.
      expect(mails).toHaveLength(mailsBefore + 1);
      const mail = mails.at(-1)!;
      expect(mail.mailFrom).toBe('sales@example.com');
      // The owner gets a blind copy: an envelope recipient, in no header.
      expect(mail.rcptTo).toEqual(['ada@example.com', 'emil@example.com']);
      expect(header(mail, 'From')).toBe('Acme Sales <sales@example.com>');
      expect(header(mail, 'To')).toBe('ada@example.com');
      expect(header(mail, 'Reply-To')).toBe('emil@example.com');
      expect(header(mail, 'Bcc')).toBeUndefined();
      expect(header(mail, 'Subject')).toBe('We received your request, Ada Lovelace');
      expect(mail.text).toBe(
        'Hello Ada Lovelace,\n\n' +
          'thank you for contacting us. emil@example.com will get back to you within one working day; just reply to this mail to reach them.\n\n' +
          `Your reference: ${adaId}\n`,
      );
    });

    it('JSON, without an address: creates the customer, interest beats region, sends no mail', async () => {
      const mailsBefore = mails.length;
      const response = await postJson('demo', { name: 'Grace Hopper', company: 'Navy', region: 'apac', interest: 'Enterprise', email: '' });
      expect(response.status).toBe(200);
      const answer = await response.json();
      expect(answer).toEqual({ ok: true, reference: expect.any(String), confirmationSent: false });

      const grace = (await records()).find((r) => r.id === answer.reference);
      expect(grace).toMatchObject({
        email: null,
        name: 'Grace Hopper',
        region: 'apac',
        interest: 'enterprise',
        formId: 'demo',
        owner: 'dana@example.com',
        submissions: 1,
      });
      // The run is over when the form is answered (sync, mail before the answer): no mail now means none.
      expect(mails).toHaveLength(mailsBefore);
    });

    it('a second submission with the same address updates the customer instead of adding one', async () => {
      const mailsBefore = mails.length;
      const countBefore = (await records()).length;
      const response = await postJson('contact', { name: 'Ada King', email: 'ADA@example.com', region: 'apac', message: 'Any news?' });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ ok: true, reference: adaId, confirmationSent: true });

      const all = await records();
      expect(all).toHaveLength(countBefore);
      expect(all.filter((r) => r.email === 'ada@example.com')).toHaveLength(1);
      expect(all.find((r) => r.id === adaId)).toMatchObject({
        name: 'Ada King',
        region: 'apac',
        message: 'Any news?',
        // Kept: a returning customer keeps their owner, and fields the form left out keep their values.
        owner: 'emil@example.com',
        phone: '+44 20 7946 0000',
        company: 'Analytical Engines Ltd',
        submissions: 2,
      });
      expect(mails).toHaveLength(mailsBefore + 1);
      expect(mails.at(-1)!.rcptTo).toEqual(['ada@example.com', 'emil@example.com']);
      expect(header(mails.at(-1)!, 'Subject')).toBe('We received your request, Ada King');
    });

    it('a browser posting the form itself is redirected to the thank-you page; an unknown region goes to the sales inbox', async () => {
      // `manual`: look at the redirect rather than follow it off loopback.
      const response = await fetch(`${server.url}/api/webhooks/forms/demo`, {
        method: 'POST',
        redirect: 'manual',
        body: new URLSearchParams({ name: 'Linus', email: 'linus@example.org', region: 'nordics' }).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html,application/xhtml+xml,*/*;q=0.8' },
      });
      expect(response.status).toBe(303);
      expect(response.headers.get('location')).toBe('https://www.example.com/thanks?form=demo');
      expect((await records()).find((r) => r.email === 'linus@example.org')).toMatchObject({ owner: 'sales@example.com', region: 'nordics', submissions: 1 });
      expect(mails.at(-1)!.rcptTo).toEqual(['linus@example.org', 'sales@example.com']);
    });

    it('a submission without a name is refused with 422 and stores nothing', async () => {
      const countBefore = (await records()).length;
      const mailsBefore = mails.length;
      const response = await postJson('contact', { email: 'not-an-address', region: 'emea' });
      expect(response.status).toBe(422);
      expect(await response.json()).toEqual({
        ok: false,
        problems: [
          { field: 'name', message: 'is required' },
          { field: 'email', message: 'is not an e-mail address' },
        ],
      });
      expect(await records()).toHaveLength(countBefore);
      expect(mails).toHaveLength(mailsBefore);
    });
  });

  describe('GitHub push', () => {
    const repository = { id: 1296269, name: 'website', full_name: 'acme/website', default_branch: 'main' };
    const pushPayload = (ref: string, commits: number) => ({
      ref,
      before: '0000000000000000000000000000000000000000',
      after: '1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d',
      created: false,
      deleted: false,
      forced: false,
      compare: 'https://github.com/acme/website/compare/9f8e7d6c5b4a...1a2b3c4d5e6f',
      commits: Array.from({ length: commits }, (_, i) => ({ id: `c${i}`, message: `change ${i}`, author: { name: 'Octo Cat', email: 'octocat@github.com' } })),
      repository,
      pusher: { name: 'octocat', email: 'octocat@github.com' },
      sender: { login: 'octocat', id: 1 },
    });

    /** A delivery as GitHub sends it: HMAC-SHA256 of the exact body bytes. */
    const deliver = (event: string, payload: unknown, options: { delivery?: string; secret?: string } = {}) => {
      const body = JSON.stringify(payload);
      return server.call('POST', '/api/webhooks/github/push', {
        body,
        headers: {
          'content-type': 'application/json',
          'user-agent': 'GitHub-Hookshot/044aadd',
          'x-github-event': event,
          'x-github-delivery': options.delivery ?? randomUUID(),
          'x-github-hook-id': '123456',
          ...githubHeaders(options.secret ?? GITHUB_SECRET, body),
        },
      });
    };

    const executionsOf = async (): Promise<any[]> => {
      const workflows = await server.api('GET', '/api/workflows');
      const id = workflows.body.items.find((w: any) => w.title === 'GitHub push → deploy main').id;
      return (await server.api('GET', `/api/executions?workflowId=${id}&limit=100`)).body.items;
    };

    const mainDelivery = randomUUID();
    let mainAnswer: unknown;

    it('a push to main answers 202 with the branch, then calls the deploy hook and tells Slack', async () => {
      const response = await deliver('push', pushPayload('refs/heads/main', 2), { delivery: mainDelivery });
      expect(response.status).toBe(202);
      mainAnswer = await response.json();
      expect(mainAnswer).toEqual({ branch: 'main', deploy: true, executionId: expect.any(String) });

      const execution = await server.waitForExecution((mainAnswer as { executionId: string }).executionId, 'succeeded');
      expect(execution.jobs.find((j: any) => j.nodeKey === 'isMain').output).toEqual({ result: true });

      expect(deployPeer.requests).toHaveLength(1);
      const [deploy] = deployPeer.requests;
      expect(deploy).toMatchObject({ method: 'POST', path: '/hooks/deploy' });
      expect(deploy!.headers['content-type']).toBe('application/json');
      expect(deploy!.headers['idempotency-key']).toBe(mainDelivery);
      expect(JSON.parse(deploy!.body)).toEqual({
        repository: 'acme/website',
        ref: 'refs/heads/main',
        sha: '1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d',
        pusher: 'octocat',
      });

      expect(slackPeer.requests).toHaveLength(1);
      const [slack] = slackPeer.requests;
      expect(slack).toMatchObject({ method: 'POST', path: '/services/T000/B000/XXXX' });
      expect(slack!.headers['content-type']).toMatch(/^application\/json/);
      expect(JSON.parse(slack!.body)).toEqual({
        text: 'octocat pushed 2 commits to acme/website@main; deploying 1a2b3c4. https://github.com/acme/website/compare/9f8e7d6c5b4a...1a2b3c4d5e6f',
      });
    });

    it('a redelivery with the same X-GitHub-Delivery replays the answer and does not deploy twice', async () => {
      const before = (await executionsOf()).length;
      const response = await deliver('push', pushPayload('refs/heads/main', 2), { delivery: mainDelivery });
      expect(response.status).toBe(202);
      expect(await response.json()).toEqual(mainAnswer);
      // A sync run commits its execution before answering: none was added.
      expect(await executionsOf()).toHaveLength(before);
      expect(deployPeer.requests).toHaveLength(1);
      expect(slackPeer.requests).toHaveLength(1);
      const log = await server.api('GET', '/api/requests?outcome=duplicate');
      expect(log.body.items.some((r: any) => r.path === '/api/webhooks/github/push')).toBe(true);
    });

    it('a push to another branch answers with that branch and calls neither the deploy hook nor Slack', async () => {
      const response = await deliver('push', pushPayload('refs/heads/feature/login', 1));
      expect(response.status).toBe(202);
      const answer = await response.json();
      expect(answer).toEqual({ branch: 'feature/login', deploy: false, executionId: expect.any(String) });
      const execution = await server.waitForExecution(answer.executionId, 'succeeded');
      expect(execution.jobs.find((j: any) => j.nodeKey === 'isMain').output).toEqual({ result: false });
      expect(execution.jobs.map((j: any) => j.nodeKey)).not.toContain('deploy');
      expect(deployPeer.requests).toHaveLength(1);
      expect(slackPeer.requests).toHaveLength(1);
    });

    it("GitHub's ping, sent when the webhook is added, is acknowledged and deploys nothing", async () => {
      const response = await deliver('ping', { zen: 'Design for failure.', hook_id: 123456, repository });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ ignored: 'ping' });
      expect(deployPeer.requests).toHaveLength(1);
    });

    it('a delivery signed with another secret gets 401 and starts nothing', async () => {
      const before = (await executionsOf()).length;
      const response = await deliver('push', pushPayload('refs/heads/main', 1), { secret: 'not-the-secret' });
      expect(response.status).toBe(401);
      expect((await response.json()).error.code).toBe('unauthorized');
      expect(await executionsOf()).toHaveLength(before);
      expect(deployPeer.requests).toHaveLength(1);
      const log = await server.api('GET', '/api/requests?outcome=unauthorized');
      expect(log.body.items.some((r: any) => r.path === '/api/webhooks/github/push')).toBe(true);
    });
  });
});
