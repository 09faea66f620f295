import type { Store } from '../store/database.js';
import type { WriteBatcher } from '../store/write-batcher.js';
import type { CompiledWorkflow } from '../engine/compile.js';
import { runWorkflow } from '../engine/executor.js';
import type { EnginePorts } from '../engine/ports.js';
import type { HttpReply, JobRecord, TriggerContext } from '../engine/run.js';
import { isoFormatter, type Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import { newId } from '../shared/ids.js';
import { toErrorRecord } from '../shared/errors.js';
import { renewLeases, type ExecutionRecord, type ExecutionMode } from '../store/executions.js';
import { listJobs } from '../store/jobs.js';
import { runRows, type RunState } from './run-state.js';
import { syncReply } from './sync-reply.js';

export interface RunStart {
  workflowId: string;
  workflowVersion: number;
  compiled: CompiledWorkflow;
  context: TriggerContext;
  /** Chosen by the caller when it must know the id before the run starts (dedup claims). */
  executionId?: string;
  requestId?: string;
  retryOf?: string;
}

export interface SyncAnswer {
  executionId: string;
  reply: HttpReply;
  /** How the run stood when the caller was answered. */
  state: 'replied' | 'succeeded' | 'failed' | 'timeout' | 'handed_back';
  /** Resolves once the execution, as answered, is committed. */
  persisted: Promise<void>;
}

export interface Runner {
  /** Runs now and answers with the first `respond`, the run's end, or 202 past `timeoutMs`. */
  runSync(start: RunStart, timeoutMs: number): SyncAnswer | Promise<SyncAnswer>;
  /** Records a run for the background; `persisted` resolves once it is committed (the 202 may go then). */
  accept(start: RunStart): { executionId: string; persisted: Promise<void> };
  /** Runs an execution a worker claimed (queued, or left behind by a dead process). */
  resume(record: ExecutionRecord, compiled: CompiledWorkflow): Promise<void>;
  /** Free places for background runs in this process. */
  capacity(): number;
  /** Runs working in this process now, sync and background. */
  inFlight(): number;
  /** Called when a place frees up, so the worker can claim more. */
  onCapacity(listener: () => void): void;
  /** Lets in-flight runs finish for `graceMs`, then hands the rest back to the queue. */
  shutdown(graceMs: number): Promise<void>;
}

export interface RunnerDeps {
  store: Store;
  batcher: WriteBatcher;
  ports: EnginePorts;
  clock: Clock;
  logger: Logger;
  workerId: string;
  leaseMs: number;
  /** Background runs this process executes at once. 0: queue everything for other processes. */
  concurrency: number;
  /** `$secrets` for runs. */
  secrets: () => Promise<Readonly<Record<string, string>>>;
}

interface InFlight {
  state: RunState;
  done: Promise<void>;
}

export function createRunner(deps: RunnerDeps): Runner {
  const { batcher, clock, logger } = deps;
  const inFlight = new Map<string, InFlight>();
  let backgroundRuns = 0;
  let stopping = false;
  const capacityListeners: (() => void)[] = [];
  const pendingWrites = new WeakMap<RunState, Promise<void>>();
  // Shutdown stops every run at once, so one signal serves them all (one per run cost ~2% of a webhook call).
  const shutdownSignal = new AbortController();

  const nowIso = isoFormatter();
  const leaseIso = isoFormatter();
  const leaseUntil = () => leaseIso(clock.now().getTime() + deps.leaseMs);

  // MUST renew while any run is leased here, or another worker takes it over.
  const renewTimer = setInterval(() => {
    if (inFlight.size === 0) return;
    renewLeases(deps.store.db, { workerId: deps.workerId, leaseUntil: leaseUntil() }).catch((err) =>
      logger.warn({ err }, 'lease renewal failed'),
    );
  }, Math.max(100, Math.floor(deps.leaseMs / 3)));
  renewTimer.unref();

  function newState(start: RunStart, mode: ExecutionMode): RunState {
    const now = nowIso(clock.now());
    return {
      id: start.executionId ?? newId(),
      workflowId: start.workflowId,
      workflowVersion: start.workflowVersion,
      mode,
      context: start.context,
      requestId: start.requestId ?? null,
      retryOf: start.retryOf ?? null,
      attempt: 1,
      createdAt: now,
      startedAt: now,
      jobs: [],
      seqBase: 0,
      confirmedJobs: 0,
      response: null,
      durable: false,
      queued: false,
      handedBack: false,
      finished: null,
      secretValues: [],
    };
  }

  /**
   * Commits the run as it stands when the batch flushes (not when this is
   * called), so jobs that finish in between ride along, and calls made
   * before that flush share one write. Idempotent: a batch retried after a
   * failure writes the same rows again.
   */
  function persist(state: RunState): Promise<void> {
    const pending = pendingWrites.get(state);
    if (pending) return pending;
    let written = 0;
    const write = batcher
      .write((set) => {
        pendingWrites.delete(state);
        written = state.jobs.length;
        const rows = runRows(state, { workerId: deps.workerId, leaseUntil: leaseUntil() });
        set.executions.push(rows.execution);
        for (const job of rows.jobs) set.jobs.push(job);
      })
      .then(() => {
        state.confirmedJobs = Math.max(state.confirmedJobs, written);
      });
    pendingWrites.set(state, write);
    return write;
  }

  function execute(state: RunState, compiled: CompiledWorkflow, options: { completedJobs?: JobRecord[]; onReply?: (reply: HttpReply) => void }): InFlight {
    const run = async () => {
      const secrets = await deps.secrets();
      state.secretValues = Object.values(secrets);
      const outcome = await runWorkflow(
        compiled,
        {
          executionId: state.id,
          workflowId: state.workflowId,
          workflowVersion: state.workflowVersion,
          context: state.context,
          secrets: secrets as Record<string, string>,
          completedJobs: options.completedJobs,
          signal: shutdownSignal.signal,
          onJob: (job) => {
            state.jobs.push(job);
            if (state.durable) return persist(state);
          },
          onRespond: (reply) => {
            if (state.response) return;
            state.response = reply;
            options.onReply?.(reply);
          },
        },
        deps.ports,
      );
      if (outcome.status === 'interrupted') {
        state.handedBack = true;
      } else {
        state.finished = {
          status: outcome.status,
          error: outcome.status === 'failed' ? outcome.error : null,
          finishedAt: nowIso(clock.now()),
        };
      }
      if (state.durable) await persist(state);
    };
    const entry: InFlight = {
      state,
      done: run()
        .catch(async (err: unknown) => {
          // The secrets could not be read, or the store failed mid-run: the run
          // ends as failed rather than staying leased and being retried forever.
          logger.error({ err, executionId: state.id }, 'run crashed');
          state.finished ??= { status: 'failed', error: toErrorRecord(err), finishedAt: nowIso(clock.now()) };
          if (state.durable) await persist(state).catch((persistErr: unknown) => logger.error({ err: persistErr, executionId: state.id }, 'could not record the crashed run'));
        })
        .finally(() => inFlight.delete(state.id)),
    };
    inFlight.set(state.id, entry);
    return entry;
  }

  function runBackground(state: RunState, compiled: CompiledWorkflow, completedJobs?: JobRecord[]): void {
    backgroundRuns += 1;
    const entry = execute(state, compiled, { completedJobs });
    void entry.done.finally(() => {
      backgroundRuns -= 1;
      for (const listener of capacityListeners) listener();
    });
  }

  return {
    async runSync(start, timeoutMs) {
      const state = newState(start, 'sync');
      type First = { kind: 'replied' } | { kind: 'ended' } | { kind: 'timeout' };
      let settle!: (first: First) => void;
      const first = new Promise<First>((resolve) => (settle = resolve));
      const entry = execute(state, start.compiled, { onReply: () => settle({ kind: 'replied' }) });
      void entry.done.then(() => settle({ kind: 'ended' }));
      const timer = setTimeout(() => settle({ kind: 'timeout' }), timeoutMs);
      const { kind } = await first;
      clearTimeout(timer);

      const answer = syncReply(state, kind);
      // The caller's answer is what the execution records for sync runs.
      state.response = answer.reply;
      state.durable = true;
      return { executionId: state.id, reply: answer.reply, state: answer.state, persisted: persist(state) };
    },

    accept(start) {
      const state = newState(start, 'async');
      state.durable = true;
      const runHere = !stopping && backgroundRuns < deps.concurrency;
      state.queued = !runHere;
      if (!runHere) state.startedAt = null;
      const persisted = persist(state);
      if (runHere) {
        backgroundRuns += 1; // reserve the place now; the run starts once its row is committed
        void persisted.then(
          () => {
            backgroundRuns -= 1;
            runBackground(state, start.compiled);
          },
          () => {
            backgroundRuns -= 1;
          },
        );
      }
      return { executionId: state.id, persisted };
    },

    async resume(record, compiled) {
      // Already running here: its lease ran out while this process was busy and
      // the claim renewed it; running it a second time would repeat its nodes.
      if (inFlight.has(record.id)) return;
      const stored = await listJobs(deps.store.db, record.id);
      const state: RunState = {
        id: record.id,
        workflowId: record.workflowId,
        workflowVersion: record.workflowVersion,
        mode: record.mode,
        context: record.trigger as TriggerContext,
        requestId: record.requestId,
        retryOf: record.retryOf,
        attempt: record.attempt,
        createdAt: record.createdAt,
        startedAt: record.startedAt ?? nowIso(clock.now()),
        jobs: [],
        seqBase: stored.length,
        confirmedJobs: 0,
        response: (record.response as HttpReply | null) ?? null,
        durable: true,
        queued: false,
        handedBack: false,
        finished: null,
        secretValues: [],
      };
      // Finished jobs are not run again: a crash after a node's job was
      // committed never repeats that node (docs/delivery.md).
      const completed = stored.filter((job) => job.status === 'succeeded') as JobRecord[];
      runBackground(state, compiled, completed);
    },

    capacity: () => (stopping ? 0 : Math.max(0, deps.concurrency - backgroundRuns)),
    inFlight: () => inFlight.size,
    onCapacity: (listener) => capacityListeners.push(listener),

    async shutdown(graceMs) {
      stopping = true;
      const all = () => Promise.all([...inFlight.values()].map((entry) => entry.done));
      let timer: NodeJS.Timeout | undefined;
      const graceOver = new Promise<'grace_over'>((resolve) => (timer = setTimeout(() => resolve('grace_over'), graceMs)));
      const result = await Promise.race([all().then(() => 'done' as const), graceOver]);
      clearTimeout(timer);
      if (result === 'grace_over') {
        logger.info({ runs: inFlight.size }, 'handing unfinished runs back to the queue');
        shutdownSignal.abort();
        await all();
      }
      clearInterval(renewTimer);
      await batcher.drain();
    },
  };
}
