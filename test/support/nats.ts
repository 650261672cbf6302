// Starts real nats-server processes on 127.0.0.1 (JetStream on, temp store) for hub tests and benchmarks, and stops them by pid.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';

export const NATS_SERVER = process.env.HOOKWATCH_NATS_SERVER ?? '/usr/sbin/nats-server';
export const natsServerAvailable = existsSync(NATS_SERVER);

// Every nats-server still running when the test process ends is killed -9 then, so a test that failed
// before its cleanup (or a cleanup that timed out) cannot leave a broker behind. Vitest ends its forked
// workers with SIGTERM, whose default action skips 'exit' listeners: that signal is heard too, and then
// raised again (with no listener left, it ends the process as it would have).
const running = new Set<ChildProcess>();
let exitHooked = false;
function killRunning(): void {
  for (const child of running) child.kill('SIGKILL');
}
function hookProcessExit(): void {
  if (exitHooked) return;
  exitHooked = true;
  process.once('exit', killRunning);
  process.once('SIGTERM', () => {
    killRunning();
    if (process.listenerCount('SIGTERM') === 0) process.kill(process.pid, 'SIGTERM');
  });
}

/** A free TCP port on the loopback interface (bound, read, released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

export interface NatsServerOptions {
  /** Extra command-line arguments (e.g. ['--user', 'u', '--pass', 'p']). */
  args?: string[];
  /** A configuration file's text (written to the temp folder and passed with -c). */
  config?: string;
  serverName?: string;
  /** Cluster: this node's route port, the other nodes' route ports, and the cluster's name. */
  cluster?: { port: number; routes: number[]; name: string };
  port?: number;
  storeDir?: string;
}

/** One nats-server process; restart() brings it back on the same port with the same store. */
export class NatsServer {
  child: ChildProcess | null = null;
  private log = '';

  private constructor(
    readonly port: number,
    readonly storeDir: string,
    private readonly ownsDir: boolean,
    private readonly options: NatsServerOptions,
  ) {}

  static async start(options: NatsServerOptions = {}): Promise<NatsServer> {
    const port = options.port ?? (await freePort());
    const ownsDir = options.storeDir === undefined;
    const storeDir = options.storeDir ?? mkdtempSync(join(tmpdir(), 'hookwatch-nats-'));
    const server = new NatsServer(port, storeDir, ownsDir, options);
    try {
      await server.launch();
    } catch (err) {
      if (ownsDir) rmSync(storeDir, { recursive: true, force: true });
      throw err;
    }
    return server;
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** The server's own log so far (for failure messages). */
  output(): string {
    return this.log.slice(-4000);
  }

  private launch(): Promise<void> {
    const o = this.options;
    const args = ['-a', '127.0.0.1', '-p', String(this.port), '-js', '-sd', this.storeDir];
    if (o.serverName) args.push('--server_name', o.serverName);
    if (o.config) {
      const file = join(this.storeDir, 'server.conf');
      writeFileSync(file, o.config);
      args.push('-c', file);
    }
    if (o.cluster) {
      args.push('--cluster_name', o.cluster.name, '--cluster', `nats://127.0.0.1:${o.cluster.port}`);
      if (o.cluster.routes.length > 0) args.push('--routes', o.cluster.routes.map((p) => `nats://127.0.0.1:${p}`).join(','));
    }
    args.push(...(o.args ?? []));
    this.log = '';
    const child = spawn(NATS_SERVER, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    running.add(child);
    hookProcessExit();
    child.once('exit', () => running.delete(child));
    const onData = (d: Buffer) => {
      this.log += d.toString();
      if (this.log.length > 200_000) this.log = this.log.slice(-100_000);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        // Not ready in time: it must not keep running behind the failed test.
        child.kill('SIGKILL');
        reject(new Error(`nats-server did not start within 20 s:\n${this.output()}`));
      }, 20_000);
      const check = () => {
        if (/Server is ready/.test(this.log)) {
          clearTimeout(timer);
          child.stderr!.off('data', check);
          resolve();
        }
      };
      child.stderr!.on('data', check);
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`nats-server exited (${code ?? signal}) while starting:\n${this.output()}`));
      });
    });
  }

  /** kill -9 by pid: the broker dies without a goodbye, as in a crash or a power cut. */
  async kill9(): Promise<void> {
    await this.signal('SIGKILL');
  }

  /** A clean stop (SIGTERM) by pid. */
  async stop(): Promise<void> {
    await this.signal('SIGTERM');
  }

  private async signal(sig: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    process.kill(child.pid!, sig);
    const timer = setTimeout(() => child.exitCode === null && child.pid && process.kill(child.pid, 'SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
    this.child = null;
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.launch();
  }

  /** Start again after kill9()/stop(), same port and store. */
  async startAgain(): Promise<void> {
    if (this.child) throw new Error('already running');
    await this.launch();
  }

  async dispose(): Promise<void> {
    await this.stop();
    if (this.ownsDir) rmSync(this.storeDir, { recursive: true, force: true });
  }
}

/** Waits until JetStream answers through `url` (a cluster needs a meta leader first). */
export async function waitForJetStream(url: string, timeoutMs = 30_000, auth: { user?: string; pass?: string } = {}): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown = null;
  while (Date.now() < deadline) {
    const nc = await connect({ servers: url.replace('nats://', ''), ...auth, reconnect: false }).catch((err: unknown) => {
      last = err;
      return null;
    });
    if (nc) {
      try {
        const jsm = await jetstreamManager(nc, { timeout: 2000 });
        await jsm.getAccountInfo();
        await nc.close();
        return;
      } catch (err) {
        last = err;
        await nc.close();
      }
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`JetStream not ready at ${url}: ${String(last)}`);
}

/** A three-node JetStream cluster on 127.0.0.1, each node with its own server_name and store. */
export class NatsCluster {
  private constructor(readonly nodes: NatsServer[]) {}

  static async start(size = 3): Promise<NatsCluster> {
    const clientPorts: number[] = [];
    const routePorts: number[] = [];
    for (let i = 0; i < size; i++) {
      clientPorts.push(await freePort());
      routePorts.push(await freePort());
    }
    const nodes = await Promise.all(
      clientPorts.map((port, i) =>
        NatsServer.start({
          port,
          serverName: `hw-n${i + 1}`,
          cluster: { port: routePorts[i]!, routes: routePorts.filter((_, j) => j !== i), name: 'hookwatch-test' },
        }),
      ),
    );
    const cluster = new NatsCluster(nodes);
    await waitForJetStream(cluster.url);
    return cluster;
  }

  /** All nodes, comma-separated, as `--hub` takes them. */
  get url(): string {
    return this.nodes.map((n) => n.url).join(',');
  }

  async dispose(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.dispose()));
  }
}

/** Polls `check` every 50 ms until it returns true; throws with `what` after `timeoutMs`. */
export async function eventually(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}`);
}
