/**
 * `npm run bench`: drives Hookflow with autocannon on loopback and compares it
 * with a bare node:http server measured in the same run. Prints requests/s,
 * p50/p99 latency and server RSS, with the ratio to the bare server. Each
 * store is measured in a phase of its own (see measureStore).
 *
 * BENCH_DURATION (seconds, default 10), BENCH_CONNECTIONS (default 32),
 * BENCH_ROUNDS (default 3), BENCH_DATABASE_URL (also run against PostgreSQL).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir, cpus, totalmem } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const duration = Number(process.env.BENCH_DURATION ?? 10);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 32);
const token = 'bench-token';
const payload = JSON.stringify({ action: 'opened', amount: 250, repository: { name: 'hookflow' }, sender: { login: 'ada' } });

interface Started {
  child: ChildProcess;
  port: number;
}

/** `args[0]` ending in `.js` runs as is (the built server); `.ts` runs through tsx. */
function start(args: string[], env: Record<string, string>, ready: RegExp): Promise<Started> {
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

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round(kb / 1024);
}

async function stop(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

interface Row {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  rss: number;
  errors: number;
}

async function load(name: string, url: string, pid: number): Promise<Row> {
  const options = { url, connections, method: 'POST' as const, headers: { 'content-type': 'application/json' }, body: payload };
  await autocannon({ ...options, duration: 2 }); // warm-up: JIT, caches, connection pools
  const result = await autocannon({ ...options, duration });
  const non2xx = result.non2xx + result.errors + result.timeouts;
  return { name, rps: Math.round(result.requests.average), p50: result.latency.p50, p99: result.latency.p99, rss: rssMiB(pid), errors: non2xx };
}

async function api(port: number, method: string, route: string, body?: unknown): Promise<any> {
  const response = await fetch(`http://127.0.0.1:${port}${route}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return response.json();
}

async function waitForQueueDrain(port: number, workflowId: string): Promise<number> {
  const started = Date.now();
  for (;;) {
    const queued = await api(port, 'GET', `/api/executions?workflowId=${workflowId}&status=queued&limit=1`);
    const running = await api(port, 'GET', `/api/executions?workflowId=${workflowId}&status=running&limit=1`);
    if (queued.items.length === 0 && running.items.length === 0) return Date.now() - started;
    if (Date.now() - started > 120_000) throw new Error(`async backlog did not drain in 120 s: ${JSON.stringify([queued.items[0], running.items[0]])}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

interface Target {
  name: string;
  url: string;
  pid: number;
}

/** Creates the two benchmark workflows on a running Hookflow and returns their load targets. */
async function hookflowTargets(label: string, port: number, pid: number): Promise<{ targets: Target[]; asyncWorkflowId: string }> {
  const sync = await api(port, 'POST', '/api/workflows', {
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
  });
  const async = await api(port, 'POST', '/api/workflows', {
    title: 'bench async',
    trigger: { type: 'webhook', methods: ['POST'], mode: 'async' },
    nodes: [{ key: 'big', type: 'condition', if: '{{ $context.data.amount > 100 }}', then: [{ key: 'mark', type: 'set', values: { repo: '{{ $context.data.repository.name }}' } }] }],
  });
  return {
    asyncWorkflowId: async.id,
    targets: [
      { name: `${label} sync (condition + respond)`, url: `http://127.0.0.1:${port}/api/webhooks/${sync.key}`, pid },
      { name: `${label} async (202, then condition + set)`, url: `http://127.0.0.1:${port}/api/webhooks/${async.key}`, pid },
    ],
  };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

interface StoreUnderTest {
  label: string;
  env: Record<string, string>;
}

/**
 * One store's phase: its server alone beside the bare one, rounds of bare,
 * sync and async rows. A phase's ratios use the bare rows of the same phase,
 * and a store that is not being measured is not running (PostgreSQL's
 * background work after its rows once slowed the next SQLite rows).
 */
async function measureStore(store: StoreUnderTest, bare: Target, rounds: number): Promise<Map<string, Row[]>> {
  const server = await start(
    ['dist/cli/main.js', 'start'],
    { ...store.env, PORT: '0', HOST: '127.0.0.1', HOOKFLOW_ADMIN_TOKEN: token, LOG_LEVEL: 'info' },
    /"url":"http:\/\/127\.0\.0\.1:(\d+)"/,
  );
  try {
    const made = await hookflowTargets(store.label, server.port, server.child.pid!);
    const bareRow = { ...bare, name: `bare node:http (${store.label} phase)` };
    const results = new Map<string, Row[]>();
    for (let round = 0; round < rounds; round++) {
      for (const target of [bareRow, ...made.targets]) {
        const row = await load(target.name, target.url, target.pid);
        results.set(target.name, [...(results.get(target.name) ?? []), row]);
        if (target === bareRow) continue;
        // The next row must not compete with this one's background runs.
        const drainMs = await waitForQueueDrain(server.port, made.asyncWorkflowId);
        if (target.name.includes('async')) console.log(`round ${round + 1}, ${store.label}: async backlog drained ${drainMs} ms after the load ended`);
      }
    }
    return results;
  } finally {
    await stop(server.child);
  }
}

function printTable(results: Map<string, Row[]>): void {
  const bareRows = [...results].find(([name]) => name.startsWith('bare'))![1];
  const baseline = median(bareRows.map((r) => r.rps));
  console.log('\n| run | requests/s (median) | vs bare | per-round ratios | p50 ms | p99 ms | RSS MiB | non-2xx/errors |');
  console.log('|---|---:|---:|---|---:|---:|---:|---:|');
  for (const [name, rows] of results) {
    const rps = median(rows.map((r) => r.rps));
    // Each row against the bare row of its own round: minutes apart, so the machine's drift counts less.
    const perRound = rows.map((r, round) => `${Math.round((r.rps / bareRows[round]!.rps) * 100)}%`).join(' / ');
    const errors = rows.reduce((sum, r) => sum + r.errors, 0);
    console.log(`| ${name} | ${rps} | ${Math.round((rps / baseline) * 100)}% | ${perRound} | ${median(rows.map((r) => r.p50))} | ${median(rows.map((r) => r.p99))} | ${Math.max(...rows.map((r) => r.rss))} | ${errors} |`);
  }
  console.log(`\nper round, requests/s: ${[...results].map(([name, rows]) => `${name}: ${rows.map((r) => r.rps).join(' / ')}`).join('; ')}`);
}

async function main(): Promise<void> {
  execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'ignore' });
  const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
  console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB; node ${process.version}; ${new Date().toISOString()}`);
  console.log(`load: autocannon, ${connections} connections, ${duration} s per row after a 2 s warm-up, ${rounds} rounds, bare and Hookflow alternating\n`);
  const dataDir = mkdtempSync(path.join(tmpdir(), 'hookflow-bench-'));
  const bare = await start(['bench/bare-server.ts'], {}, /listening (\d+)/);
  try {
    const stores: StoreUnderTest[] = [{ label: 'SQLite', env: { HOOKFLOW_DATA_DIR: dataDir } }];
    if (process.env.BENCH_DATABASE_URL) stores.push({ label: 'PostgreSQL', env: { HOOKFLOW_DATA_DIR: dataDir, DATABASE_URL: process.env.BENCH_DATABASE_URL } });
    const bareTarget: Target = { name: 'bare node:http', url: `http://127.0.0.1:${bare.port}/`, pid: bare.child.pid! };
    for (const store of stores) printTable(await measureStore(store, bareTarget, rounds));
  } finally {
    await stop(bare.child);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
