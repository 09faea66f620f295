/**
 * `npm run bench`: drives Hookflow with autocannon on loopback and compares it
 * with a bare node:http server measured in the same run. Prints requests/s,
 * p50/p99 latency and server RSS, with the ratio to the bare server. Each
 * store is measured in a phase of its own (see measureStore).
 *
 * BENCH_DURATION (seconds, default 10), BENCH_CONNECTIONS (default 32),
 * BENCH_ROUNDS (default 3), BENCH_DATABASE_URL (also run against PostgreSQL).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, cpus, totalmem } from 'node:os';
import path from 'node:path';
import { api, asyncWorkflow, connections, drive, median, root, rssMiB, startBare, startHookflow, stop, syncWorkflow } from './harness.js';

const duration = Number(process.env.BENCH_DURATION ?? 10);

interface Row {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  rss: number;
  errors: number;
}

async function load(name: string, url: string, pid: number): Promise<Row> {
  await drive(url, 2); // warm-up: JIT, caches, connection pools
  const result = await drive(url, duration);
  const non2xx = result.non2xx + result.errors + result.timeouts;
  return { name, rps: Math.round(result.requests.average), p50: result.latency.p50, p99: result.latency.p99, rss: rssMiB(pid), errors: non2xx };
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
  const sync = await api(port, 'POST', '/api/workflows', syncWorkflow);
  const async = await api(port, 'POST', '/api/workflows', asyncWorkflow);
  return {
    asyncWorkflowId: async.id,
    targets: [
      { name: `${label} sync (condition + respond)`, url: `http://127.0.0.1:${port}/api/webhooks/${sync.key}`, pid },
      { name: `${label} async (202, then condition + set)`, url: `http://127.0.0.1:${port}/api/webhooks/${async.key}`, pid },
    ],
  };
}

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
  const server = await startHookflow('dist', store.env);
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
  const bare = await startBare();
  try {
    const stores: StoreUnderTest[] = [{ label: 'SQLite', env: { HOOKFLOW_DATA_DIR: dataDir } }];
    if (process.env.BENCH_DATABASE_URL) stores.push({ label: 'PostgreSQL', env: { HOOKFLOW_DATA_DIR: dataDir, DATABASE_URL: process.env.BENCH_DATABASE_URL } });
    const bareTarget: Target = { name: 'bare node:http', url: bare.url, pid: bare.child.pid! };
    for (const store of stores) printTable(await measureStore(store, bareTarget, rounds));
  } finally {
    await stop(bare.child);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
