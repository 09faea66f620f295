/**
 * Test harness for the engine and node tests: fake ports (a sleep that
 * records instead of waiting), a trigger context, and `runDefinition`, which
 * validates, compiles and runs a definition and collects what the caller sees.
 */
import { Type } from '@sinclair/typebox';
import { pino } from 'pino';
import { compileWorkflow } from '../../src/engine/compile.js';
import type { NodeDefinition, WorkflowDefinition } from '../../src/engine/definition.js';
import { runWorkflow } from '../../src/engine/executor.js';
import { defineNode, type AnyNodeType, type NodeResult } from '../../src/engine/node-type.js';
import type { EnginePorts, HttpPort } from '../../src/engine/ports.js';
import type { MailPort } from '../../src/nodes/email/mail-port.js';
import type { RecordsPort } from '../../src/nodes/record/port.js';
import { memoryRecords } from '../helpers/memory-records.js';
import type { ScriptRunner } from '../../src/sandbox/sandbox.js';
import { testSandbox } from '../helpers/test-sandbox.js';
import type { NodeRegistry } from '../../src/engine/registry.js';
import type { HttpReply, JobRecord, RunOutcome, TriggerContext } from '../../src/engine/run.js';
import { createDefaultRegistry } from '../../src/nodes/index.js';
import type { Clock } from '../../src/shared/clock.js';

export const NOW = new Date('2025-01-02T03:04:05.000Z');

export interface FakePorts extends EnginePorts {
  /** Every `sleep(ms)` asked for, in order. */
  sleeps: number[];
}

/** A sleep that returns at once (recording `ms`) unless `realSleep` is set; it honours aborts either way. */
export function fakePorts(options: { http?: HttpPort; mail?: MailPort; records?: RecordsPort; sandbox?: ScriptRunner; realSleep?: boolean; clock?: Clock } = {}): FakePorts {
  const sleeps: number[] = [];
  return {
    sleeps,
    clock: options.clock ?? { now: () => NOW },
    logger: pino({ level: 'silent' }),
    http: options.http ?? { request: () => Promise.reject(new Error('no network in this test')) },
    // Accepts every message, as a mail server would; test/nodes/email.test.ts uses a real one.
    mail: options.mail ?? {
      send: async (m) => ({ messageId: '<fake@hookflow.test>', accepted: [...m.to, ...m.cc, ...m.bcc], rejected: [] }),
    },
    records: options.records ?? memoryRecords(),
    // The real QuickJS pool: scripts are cheap and their isolation is the point.
    sandbox: options.sandbox ?? testSandbox(),
    sleep(ms, signal) {
      sleeps.push(ms);
      if (signal?.aborted) return Promise.reject(signal.reason);
      if (!options.realSleep) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(resolve, ms);
        signal?.addEventListener('abort', () => {
          clearTimeout(timer);
          reject(signal.reason);
        }, { once: true });
      });
    },
  };
}

export function triggerContext(overrides: Partial<TriggerContext> = {}): TriggerContext {
  return {
    data: {}, headers: {}, query: {}, params: {}, method: 'POST', path: '/api/webhooks/test',
    ip: '127.0.0.1', receivedAt: NOW.toISOString(), rawBody: '', files: [], ...overrides,
  };
}

export function definition(nodes: unknown[], trigger: Record<string, unknown> = {}): WorkflowDefinition {
  return { title: 'test', trigger: { type: 'webhook', ...trigger }, nodes: nodes as NodeDefinition[] } as WorkflowDefinition;
}

export interface RunOptions {
  registry?: NodeRegistry;
  ports?: FakePorts;
  context?: Partial<TriggerContext>;
  secrets?: Record<string, string>;
  completedJobs?: JobRecord[];
  signal?: AbortSignal;
  trigger?: Record<string, unknown>;
}

export interface RunResult {
  outcome: RunOutcome;
  jobs: JobRecord[];
  replies: HttpReply[];
  /** Jobs by path. */
  job(path: string): JobRecord;
  ports: FakePorts;
}

export async function runNodes(nodes: unknown[], options: RunOptions = {}): Promise<RunResult> {
  const registry = options.registry ?? createDefaultRegistry();
  const ports = options.ports ?? fakePorts();
  const compiled = compileWorkflow(definition(nodes, options.trigger), registry);
  const jobs: JobRecord[] = [];
  const replies: HttpReply[] = [];
  const outcome = await runWorkflow(
    compiled,
    {
      executionId: 'exec-1',
      workflowId: 'wf-1',
      workflowVersion: 1,
      context: triggerContext(options.context),
      secrets: options.secrets ?? {},
      completedJobs: options.completedJobs,
      signal: options.signal,
      onJob: (job) => {
        jobs.push(job);
      },
      onRespond: (reply) => {
        replies.push(reply);
      },
    },
    ports,
  );
  const job = (path: string) => {
    const found = jobs.find((j) => j.path === path);
    if (found === undefined) throw new Error(`no job at ${path}; jobs: ${jobs.map((j) => j.path).join(', ')}`);
    return found;
  };
  return { outcome, jobs, replies, job, ports };
}

/**
 * A test node type `probe` whose behaviour each test scripts: `behave(ctx)`
 * runs on every call and `calls` lists the config of each.
 */
export function probeNode(behave: (config: Record<string, unknown>, call: number, signal: AbortSignal) => NodeResult | Promise<NodeResult> = (config) => ({ output: config })): AnyNodeType & { calls: Record<string, unknown>[] } {
  const calls: Record<string, unknown>[] = [];
  const nodeType = defineNode({
    type: 'probe',
    description: 'test probe',
    config: Type.Object({ value: Type.Optional(Type.Unknown()), n: Type.Optional(Type.Integer()) }),
    run({ config, signal }) {
      calls.push(config);
      return behave(config, calls.length, signal);
    },
  });
  return Object.assign(nodeType, { calls });
}

export function registryWith(...types: AnyNodeType[]): NodeRegistry {
  const registry = createDefaultRegistry();
  for (const t of types) registry.register(t);
  return registry;
}

/** Resolves when `signal` aborts; for nodes that should hang until cut short. */
export function untilAborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }));
}
