/**
 * Issue 10 item 4: a test event through a REAL localtunnel server on 127.0.0.1:80 (test/support/lt-server.ts) and a
 * real `hookwatch serve`: `hookwatch test --url <public URL>` and the dashboard's "Send a test event" report each
 * hop (tunnel reached, receiver answered, stored); after the tunnel server restarts, the same public URL carries
 * test events again. (A restarted `serve` keeping its URL is tunnel.test.ts (i).)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestEventReport } from '../../main/contract/api.js';
import { ltServerUnavailableReason, startLtServer, type LtServer } from '../support/lt-server.js';
import { runHookwatch, spawnServe, tempDir } from '../support/harness.js';

const skipReason = ltServerUnavailableReason();
if (skipReason) console.warn(`test event through the tunnel skipped: ${skipReason}`);

async function until(what: string, check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what} after ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.skipIf(skipReason !== null)('a test event through a real localtunnel server and hookwatch serve', () => {
  let lt: LtServer;
  let serve: Awaited<ReturnType<typeof spawnServe>>;
  let tmp: ReturnType<typeof tempDir>;
  let publicUrl: string;
  let dashboard: URL;

  beforeAll(async () => {
    lt = await startLtServer();
    tmp = tempDir();
    serve = await spawnServe(['--data', tmp.dir, '--port', '0', '--dashboard-port', '0', '--tunnel-host', lt.host]);
    await until('serve to print its public URL', () => /^public: /m.test(serve.output()), 30_000);
    publicUrl = /^public: (\S+)$/m.exec(serve.output())![1]!;
    dashboard = new URL(/^dashboard: (\S+)$/m.exec(serve.output())![1]!);
  }, 90_000);
  afterAll(async () => {
    if (serve) {
      serve.child.kill('SIGTERM');
      await new Promise((r) => serve.child.once('exit', r));
    }
    await lt?.stop();
    tmp?.cleanup();
  });

  const secretOf = (url: string) => url.split('/hooks/')[1]!;

  /** `hookwatch test --url <public URL>`, checked hop by hop; answers the stored event's id. */
  async function cliTest(): Promise<number> {
    const r = await runHookwatch(['test', '--url', publicUrl]);
    console.log(`hookwatch test --url <public URL>:\n${r.stdout}${r.stderr}`);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const host = new URL(publicUrl).host;
    expect(r.stdout).toContain(`test event: sent through ${host}\n`);
    const hops = [...r.stdout.matchAll(/^ {2}(tunnel reached|receiver answered|stored) after (\d+) ms \((.*)\)$/gm)];
    expect(hops.map((h) => h[1])).toEqual(['tunnel reached', 'receiver answered', 'stored']);
    expect(hops[0]![3]).toBe(host);
    const id = Number(/^HTTP 200, event (\d+)$/.exec(hops[1]![3]!)![1]);
    expect(hops[2]![3]).toBe(`event ${id}`);
    expect(r.stdout).toMatch(new RegExp(`^ok: stored as event ${id} \\(type hookwatch:test; it raises no alert\\)$`, 'm'));
    // Each hop after the one before it.
    const ms = hops.map((h) => Number(h[2]));
    expect([...ms].sort((a, b) => a - b)).toEqual(ms);
    expect(r.stdout + r.stderr).not.toContain(secretOf(publicUrl));
    return id;
  }

  /** The stored event, read back with the CLI from the same data folder (serve keeps running). */
  async function storedTypeOf(id: number): Promise<string> {
    const r = await runHookwatch(['events', '--data', tmp.dir, '--type', 'hookwatch:test', '--format', 'jsonl']);
    const e = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: number; type: string })
      .find((x) => x.id === id);
    return e?.type ?? 'missing';
  }

  it('hookwatch test --url <public URL>: tunnel reached, receiver answered, stored (a hookwatch:test event)', async () => {
    const id = await cliTest();
    expect(await storedTypeOf(id)).toBe('hookwatch:test');
  });

  it('the dashboard’s "Send a test event" goes through the public URL while the tunnel is up, each hop timed', async () => {
    const res = await fetch(new URL('/api/sendTestEvent', dashboard), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hookwatch-token': dashboard.searchParams.get('token')! },
      body: '[]',
    });
    expect(res.status).toBe(200);
    const r = (await res.json()) as TestEventReport;
    expect(r).toMatchObject({ ok: true, via: 'tunnel', problem: null });
    expect(r.hops.map((h) => h.hop)).toEqual(['tunnel reached', 'receiver answered', 'stored']);
    expect(r.hops[0]!.detail).toBe(new URL(publicUrl).host);
    for (let i = 1; i < r.hops.length; i++) expect(r.hops[i]!.at).toBeGreaterThanOrEqual(r.hops[i - 1]!.at);
    expect(r.hops[0]!.at).toBeGreaterThanOrEqual(r.sentAt);
    expect(JSON.stringify(r)).not.toContain(secretOf(publicUrl));
    expect(await storedTypeOf(r.eventId!)).toBe('hookwatch:test');
  });

  it('the tunnel server restarted: serve comes back on the same public URL, and a test event goes through it again', async () => {
    const before = serve.output().length;
    await lt.kill();
    // While the server is down the public URL does not answer, and the test says where it stopped.
    const down = await runHookwatch(['test', '--url', publicUrl]);
    expect(down.code).toBe(1);
    expect(down.stdout).toMatch(/^ {2}failed: the (public URL did not answer|tunnel took the request but no answer came back) /m);
    await lt.restart();
    await until('serve to say the tunnel is up again', () => /^tunnel: up /m.test(serve.output().slice(before)), 120_000);
    const after = serve.output().slice(before);
    console.log(`serve, from the kill on:\n${after}`);
    expect(after).not.toMatch(/public URL changed/);
    expect(/^tunnel: up (\S+)/m.exec(after)![1]).toBe(new URL(publicUrl).origin);
    const id = await cliTest();
    expect(await storedTypeOf(id)).toBe('hookwatch:test');
  }, 180_000);
});
