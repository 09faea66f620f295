/** What the benchmarks share: starting servers, the benchmark workflows, one load. */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const token = 'bench-token';
export const connections = Number(process.env.BENCH_CONNECTIONS ?? 32);
const payload = JSON.stringify({ action: 'opened', amount: 250, repository: { name: 'hookflow' }, sender: { login: 'ada' } });

export interface Started {
  child: ChildProcess;
  port: number;
}

/** `args[0]` ending in `.js` runs as is (the built server); `.ts` runs through tsx. */
export function start(args: string[], env: Record<string, string>, ready: RegExp): Promise<Started> {
  const loader = args[0]!.endsWith('.ts') ? ['--import', 'tsx'] : [];
  const child = spawn(process.execPath, [...loader, ...args], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`did not start:\n${output}`)), 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = ready.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ child, port: Number(match[1]) });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`exited ${code}:\n${output}`)));
  });
}

/** The bare node:http baseline. */
export async function startBare(): Promise<Started & { url: string }> {
  const bare = await start(['bench/bare-server.ts'], {}, /listening (\d+)/);
  return { ...bare, url: `http://127.0.0.1:${bare.port}/` };
}

/** A built Hookflow (`dist` or a copy of another build's) as `npm start` runs it. */
export function startHookflow(dist: string, env: Record<string, string>): Promise<Started> {
  return start(
    [path.join(dist, 'cli/main.js'), 'start'],
    { ...env, PORT: '0', HOST: '127.0.0.1', HOOKFLOW_ADMIN_TOKEN: token, LOG_LEVEL: 'info' },
    /"url":"http:\/\/127\.0\.0\.1:(\d+)"/,
  );
}

export async function stop(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

export function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round(kb / 1024);
}

/** CPU time of a process's main thread in ms (Linux), or undefined where /proc is missing. */
export function mainThreadCpuMs(pid: number): number | undefined {
  const file = `/proc/${pid}/task/${pid}/stat`;
  if (!existsSync(file)) return undefined;
  const fields = readFileSync(file, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10; // utime + stime, in 10 ms ticks
}

export async function api(port: number, method: string, route: string, body?: unknown): Promise<any> {
  const response = await fetch(`http://127.0.0.1:${port}${route}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return response.json();
}

/** The sync workflow measured: a condition, then a respond node templating a field of the body. */
export const syncWorkflow = {
  title: 'bench sync',
  trigger: { type: 'webhook', methods: ['POST'] },
  nodes: [
    {
      key: 'big',
      type: 'condition',
      if: '{{ $context.data.amount > 100 }}',
      then: [{ key: 'yes', type: 'respond', status: 200, body: { accepted: true, repo: '{{ $context.data.repository.name }}' } }],
      else: [{ key: 'no', type: 'respond', status: 200, body: { accepted: false } }],
    },
  ],
};

/** The async workflow measured: 202 at once, then a condition and a set node in the background. */
export const asyncWorkflow = {
  title: 'bench async',
  trigger: { type: 'webhook', methods: ['POST'], mode: 'async' },
  nodes: [{ key: 'big', type: 'condition', if: '{{ $context.data.amount > 100 }}', then: [{ key: 'mark', type: 'set', values: { repo: '{{ $context.data.repository.name }}' } }] }],
};

/** One load of `seconds` at `connections` with the benchmark payload. */
export function drive(url: string, seconds: number): Promise<autocannon.Result> {
  return autocannon({ url, connections, duration: seconds, method: 'POST', headers: { 'content-type': 'application/json' }, body: payload });
}

export const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
