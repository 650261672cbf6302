// The team hub end to end through the real CLI and a real nats-server: serve --hub, follow, forward add (docs/hub.md).
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, fixturePayloads, postJson, runHookwatch, spawnServe, tempDir } from '../support/harness.js';
import { NatsServer, eventually, natsServerAvailable } from '../support/nats.js';
import { timelinesMessage } from '../support/payloads.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

function stopChild(child: ChildProcessWithoutNullStreams): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  return exited;
}

/** `hookwatch follow` as a child process; resolves once it printed `following:` and `ready`. */
async function spawnFollow(args: string[]): Promise<{ child: ChildProcessWithoutNullStreams; output: () => string }> {
  const child = spawn(process.execPath, [BIN, 'follow', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  cleanups.push(() => stopChild(child));
  await eventually(`follow to start:\n${out}`, () => /^following: /m.test(out) && /^ready/m.test(out), 30_000);
  return { child, output: () => out };
}

async function serveHub(dataDir: string, hubUrl: string) {
  const serve = await spawnServe(['--data', dataDir, '--port', '0', '--no-dashboard', '--hub', hubUrl]);
  cleanups.push(() => stopChild(serve.child));
  return serve;
}

async function eventsOf(dataDir: string): Promise<Array<{ type: string; messageUid: string | null }>> {
  const r = await runHookwatch(['events', '--data', dataDir, '--format', 'jsonl', '--limit', '100000']);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { type: string; messageUid: string | null });
}

/** The message body the hub tests post: uid and text vary, the chat and the number stay. */
const message = (uid: string, n: number) => timelinesMessage(uid, `Grüße ${n} 👋`);

describe.skipIf(!natsServerAvailable)('team hub through the CLI with a real nats-server', () => {
  it('serve --hub publishes what it stores; follow (another data folder) stores the same events and says so', async () => {
    const nats = await NatsServer.start();
    cleanups.push(() => nats.dispose());
    const hubDir = tempDir();
    const folDir = tempDir();
    cleanups.push(hubDir.cleanup, folDir.cleanup);
    const hub = await serveHub(hubDir.dir, nats.url);
    expect(hub.output()).toMatch(new RegExp(`^hub: publishing to nats://127\\.0\\.0\\.1:${nats.port}$`, 'm'));
    for (const f of fixturePayloads()) expect((await postJson(hub.url, f.body)).status).toBe(200);
    const stored = await eventsOf(hubDir.dir);
    expect(stored.length).toBe(fixturePayloads().length);

    const fol = await spawnFollow([nats.url, '--data', folDir.dir, '--name', 'dana', '--no-dashboard']);
    expect(fol.output()).toMatch(new RegExp(`^following: nats://127\\.0\\.0\\.1:${nats.port}$`, 'm'));
    await eventually('the follower has every event', async () => (await eventsOf(folDir.dir)).length === stored.length);
    const key = (e: { type: string; messageUid: string | null }) => `${e.type}|${e.messageUid}`;
    expect((await eventsOf(folDir.dir)).map(key).sort()).toEqual(stored.map(key).sort());
    // The follower's own accounts and alerts commands read its folder.
    const accounts = await runHookwatch(['accounts', '--data', folDir.dir, '--format', 'json']);
    expect(accounts.code).toBe(0);
    expect(JSON.parse(accounts.stdout).map((a: { phone: string }) => a.phone)).toContain('+15555550100');
  }, 120_000);

  it('a follower stopped while 600 events and an account outage arrive gets each once after a restart, and alerts the outage', async () => {
    const nats = await NatsServer.start();
    cleanups.push(() => nats.dispose());
    const hubDir = tempDir();
    const folDir = tempDir();
    cleanups.push(hubDir.cleanup, folDir.cleanup);
    const hub = await serveHub(hubDir.dir, nats.url);
    const first = await spawnFollow([nats.url, '--data', folDir.dir, '--name', 'desk', '--no-dashboard']);
    expect((await postJson(hub.url, message('warm-up', 0))).status).toBe(200);
    await eventually('the follower has the first event', async () => (await eventsOf(folDir.dir)).length === 1);
    await stopChild(first.child);

    for (let i = 1; i <= 600; i++) expect((await postJson(hub.url, message(`uid-${i}`, i))).status).toBe(200);
    const disconnected = fixturePayloads().find((f) => f.name === 'tl_account_disconnected.json')!;
    expect((await postJson(hub.url, disconnected.body)).status).toBe(200);

    await spawnFollow([nats.url, '--data', folDir.dir, '--name', 'desk', '--no-dashboard']);
    await eventually('the follower caught up', async () => (await eventsOf(folDir.dir)).length >= 602, 60_000);
    const events = await eventsOf(folDir.dir);
    expect(events.length).toBe(602);
    expect(new Set(events.map((e) => `${e.type}|${e.messageUid}`)).size).toBe(602);
    const alerts = await runHookwatch(['alerts', '--all', '--data', folDir.dir, '--format', 'jsonl']);
    expect(alerts.code).toBe(0);
    expect(alerts.stdout).toMatch(/account-down/);
  }, 180_000);

  it('the broker killed -9 while the hub keeps answering 200: after its restart nothing is lost', async () => {
    const nats = await NatsServer.start();
    cleanups.push(() => nats.dispose());
    const hubDir = tempDir();
    const folDir = tempDir();
    cleanups.push(hubDir.cleanup, folDir.cleanup);
    const hub = await serveHub(hubDir.dir, nats.url);
    await spawnFollow([nats.url, '--data', folDir.dir, '--name', 'desk', '--no-dashboard']);
    for (let i = 0; i < 50; i++) expect((await postJson(hub.url, message(`before-${i}`, i))).status).toBe(200);
    await nats.kill9();
    for (let i = 0; i < 50; i++) expect((await postJson(hub.url, message(`during-${i}`, i))).status).toBe(200);
    // `hookwatch status` (another process) shows the hub's backlog while the broker is away.
    const hubPart = async (dir: string) => {
      const r = await runHookwatch(['status', '--data', dir, '--format', 'json']);
      return (JSON.parse(r.stdout) as { parts: Array<{ kind: string; text: string }> }).parts.find((p) => p.kind === 'hub')?.text;
    };
    expect(await hubPart(hubDir.dir)).toMatch(new RegExp(`^hub nats://127\\.0\\.0\\.1:${nats.port}: ([1-9]\\d*) waiting to publish$`));
    await nats.restart();
    await eventually('the follower has all 100', async () => (await eventsOf(folDir.dir)).length >= 100, 90_000);
    const uids = (await eventsOf(folDir.dir)).map((e) => e.messageUid);
    expect(uids.length).toBe(100);
    expect(new Set(uids).size).toBe(100);
    await eventually('hub status: all published', async () => /: all published$/.test((await hubPart(hubDir.dir)) ?? ''));
    let folPart: string | undefined;
    await eventually(
      'follower status: caught up',
      async () => (folPart = await hubPart(folDir.dir)) === `following nats://127.0.0.1:${nats.port}, 0 behind`,
      60_000,
    ).catch((err: Error) => {
      throw new Error(`${err.message}; last: ${folPart}`);
    });
  }, 180_000);

  it('forward add: a destination that fails three times then succeeds receives the exact bytes once', async () => {
    const nats = await NatsServer.start();
    cleanups.push(() => nats.dispose());
    const hubDir = tempDir();
    cleanups.push(hubDir.cleanup);
    let calls = 0;
    const received: Array<{ body: Buffer; type: string | undefined; id: string | undefined }> = [];
    const dest: Server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        calls++;
        if (calls <= 3) {
          res.writeHead(503).end('not yet');
          return;
        }
        received.push({ body: Buffer.concat(chunks), type: req.headers['content-type'], id: req.headers['hookwatch-event-id'] as string });
        res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((r) => dest.listen(0, '127.0.0.1', () => r()));
    cleanups.push(() => new Promise<void>((r) => dest.close(() => r())));
    const destUrl = `http://127.0.0.1:${(dest.address() as { port: number }).port}/in`;

    const hub = await serveHub(hubDir.dir, nats.url);
    const add = await runHookwatch(['forward', 'add', destUrl, '--types', 'message:new', '--data', hubDir.dir]);
    expect(add.code, add.stderr).toBe(0);
    expect(add.stdout).toMatch(/^forward 1: /);
    // The running hub picks the destination up by itself; its consumer starts at the moment it was added.
    const body = message('forward-me', 7);
    expect((await postJson(hub.url, body)).status).toBe(200);
    await eventually('the destination got it', () => received.length === 1, 60_000);
    await new Promise((r) => setTimeout(r, 1500));
    expect(received.length).toBe(1);
    expect(received[0]!.body.equals(Buffer.from(body, 'utf8'))).toBe(true);
    expect(received[0]!.type).toBe('application/json');
    expect(calls).toBe(4);
    const list = await runHookwatch(['forward', 'list', '--data', hubDir.dir]);
    expect(list.stdout).toMatch(/\b1\s+3\s+0\b/);
    const removed = await runHookwatch(['forward', 'remove', '1', '--data', hubDir.dir]);
    expect(removed.code).toBe(0);
    expect((await runHookwatch(['forward', 'list', '--data', hubDir.dir])).stdout).toMatch(/no forwarding destinations/);
  }, 180_000);
});
