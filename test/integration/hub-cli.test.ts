// The team hub end to end through the real CLI and a real nats-server: serve --hub, follow, forward add (docs/hub.md).
import { describe, expect, it } from 'vitest';
import { fixturePayloads, postJson, runHookwatch } from '../support/harness.js';
import { hubTestBed, stopChild } from '../support/hub.js';
import { eventually, natsServerAvailable } from '../support/nats.js';
import { timelinesMessage } from '../support/payloads.js';

const bed = hubTestBed();

/** A nats-server and `hookwatch serve --hub` publishing to it from its own data folder, plus a folder for a follower. */
async function cliHub() {
  const nats = await bed.nats();
  const hubDir = bed.tempDir();
  const folDir = bed.tempDir();
  const hub = await bed.serveHub(hubDir, nats.url);
  return { nats, hubDir, folDir, hub };
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
    const { nats, hubDir, folDir, hub } = await cliHub();
    expect(hub.output()).toMatch(new RegExp(`^hub: publishing to nats://127\\.0\\.0\\.1:${nats.port}$`, 'm'));
    for (const f of fixturePayloads()) expect((await postJson(hub.url, f.body)).status).toBe(200);
    const stored = await eventsOf(hubDir);
    expect(stored.length).toBe(fixturePayloads().length);

    const fol = await bed.cliFollow([nats.url, '--data', folDir, '--name', 'dana', '--no-dashboard']);
    expect(fol.output()).toMatch(new RegExp(`^following: nats://127\\.0\\.0\\.1:${nats.port}$`, 'm'));
    await eventually('the follower has every event', async () => (await eventsOf(folDir)).length === stored.length);
    const key = (e: { type: string; messageUid: string | null }) => `${e.type}|${e.messageUid}`;
    expect((await eventsOf(folDir)).map(key).sort()).toEqual(stored.map(key).sort());
    // The follower's own accounts and alerts commands read its folder.
    const accounts = await runHookwatch(['accounts', '--data', folDir, '--format', 'json']);
    expect(accounts.code).toBe(0);
    expect(JSON.parse(accounts.stdout).map((a: { phone: string }) => a.phone)).toContain('+15555550100');
  }, 120_000);

  it('a follower stopped while 600 events and an account outage arrive gets each once after a restart, and alerts the outage', async () => {
    const { nats, folDir, hub } = await cliHub();
    const first = await bed.cliFollow([nats.url, '--data', folDir, '--name', 'desk', '--no-dashboard']);
    expect((await postJson(hub.url, message('warm-up', 0))).status).toBe(200);
    await eventually('the follower has the first event', async () => (await eventsOf(folDir)).length === 1);
    await stopChild(first.child);

    for (let i = 1; i <= 600; i++) expect((await postJson(hub.url, message(`uid-${i}`, i))).status).toBe(200);
    const disconnected = fixturePayloads().find((f) => f.name === 'tl_account_disconnected.json')!;
    expect((await postJson(hub.url, disconnected.body)).status).toBe(200);

    await bed.cliFollow([nats.url, '--data', folDir, '--name', 'desk', '--no-dashboard']);
    await eventually('the follower caught up', async () => (await eventsOf(folDir)).length >= 602, 60_000);
    const events = await eventsOf(folDir);
    expect(events.length).toBe(602);
    expect(new Set(events.map((e) => `${e.type}|${e.messageUid}`)).size).toBe(602);
    const alerts = await runHookwatch(['alerts', '--all', '--data', folDir, '--format', 'jsonl']);
    expect(alerts.code).toBe(0);
    expect(alerts.stdout).toMatch(/account-down/);
  }, 180_000);

  it('the broker killed -9 while the hub keeps answering 200: after its restart nothing is lost', async () => {
    const { nats, hubDir, folDir, hub } = await cliHub();
    await bed.cliFollow([nats.url, '--data', folDir, '--name', 'desk', '--no-dashboard']);
    for (let i = 0; i < 50; i++) expect((await postJson(hub.url, message(`before-${i}`, i))).status).toBe(200);
    await nats.kill9();
    for (let i = 0; i < 50; i++) expect((await postJson(hub.url, message(`during-${i}`, i))).status).toBe(200);
    // `hookwatch status` (another process) shows the hub's backlog while the broker is away.
    const hubPart = async (dir: string) => {
      const r = await runHookwatch(['status', '--data', dir, '--format', 'json']);
      return (JSON.parse(r.stdout) as { parts: Array<{ kind: string; text: string }> }).parts.find((p) => p.kind === 'hub')?.text;
    };
    expect(await hubPart(hubDir)).toMatch(new RegExp(`^hub nats://127\\.0\\.0\\.1:${nats.port}: ([1-9]\\d*) waiting to publish$`));
    await nats.restart();
    await eventually('the follower has all 100', async () => (await eventsOf(folDir)).length >= 100, 90_000);
    const uids = (await eventsOf(folDir)).map((e) => e.messageUid);
    expect(uids.length).toBe(100);
    expect(new Set(uids).size).toBe(100);
    await eventually('hub status: all published', async () => /: all published$/.test((await hubPart(hubDir)) ?? ''));
    let folPart: string | undefined;
    await eventually(
      'follower status: caught up',
      async () => (folPart = await hubPart(folDir)) === `following nats://127.0.0.1:${nats.port}, 0 behind`,
      60_000,
    ).catch((err: Error) => {
      throw new Error(`${err.message}; last: ${folPart}`);
    });
  }, 180_000);

  it('forward add: a destination that fails three times then succeeds receives the exact bytes once', async () => {
    const { hubDir, hub } = await cliHub();
    const dest = await bed.destination((n) => (n < 3 ? 503 : 200), '/in');
    const received = () => dest.got.filter((g) => g.answered === 200);
    const add = await runHookwatch(['forward', 'add', dest.url, '--types', 'message:new', '--data', hubDir]);
    expect(add.code, add.stderr).toBe(0);
    expect(add.stdout).toMatch(/^forward 1: /);
    // The running hub picks the destination up by itself; its consumer starts at the moment it was added.
    const body = message('forward-me', 7);
    expect((await postJson(hub.url, body)).status).toBe(200);
    await eventually('the destination got it', () => received().length === 1, 60_000);
    await new Promise((r) => setTimeout(r, 1500));
    expect(received().length).toBe(1);
    expect(received()[0]!.body.equals(Buffer.from(body, 'utf8'))).toBe(true);
    expect(received()[0]!.contentType).toBe('application/json');
    expect(dest.got.length).toBe(4);
    const list = await runHookwatch(['forward', 'list', '--data', hubDir]);
    expect(list.stdout).toMatch(/\b1\s+3\s+0\b/);
    const removed = await runHookwatch(['forward', 'remove', '1', '--data', hubDir]);
    expect(removed.code).toBe(0);
    expect((await runHookwatch(['forward', 'list', '--data', hubDir])).stdout).toMatch(/no forwarding destinations/);
  }, 180_000);
});
