/**
 * One script run inside a QuickJS instance (worker side): install the
 * prelude, compile the user's source, call it, drain its promise jobs, take
 * its value as JSON text. The interrupt handler enforces the time limit and
 * the pool's cancel flag; the instance's capped memory the memory limit.
 */
import type { QuickJSContext, QuickJSHandle } from 'quickjs-emscripten-core';
import { HelperError, hostHelpers } from './host-helpers.js';
import { createLogCollector, type LogCollector } from './log-collector.js';
import { PRELUDE, SCRIPT_FILE, wrapSource } from './prelude.js';
import { createInstanceFactory, type QuickJSInstance } from './quickjs-instance.js';
import type { ScriptFailure } from './sandbox.js';
import type { WorkerJob, WorkerOutcome } from './worker-protocol.js';

/**
 * QuickJS's own stack limit. Its frames live on the worker thread's native
 * stack (4 MiB by default), and QuickJS's check must fire before V8's does.
 * Measured in a worker: with 1 MiB, `JSON.parse('['.repeat(1e5))` overflowed
 * V8's stack instead (caught, but the run ends as an engine failure); with
 * 512 KiB every deep recursion tried got a clean `stack overflow`, and a
 * small recursive function still reaches some 2,000 frames.
 */
const STACK_BYTES = 512 * 1024;
const MAX_MESSAGE = 1000;

export interface ScriptEngine {
  run(job: WorkerJob, cancelled: () => boolean): Promise<WorkerOutcome>;
}

export async function createScriptEngine(options: { spareMemoryLimitMb: number }): Promise<ScriptEngine> {
  const instances = await createInstanceFactory(options);
  return {
    async run(job, cancelled) {
      const logs = createLogCollector();
      try {
        const instance = await instances.take(job.memoryLimitMb);
        return runInInstance(instance, job, cancelled, logs);
      } catch (error) {
        return { ok: false, failure: { kind: 'crashed', message: `the script engine failed to start: ${messageOf(error)}` }, logs: logs.lines() };
      } finally {
        instances.refill();
      }
    },
  };
}

type Stop = 'timeout' | 'cancelled';

function runInInstance(instance: QuickJSInstance, job: WorkerJob, cancelled: () => boolean, logs: LogCollector): WorkerOutcome {
  const runtime = instance.quickjs.newRuntime();
  const deadline = Date.now() + job.timeLimitMs;
  let stop: Stop | undefined;
  runtime.setMaxStackSize(STACK_BYTES);
  // QuickJS calls this every few thousand operations, in regular expressions too;
  // the interrupt it raises cannot be caught by the script.
  runtime.setInterruptHandler(() => {
    if (stop === undefined && cancelled()) stop = 'cancelled';
    if (stop === undefined && Date.now() > deadline) stop = 'timeout';
    return stop !== undefined;
  });
  const vm = runtime.newContext();
  const handles: QuickJSHandle[] = [];
  const keep = (handle: QuickJSHandle) => (handles.push(handle), handle);
  const fail = (error: QuickJSHandle | undefined, compiling = false): WorkerOutcome => {
    let failure: ScriptFailure;
    try {
      failure = classify(stop, instance, job, () => describe(vm, error), compiling);
    } finally {
      error?.dispose();
    }
    return { ok: false, failure, logs: logs.lines() };
  };

  try {
    const prelude = vm.evalCode(PRELUDE, 'prelude.js', { type: 'global' });
    if (prelude.error) return fail(prelude.error);
    const finish = vm.callFunction(keep(prelude.value), vm.undefined, keep(hostObject(vm, logs)), keep(vm.newString(job.globals)));
    if (finish.error) return fail(finish.error);
    const script = vm.evalCode(wrapSource(job.source), SCRIPT_FILE, { type: 'global' });
    if (script.error) return fail(script.error, true);
    const promise = vm.callFunction(keep(finish.value), vm.undefined, keep(script.value));
    if (promise.error) return fail(promise.error);
    keep(promise.value);
    const drained = runtime.executePendingJobs();
    if (drained.error) return fail(drained.error);
    const state = vm.getPromiseState(promise.value);
    if (state.type === 'rejected') return fail(state.error);
    if (state.type === 'pending') {
      const message = 'the script awaits a promise that never settles (the sandbox has no timers or I/O)';
      return { ok: false, failure: { kind: 'error', message }, logs: logs.lines() };
    }
    // The prelude encodes the value, but the script shares its realm: check, never trust.
    const json = vm.typeof(keep(state.value)) === 'string' ? vm.getString(state.value) : undefined;
    if (json === undefined || !isJson(json)) {
      return { ok: false, failure: { kind: 'error', message: 'the return value is not JSON-serialisable' }, logs: logs.lines() };
    }
    return { ok: true, json, logs: logs.lines() };
  } catch (error) {
    // Thrown on the host side: the instance itself failed, e.g. V8's stack ran
    // out inside a deep native recursion, or an Emscripten abort. The instance
    // is dropped after this run either way.
    const failure = classify(stop, instance, job, () => ({ message: `the script engine failed: ${messageOf(error)}` }), false);
    return { ok: false, failure, logs: logs.lines() };
  } finally {
    try {
      for (const handle of handles.reverse()) if (handle.alive) handle.dispose();
      vm.dispose();
      runtime.dispose();
    } catch {
      // A run cut short (out of memory, interrupted mid-allocation) can leave QuickJS
      // unable to free cleanly; the instance is discarded, so nothing is lost.
    }
  }
}

interface Described {
  name?: string;
  message: string;
  line?: number;
}

function classify(stop: Stop | undefined, instance: QuickJSInstance, job: WorkerJob, describeError: () => Described, compiling: boolean): ScriptFailure {
  if (stop === 'cancelled') return { kind: 'cancelled', message: 'the script was stopped' };
  if (stop === 'timeout') {
    return { kind: 'timeout', message: `the script ran past its time limit (${job.timeLimitMs} ms)`, limit: job.timeLimitMs };
  }
  const memory = (): ScriptFailure => ({
    kind: 'memory',
    message: `the script ran out of memory (limit ${instance.memoryLimitMb} MiB)`,
    limit: instance.memoryLimitMb,
  });
  if (instance.memoryExhausted) return memory();
  let described: Described;
  try {
    described = describeError();
  } catch (error) {
    described = { message: `the script failed, and so did reading its error: ${messageOf(error)}` };
  }
  if (described.message === 'out of memory') return memory();
  const text = described.name ? `${described.name}: ${described.message}` : described.message;
  const failure: ScriptFailure = {
    kind: compiling && described.name === 'SyntaxError' ? 'syntax' : 'error',
    message: text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE)}…` : text,
  };
  if (described.line !== undefined) failure.line = described.line;
  return failure;
}

/** The script's error as plain text: name, message and the line in the user's source. */
function describe(vm: QuickJSContext, error: QuickJSHandle | undefined): Described {
  if (error === undefined) return { message: 'the script failed' };
  const value: unknown = vm.dump(error);
  if (value !== null && typeof value === 'object' && typeof (value as { message?: unknown }).message === 'string') {
    const { name, message, stack } = value as { name?: unknown; message: string; stack?: unknown };
    const at = new RegExp(`${SCRIPT_FILE.replace('.', '\\.')}:(\\d+)`).exec(typeof stack === 'string' ? stack : '');
    const described: Described = { message };
    if (typeof name === 'string') described.name = name;
    if (at?.[1] !== undefined) described.line = Number(at[1]);
    return described;
  }
  return { message: `the script threw ${typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value))}` };
}

/** `host` for the prelude: the helpers and the log sink, each taking and returning strings only. */
function hostObject(vm: QuickJSContext, logs: LogCollector): QuickJSHandle {
  const host = vm.newObject();
  for (const [name, helper] of Object.entries(hostHelpers) as [string, (...args: string[]) => string][]) {
    const fn = vm.newFunction(name, (...args) => {
      try {
        return vm.newString(helper(...args.map((arg) => vm.getString(arg))));
      } catch (error) {
        const message = error instanceof HelperError ? error.message : `${name} failed: ${messageOf(error)}`;
        return { error: vm.newError(message) };
      }
    });
    vm.setProp(host, name, fn);
    fn.dispose();
  }
  const log = vm.newFunction('log', (level, text) => {
    if (level !== undefined && text !== undefined) logs.add(vm.getString(level), vm.getString(text));
  });
  vm.setProp(host, 'log', log);
  log.dispose();
  return host;
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
