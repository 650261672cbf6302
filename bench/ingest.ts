import autocannon from 'autocannon';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { messagePayload, round, startServerProcess, stopProcess } from './common.js';

const HOOKWATCH = fileURLToPath(new URL('../../bin/hookwatch.js', import.meta.url));
const BARE = fileURLToPath(new URL('./bare-server.js', import.meta.url));

interface Run {
  requests: number;
  ok: number;
  non2xx: number;
  errors: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
}

async function load(url: string, total: number, tag: string): Promise<Run> {
  let n = 0;
  const options: autocannon.Options = {
    url,
    method: 'POST',
    connections: 32, // 32 requests in flight, each connection kept alive
    pipelining: 1,
    amount: total,
    headers: { 'content-type': 'application/json' },
    requests: [
      {
        setupRequest: (req: autocannon.Request) => {
          const i = n++;
          return { ...req, body: messagePayload(`${tag}-${i}`, i) };
        },
      },
    ],
  };
  // autocannon notices the end of an `amount` run only on its one-second tick, so its duration (and
  // anything divided by it) is quantized to whole seconds: time the run to its last response instead.
  const started = performance.now();
  let lastResponseAt = started;
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(options, (err, res) => (err ? reject(err) : resolve(res)));
    instance.on('response', () => {
      lastResponseAt = performance.now();
    });
  });
  const seconds = (lastResponseAt - started) / 1000;
  return {
    requests: result.requests.total,
    ok: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    perSecond: round(result.requests.total / seconds, 0),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
  };
}

export async function benchIngest(total = 20_000): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), 'hookwatch-bench-'));
  try {
    // Warm both up a little, then measure: the bare ceiling first, Hookwatch second, on the same machine.
    const bare = await startServerProcess(BARE, []);
    await load(bare.url, 1000, 'warm');
    const bareRun = await load(bare.url, total, 'bare');
    await stopProcess(bare.child);

    const hw = await startServerProcess(HOOKWATCH, ['serve', '--data', dir, '--port', '0', '--no-tunnel', '--no-dashboard'], { HOOKWATCH_WRITER: 'inline' });
    await load(hw.url, 1000, 'warm');
    const hwRun = await load(hw.url, total, 'hw');
    await stopProcess(hw.child);

    // Every acknowledged event must be durable: count what the database holds after a clean stop.
    const db = new Database(join(dir, 'hookwatch.sqlite3'), { readonly: true });
    const stored = (db.prepare("SELECT count(*) AS n FROM events WHERE message_uid LIKE 'hw-%'").get() as { n: number }).n;
    db.close();

    // The same with the writer thread (HOOKWATCH_WRITER=thread), in a fresh folder, for comparison.
    const dir2 = mkdtempSync(join(tmpdir(), 'hookwatch-bench-'));
    const hw2 = await startServerProcess(HOOKWATCH, ['serve', '--data', dir2, '--port', '0', '--no-tunnel', '--no-dashboard'], { HOOKWATCH_WRITER: 'thread' });
    await load(hw2.url, 1000, 'warm');
    const threadRun = await load(hw2.url, total, 'hwt');
    await stopProcess(hw2.child);
    rmSync(dir2, { recursive: true, force: true });

    return {
      requests: total,
      inFlight: 32,
      durability: 'synchronous=FULL, group commit',
      bare: bareRun,
      hookwatch: hwRun,
      hookwatchWriterThread: threadRun,
      ratio: round(hwRun.perSecond / bareRun.perSecond, 3),
      acknowledged: hwRun.ok,
      storedAfterRun: stored,
      everyAcknowledgedEventDurable: stored >= hwRun.ok,
      targets: { ratioAtLeast: 0.5, p99UnderMs: 20 },
      met: hwRun.perSecond / bareRun.perSecond >= 0.5 && hwRun.p99Ms < 20 && stored >= hwRun.ok,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
