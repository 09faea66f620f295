/**
 * `npm run bench:compare`: two servers side by side, loaded in turn in short
 * slices with the order alternating, so the machine's drift (seen at ±20%
 * within a minute on shared VMs) falls on both alike. Prints each pair's
 * ratio B/A of requests/s and of main-thread CPU per call, then the medians.
 *
 * BENCH_A and BENCH_B: `bare` (the bare node:http server) or a built
 * Hookflow folder: `dist`, or a copy of another build's `dist/` kept inside
 * the project so it finds its packages. Hookflow serves the sync workflow of
 * `npm run bench` on SQLite in a temporary folder.
 * BENCH_PAIRS (default 8), BENCH_SLICE (seconds, default 4), BENCH_CONNECTIONS.
 *
 * @example
 * cp -r dist .dist-before   # then change and rebuild
 * BENCH_A=.dist-before BENCH_B=dist npm run bench:compare
 * BENCH_A=bare BENCH_B=dist npm run bench:compare
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { api, connections, drive, mainThreadCpuMs, median, startBare, startHookflow, stop, syncWorkflow, type Started } from './harness.js';

const pairs = Number(process.env.BENCH_PAIRS ?? 8);
const slice = Number(process.env.BENCH_SLICE ?? 4);

interface Server extends Started {
  label: string;
  url: string;
  dataDir?: string;
}

async function startServer(label: string): Promise<Server> {
  if (label === 'bare') return { label, ...(await startBare()) };
  const dataDir = mkdtempSync(path.join(tmpdir(), 'hookflow-compare-'));
  const server = await startHookflow(label, { HOOKFLOW_DATA_DIR: dataDir });
  const workflow = await api(server.port, 'POST', '/api/workflows', syncWorkflow);
  return { label, ...server, dataDir, url: `http://127.0.0.1:${server.port}/api/webhooks/${workflow.key}` };
}

async function measure(server: Server): Promise<{ rps: number; cpuUs: number | undefined }> {
  const pid = server.child.pid!;
  const before = mainThreadCpuMs(pid);
  const result = await drive(server.url, slice);
  const after = mainThreadCpuMs(pid);
  const cpuUs = before === undefined || after === undefined ? undefined : ((after - before) * 1000) / result.requests.total;
  return { rps: result.requests.average, cpuUs };
}

const a = await startServer(process.env.BENCH_A ?? 'bare');
const b = await startServer(process.env.BENCH_B ?? 'dist');
try {
  console.log(`A = ${a.label}, B = ${b.label}: ${pairs} pairs of ${slice} s slices at ${connections} connections, order alternating\n`);
  await drive(a.url, 2); // warm-up: JIT, caches, connection pools
  await drive(b.url, 2);
  const rpsRatios: number[] = [];
  const cpuRatios: number[] = [];
  for (let pair = 0; pair < pairs; pair++) {
    const [first, second] = pair % 2 === 0 ? [a, b] : [b, a];
    const one = await measure(first);
    const two = await measure(second);
    const [ma, mb] = first === a ? [one, two] : [two, one];
    rpsRatios.push(mb.rps / ma.rps);
    const cpu = ma.cpuUs && mb.cpuUs ? mb.cpuUs / ma.cpuUs : undefined;
    if (cpu !== undefined) cpuRatios.push(cpu);
    const us = (value: number | undefined) => (value === undefined ? '' : ` (${value.toFixed(0)} µs CPU/call)`);
    console.log(`pair ${pair + 1}: A ${Math.round(ma.rps)} req/s${us(ma.cpuUs)}, B ${Math.round(mb.rps)} req/s${us(mb.cpuUs)}: B/A ${(mb.rps / ma.rps).toFixed(3)}`);
  }
  console.log(`\nmedian B/A: requests/s ${median(rpsRatios).toFixed(3)}${cpuRatios.length > 0 ? `, main-thread CPU per call ${median(cpuRatios).toFixed(3)}` : ''}`);
} finally {
  for (const server of [a, b]) {
    await stop(server.child);
    if (server.dataDir) rmSync(server.dataDir, { recursive: true, force: true });
  }
}
