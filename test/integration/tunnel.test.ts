import { randomBytes } from 'node:crypto';
import { request as httpRequest, createServer as createHttpServer, type Server } from 'node:http';
import { connect, createServer as createNetServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { loopbackAwareLookup } from '../../main/core/tunnel/http-get.js';
import { LocaltunnelProvider, registerLocaltunnel } from '../../main/core/tunnel/localtunnel.js';
import { probePublicUrl } from '../../main/core/tunnel/probe.js';
import type { TunnelSession } from '../../main/core/tunnel/provider.js';
import {
  TunnelSupervisor,
  systemClock,
  type PublicUrlChange,
  type TunnelClock,
  type TunnelStateChange,
  type TunnelSupervisorOptions,
  type TunnelUrlChange,
} from '../../main/core/tunnel/supervisor.js';
import { HookwatchCore } from '../../main/core/core.js';
import { spawnServe, startCore, tempDir } from '../support/harness.js';
import { TimelinesStandIn } from '../support/timelines-standin.js';
import { ltServerUnavailableReason, startLtServer, type LtServer } from '../support/lt-server.js';

const skipReason = ltServerUnavailableReason();
if (skipReason) console.warn(`tunnel tests skipped: ${skipReason}`);

/** One WhatsApp message event; a distinct uid per call so every POST is a new event, not a redelivery. */
function messagePayload(uid: string) {
  return {
    event_type: 'message:received:new',
    chat: { chat_id: 4242, full_name: 'Tunnel Test', phone: '+15555550142', is_group: false, chat_url: 'x' },
    whatsapp_account: { full_name: 'Acme', email: 'acme@example.com', phone: '+15555550100' },
    message: {
      text: `hello through the tunnel ${uid}`,
      direction: 'received',
      origin: 'WhatsApp',
      timestamp: '2025-03-03 09:00:00 +0100',
      message_uid: uid,
      sender: { full_name: 'X' },
      recipient: { full_name: 'Acme' },
    },
  };
}

/**
 * HTTP through a URL the test localtunnel server handed out (`http://<name>.localhost`). The name is resolved to
 * 127.0.0.1 by the same lookup the probe uses; anything that would leave loopback is refused outright.
 */
function viaTunnel(url: string, init: { method?: string; body?: unknown } = {}): Promise<{ status: number; text: string; json: any }> {
  const target = new URL(url);
  if (!(target.hostname.endsWith('.localhost') || target.hostname === '127.0.0.1'))
    throw new Error(`refusing to send test traffic to ${target.hostname}`);
  const body = init.body === undefined ? undefined : JSON.stringify(init.body);
  return new Promise((resolve, reject) => {
    const req = httpRequest(target, {
      method: init.method ?? (body ? 'POST' : 'GET'),
      agent: false,
      lookup: loopbackAwareLookup,
      headers: body ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : {},
      timeout: 15_000,
    });
    req.on('timeout', () => req.destroy(new Error('no answer through the tunnel within 15 s')));
    req.on('error', reject);
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', () => {
        let json: any = null;
        try {
          json = JSON.parse(text);
        } catch {
          /* not JSON */
        }
        resolve({ status: res.statusCode ?? 0, text, json });
      });
    });
    req.end(body);
  });
}

/** Polls `check` until it returns a value (bounded). */
async function until<T>(what: string, check: () => T | null | undefined | false, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what} after ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The real clock, counting the supervisor's timers that are still pending (to prove stop() leaves none). */
function countingClock(): TunnelClock & { pending: () => number } {
  const live = new Set<unknown>();
  return {
    setTimeout(fn, ms) {
      const h: unknown = systemClock.setTimeout(() => {
        live.delete(h);
        fn();
      }, ms);
      live.add(h);
      return h;
    },
    clearTimeout(h) {
      live.delete(h);
      systemClock.clearTimeout(h);
    },
    now: systemClock.now,
    pending: () => live.size,
  };
}

/** Sockets the localtunnel server counts for a client (its own status API). */
async function serverSideSockets(name: string): Promise<number | null> {
  const res = await fetch(`http://127.0.0.1/api/tunnels/${name}/status`);
  if (res.status === 404) return null;
  return ((await res.json()) as { connected_sockets: number }).connected_sockets;
}

function uniqueName(tag: string): string {
  return `hwtest-${tag}-${randomBytes(4).toString('hex')}`;
}

describe.skipIf(skipReason !== null)('tunnel supervisor against a real localtunnel server on 127.0.0.1', () => {
  let lt: LtServer;
  let env: Awaited<ReturnType<typeof startCore>>;
  const supervisors: TunnelSupervisor[] = [];

  beforeAll(async () => {
    lt = await startLtServer();
    // A header deadline longer than test (d)'s idle wait: that test must see whether Node writes a stale
    // 408 into an idle socket, not our own silent close.
    env = await startCore({ receiver: { headerDeadlineMs: 10 * 60_000 } });
  });
  afterAll(async () => {
    await Promise.all(supervisors.map((s) => s.stop()));
    await env?.stop();
    await lt?.stop();
  });

  function supervise(options: Partial<TunnelSupervisorOptions> & { subdomain?: string | null }) {
    const changes: TunnelStateChange[] = [];
    const urls: TunnelUrlChange[] = [];
    const logs: string[] = [];
    const { subdomain, ...rest } = options;
    const supervisor = new TunnelSupervisor({
      settings: { host: lt.host, subdomain: subdomain ?? null, localPort: env.core.receiver.port },
      probeIntervalMs: 60_000,
      retryProbeIntervalMs: 300,
      probeTimeoutMs: 3000,
      registrationTimeoutMs: 5000,
      onStateChange: (c) => changes.push(c),
      onUrlChanged: (u) => {
        urls.push(u);
      },
      log: (l) => logs.push(l),
      ...rest,
    });
    supervisors.push(supervisor);
    return { supervisor, changes, urls, logs };
  }

  it('(a) a POST through the public URL lands in the database, and stop() leaves no timer or socket behind', async () => {
    const name = uniqueName('a');
    const clock = countingClock();
    const { supervisor, changes, urls } = supervise({ subdomain: name, clock });
    supervisor.start();
    const up = await until('the tunnel to come up', () => changes.find((c) => c.state === 'up'));
    expect(changes[0]).toMatchObject({ state: 'connecting', url: null });
    expect(up.url).toBe(`http://${name}.localhost`);
    expect(up).toMatchObject({ requestedSubdomain: name, grantedSubdomain: name, subdomainGranted: true, reason: null });
    expect(urls.map((u) => u.url)).toEqual([up.url]);
    expect(urls[0]!.previousUrl).toBeNull();

    const uid = `tunnel-a-${randomBytes(4).toString('hex')}`;
    const res = await viaTunnel(up.url! + env.core.receiver.webhookPath, { body: messagePayload(uid) });
    expect(res.status).toBe(200);
    expect(res.json.ok).toBe(true);
    const stored = env.core.store.listEvents({ limit: 10 }).find((e) => e.messageUid === uid);
    expect(stored).toBeDefined();
    expect(stored!.id).toBe(res.json.events[0].id);
    expect(stored!.type).toBe('message:received:new');

    // A wrong path through the tunnel is the receiver's own 404, not the tunnel server's.
    const wrong = await viaTunnel(up.url! + '/hooks/not-the-secret', { body: messagePayload('x') });
    expect(wrong.status).toBe(404);
    expect(wrong.json).toEqual({ ok: false, error: 'not found' });

    expect(await serverSideSockets(name)).toBeGreaterThan(0);
    await supervisor.stop();
    expect(supervisor.current.state).toBe('off');
    expect(clock.pending()).toBe(0);
    // The server counts our sockets down to zero and then forgets the client.
    let sockets: number | null = -1;
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      sockets = await serverSideSockets(name);
      if (sockets === null || sockets === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(sockets === null || sockets === 0).toBe(true);
  });

  it('(b) server killed and restarted: noticed by probe, reconnected with growing backoff, back on the same URL', async () => {
    const registrations: string[] = [];
    const fakeRegistrar = async (url: string) => {
      registrations.push(url);
    };
    const moved: PublicUrlChange[] = [];
    const { supervisor, changes, urls } = supervise({
      subdomain: null, // no name in the settings: the supervisor picks one and keeps it
      probeIntervalMs: 60_000, // long: the kill must be noticed through the socket-trouble hint and probes, not luck
      failedProbesBeforeRecreate: 2,
      backoff: { baseMs: 200, maxMs: 2000, jitter: 0.3 },
      random: () => 0.5,
    });
    supervisor.onUrlChanged((u) => fakeRegistrar(u.url));
    supervisor.onPublicUrlChanged((c) => moved.push(c));
    supervisor.start();
    const first = await until('the first tunnel', () => changes.find((c) => c.state === 'up'));
    expect(first.url).toBe(`http://${supervisor.wantedName}.localhost`);
    expect(registrations).toEqual([first.url]);

    await lt.kill();
    onTestFinished(() => lt.ensureRunning());
    // Wait until two reconnect attempts have failed against the dead server, so the backoff visibly grew.
    await until('two failed reconnect attempts', () => changes.some((c) => c.state === 'down' && c.failedAttempts >= 2), 30_000);
    const sinceKill = changes.slice(changes.indexOf(first) + 1);
    expect(sinceKill[0]!.state).toBe('degraded');
    expect(sinceKill[0]!.reason).toMatch(/^probe failed: /);
    const downs = sinceKill.filter((c) => c.state === 'down');
    expect(downs[0]!.reason).toMatch(/2 probes in a row failed/);
    expect(downs[1]!.reason).toMatch(/could not register with the tunnel server .*connection refused/);
    const delays = downs.map((d) => d.retryAt! - d.at);
    expect(delays[0]).toBe(Math.round(200 * 1.15));
    expect(delays[1]).toBe(Math.round(400 * 1.15));
    expect(registrations).toHaveLength(1);

    await lt.restart();
    const again = await until(
      'the tunnel up again after the restart',
      () => changes.slice(changes.indexOf(first) + 1).find((c) => c.state === 'up'),
      30_000,
    );
    // The same name was asked for at every attempt, and the restarted server granted it: the same URL.
    expect(again.url).toBe(first.url);
    expect(supervisor.current).toMatchObject({ state: 'up', url: first.url, failedAttempts: 0, subdomainGranted: true });
    expect(urls.map((u) => u.url)).toEqual([first.url]);
    expect(registrations).toEqual([first.url]);
    expect(moved).toEqual([]);
    const states = changes.map((c) => c.state);
    expect(states.slice(states.lastIndexOf('down'))).toEqual(['down', 'reconnecting', 'up']);

    // The URL a provider (or a person) was given before the restart carries webhooks again.
    const uid = `tunnel-b-${randomBytes(4).toString('hex')}`;
    const res = await viaTunnel(first.url + env.core.receiver.webhookPath, { body: messagePayload(uid) });
    expect(res.status).toBe(200);
    expect(env.core.store.listEvents({ limit: 10 }).some((e) => e.messageUid === uid)).toBe(true);
    await supervisor.stop();
  }, 90_000);

  /** Holds `name` on the test server with a session of its own, as a stale session of ours (or someone else) would. */
  async function holdName(name: string): Promise<TunnelSession> {
    const holder = await new LocaltunnelProvider({ host: lt.host }).open({
      localPort: env.core.receiver.port,
      requestedName: name,
      timeoutMs: 5000,
      signal: new AbortController().signal,
      onTrouble: () => {},
    });
    expect(holder.grantedName).toBe(name);
    return holder;
  }

  it('(c) a subdomain held by another session: asked for again with backoff, then the name handed out is used, and the state says so', async () => {
    const name = uniqueName('c');
    const holder = await holdName(name);
    try {
      const moved: PublicUrlChange[] = [];
      const { supervisor, changes, urls, logs } = supervise({
        subdomain: name,
        nameRetry: { windowMs: 3000, backoff: { baseMs: 300, maxMs: 1000, factor: 2, jitter: 0 } },
        onPublicUrlChanged: (c) => moved.push(c),
      });
      supervisor.start();
      const up = await until('the tunnel to come up', () => changes.find((c) => c.state === 'up'));
      const retries = changes.filter((c) => c.state === 'down');
      expect(retries.length).toBeGreaterThanOrEqual(2);
      for (const r of retries)
        expect(r.reason).toMatch(
          new RegExp(
            `^the server handed out "[a-z0-9-]+" instead of "${name}" \\(probably still held by our previous session\\); asking for "${name}" again in `,
          ),
        );
      expect(retries.map((r) => r.retryAt! - r.at)).toEqual(expect.arrayContaining([300, 600]));
      expect(up.subdomainGranted).toBe(false);
      expect(up.requestedSubdomain).toBe(name);
      expect(up.grantedSubdomain).not.toBe(name);
      expect(up.url).toBe(`http://${up.grantedSubdomain}.localhost`);
      expect(up.reason).toContain(`the subdomain "${name}" was not granted`);
      expect(up.reason).toContain(
        `times over 3 s, then settled on "${up.grantedSubdomain}" and asks for "${name}" again at the next reconnect or restart`,
      );
      expect(logs.some((l) => l.includes('was not granted') && l.includes('settled on'))).toBe(true);
      // The names handed out during the retries were closed, never probed, never announced.
      expect(urls.map((u) => u.url)).toEqual([up.url]);
      expect(moved).toEqual([]); // the first URL of a run (without a previous one) is no change
      const res = await viaTunnel(up.url! + env.core.receiver.webhookPath, { body: messagePayload(`tunnel-c-${name}`) });
      expect(res.status).toBe(200);
      await supervisor.stop();
    } finally {
      holder.close();
    }
  });

  it('(c) a subdomain held only for a while (our previous session): it comes back within the window and the URL never changes', async () => {
    const name = uniqueName('k');
    const holder = await holdName(name);
    let released = false;
    try {
      const { supervisor, changes, urls } = supervise({
        subdomain: name,
        lastPublicUrl: `http://${name}.localhost`,
        nameRetry: { windowMs: 60_000, backoff: { baseMs: 300, maxMs: 1000, factor: 2, jitter: 0 } },
      });
      const moved: PublicUrlChange[] = [];
      supervisor.onPublicUrlChanged((c) => moved.push(c));
      supervisor.start();
      await until('a retry for our name', () => changes.find((c) => c.state === 'down'));
      holder.close();
      released = true;
      const up = await until('the tunnel to come up', () => changes.find((c) => c.state === 'up'), 20_000);
      expect(up).toMatchObject({ url: `http://${name}.localhost`, grantedSubdomain: name, subdomainGranted: true, reason: null });
      expect(urls.map((u) => u.url)).toEqual([up.url]);
      expect(moved).toEqual([]);
      await supervisor.stop();
    } finally {
      if (!released) holder.close();
    }
  });

  it('(c) registration that never answers times out and is reported; a name the server refuses says why', async () => {
    const silent: Server = createHttpServer(() => {
      /* never answers: like a tunnel server that hangs */
    });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as { port: number }).port;
    try {
      const { supervisor, changes } = supervise({
        subdomain: uniqueName('t'),
        registrationTimeoutMs: 400,
        backoff: { baseMs: 60_000 },
      });
      supervisor.configure({ host: `http://127.0.0.1:${port}` });
      supervisor.start();
      const down = await until('registration to time out', () => changes.find((c) => c.state === 'down'), 10_000);
      expect(down.reason).toMatch(
        /could not register with the tunnel server http:\/\/127\.0\.0\.1:\d+: timed out after 400 ms; next attempt in/,
      );
      await supervisor.stop();
    } finally {
      silent.closeAllConnections();
      await new Promise((r) => silent.close(r));
    }

    // The settings never let such a name through; asked directly, the server's own refusal is reported.
    await expect(registerLocaltunnel(lt.host, 'Not_Valid', { timeoutMs: 3000, signal: new AbortController().signal })).rejects.toThrow(
      /refused the tunnel \(HTTP 403: Invalid subdomain/,
    );
  });

  it('(e) with the receiver not listening, the tunnel answers 502 at once and the probe says why', async () => {
    const closedPort = await new Promise<number>((resolve) => {
      const s = createHttpServer();
      s.listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const session = await new LocaltunnelProvider({ host: lt.host }).open({
      localPort: closedPort,
      requestedName: uniqueName('e'),
      timeoutMs: 5000,
      signal: new AbortController().signal,
      onTrouble: () => {},
    });
    try {
      const res = await viaTunnel(session.url + '/hooks/anything', { body: messagePayload('e') });
      expect(res.status).toBe(502);
      expect(res.text).toContain('Hookwatch is not receiving right now');
      const probe = await probePublicUrl(session.url, { timeoutMs: 3000, signal: new AbortController().signal });
      expect(probe).toEqual({ ok: false, reason: "probe failed: HTTP 502: the tunnel could not reach Hookwatch's receiver" });
    } finally {
      session.close();
    }
  });

  it('(f) a request the local server closes on without answering is replayed once on a fresh connection', async () => {
    // A stand-in for the receiver that drops the first connection the moment a request arrives (the keep-alive
    // race: it closed just as the tunnel server reused the socket), then answers normally.
    // (The tunnel also opens idle connections ahead of requests; only those that receive a request count here.)
    const requestsSeen: string[] = [];
    const local = createNetServer((sock) => {
      sock.on('error', () => {});
      sock.once('data', (d) => {
        requestsSeen.push(d.toString('latin1').split('\r\n')[0]!);
        if (requestsSeen.length === 1) {
          sock.destroy();
          return;
        }
        sock.end('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 8\r\nConnection: close\r\n\r\nreplayed');
      });
    });
    await new Promise<void>((r) => local.listen(0, '127.0.0.1', r));
    const session = await new LocaltunnelProvider({ host: lt.host }).open({
      localPort: (local.address() as { port: number }).port,
      requestedName: uniqueName('f'),
      timeoutMs: 5000,
      signal: new AbortController().signal,
      onTrouble: () => {},
    });
    try {
      const res = await viaTunnel(session.url + '/hooks/x', { body: { n: 1 } });
      expect(res.status).toBe(200);
      expect(res.text).toBe('replayed');
      expect(requestsSeen).toEqual(['POST /hooks/x HTTP/1.1', 'POST /hooks/x HTTP/1.1']);
    } finally {
      session.close();
      local.close();
    }
  });

  it('registration follows no redirect, not even to a real tunnel server: it is refused, and that server is never asked', async () => {
    const name = uniqueName('r');
    const redirector: Server = createHttpServer((req, res) => {
      res.writeHead(302, { location: `http://127.0.0.1${req.url}` });
      res.end();
    });
    await new Promise<void>((r) => redirector.listen(0, '127.0.0.1', r));
    try {
      const host = `http://127.0.0.1:${(redirector.address() as { port: number }).port}`;
      await expect(registerLocaltunnel(host, name, { timeoutMs: 3000, signal: new AbortController().signal })).rejects.toThrow(
        `the tunnel server ${host} answered with a redirect (HTTP 302 to http://127.0.0.1); Hookwatch follows no redirects from a tunnel server.`,
      );
      expect(await serverSideSockets(name)).toBeNull();
    } finally {
      redirector.close();
    }
  });

  it('(g) hookwatch serve opens the tunnel, prints public: once a probe passes, and points TimelinesAI at it', async () => {
    const token = 'tl-serve-register-token';
    const standin = await TimelinesStandIn.start({ token });
    const tmp = tempDir();
    const serve = await spawnServe(['--data', tmp.dir, '--port', '0', '--tunnel-host', lt.host, '--register'], {
      HOOKWATCH_TIMELINES_TOKEN: token,
      HOOKWATCH_TIMELINES_API_URL: standin.baseUrl,
      // The test server hands out http://<name>.localhost URLs; real registration refuses local URLs.
      HOOKWATCH_ALLOW_LOCAL_URL: '1',
    });
    try {
      const deadline = Date.now() + 20_000;
      while (!/^register: (done|incomplete)/m.test(serve.output()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      const out = serve.output();
      const publicUrl = /^public: (\S+)$/m.exec(out)?.[1];
      expect(publicUrl, out).toMatch(/^http:\/\/[a-z0-9-]+\.localhost\/hooks\/[A-Za-z0-9_-]{40,}$/);
      expect(out).toMatch(/^tunnel: connecting/m);
      expect(out).toMatch(/^tunnel: up http:\/\/[a-z0-9-]+\.localhost/m);
      expect(out, out).toMatch(/^register: done: 6 event types registered$/m);
      expect(out).toMatch(/^register: registering TimelinesAI webhooks at http:\/\/[a-z0-9-]+\.localhost\/hooks\/\{secret\}$/m);
      const ours = [...standin.webhooks.values()].filter((w) => !w.deleted);
      expect(ours.map((w) => w.url)).toEqual(Array(6).fill(publicUrl));
      expect(standin.violations).toEqual([]);
      const res = await viaTunnel(publicUrl!, { body: messagePayload('serve-tunnel-1') });
      expect(res.status).toBe(200);
      expect(res.json.events[0].type).toBe('message:received:new');
    } finally {
      serve.child.kill('SIGTERM');
      await new Promise((r) => serve.child.once('exit', r));
      await standin.close();
      tmp.cleanup();
    }
  });

  it('(h) first run through serve: a token pasted in the dashboard registers the chosen events at the tunnel URL', async () => {
    const token = 'tl-first-run-token';
    const standin = await TimelinesStandIn.start({ token });
    const tmp = tempDir();
    const serve = await spawnServe(['--data', tmp.dir, '--port', '0', '--tunnel-host', lt.host], {
      HOOKWATCH_TIMELINES_TOKEN: '',
      HOOKWATCH_TIMELINES_API_URL: standin.baseUrl,
      HOOKWATCH_ALLOW_LOCAL_URL: '1',
    });
    try {
      const deadline = Date.now() + 20_000;
      while (!/^public: /m.test(serve.output()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      const dashboard = new URL(/^dashboard: (\S+)$/m.exec(serve.output())![1]!);
      const call = async (method: string, args: unknown[]) => {
        const res = await fetch(new URL(`/api/${method}`, dashboard), {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-hookwatch-token': dashboard.searchParams.get('token')! },
          body: JSON.stringify(args),
        });
        expect(res.status).toBe(200);
        return (await res.json()) as any;
      };
      expect(await call('getSetup', [])).toMatchObject({ tokenConfigured: false, tokenStorage: 'this-run' });
      // Saving now also checks the token at once (issue 10): it works, and says how many accounts it sees.
      expect(await call('setTimelinesToken', [token])).toEqual({ ok: true, accounts: expect.any(Number) });
      const view = await call('registerWebhooks', [['whatsapp:account:disconnected', 'whatsapp:account:suspended']]);
      expect(view, JSON.stringify(view)).toMatchObject({
        ok: true,
        registered: ['whatsapp:account:disconnected', 'whatsapp:account:suspended'],
        problem: null,
      });
      expect(view.lines.join('\n')).toMatch(/hooks\/\{secret\}/);
      expect(view.lines.join('\n')).not.toContain(token);
      const publicUrl = /^public: (\S+)$/m.exec(serve.output())![1];
      expect([...standin.webhooks.values()].filter((w) => !w.deleted).map((w) => [w.event_type, w.url])).toEqual([
        ['whatsapp:account:disconnected', publicUrl],
        ['whatsapp:account:suspended', publicUrl],
      ]);
      expect(await call('getSetup', [])).toMatchObject({ tokenConfigured: true });
      expect(serve.output()).not.toContain(token);
      expect(standin.violations).toEqual([]);
    } finally {
      serve.child.kill('SIGTERM');
      await new Promise((r) => serve.child.once('exit', r));
      await standin.close();
      tmp.cleanup();
    }
  });

  it('(i) hookwatch serve restarted (stopped, then killed): the same public URL every time, from the name kept at first run', async () => {
    const tmp = tempDir();
    const runs: string[] = [];
    try {
      for (const stop of ['SIGTERM', 'SIGKILL', 'SIGTERM'] as const) {
        const serve = await spawnServe(['--data', tmp.dir, '--port', '0', '--tunnel-host', lt.host]);
        try {
          const deadline = Date.now() + 30_000;
          while (!/^public: /m.test(serve.output()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
          const out = serve.output();
          const publicUrl = /^public: (\S+)$/m.exec(out)?.[1];
          expect(publicUrl, out).toMatch(/^http:\/\/hw-[a-z0-9]{12}\.localhost\/hooks\/[A-Za-z0-9_-]{40,}$/);
          const name = /^http:\/\/(hw-[a-z0-9]{12})\./.exec(publicUrl!)![1];
          expect(out).toMatch(
            new RegExp(`^tunnel: connecting \\(opening a tunnel at ${lt.host.replace(/\./g, '\\.')} as "${name}"\\)$`, 'm'),
          );
          runs.push(publicUrl!);
          const res = await viaTunnel(publicUrl!, {
            body: messagePayload(`serve-restart-${runs.length}-${randomBytes(4).toString('hex')}`),
          });
          expect(res.status).toBe(200);
          // Only one URL was ever verified in this run.
          expect(out.match(/^public: /gm)).toHaveLength(1);
          expect(out).not.toContain('public URL changed');
        } finally {
          serve.child.kill(stop);
          await new Promise((r) => serve.child.once('exit', r));
        }
      }
      expect(runs).toEqual([runs[0], runs[0], runs[0]]);
    } finally {
      tmp.cleanup();
    }
  }, 120_000);

  it('(j) the core: a kept name at first run, the same URL after a restart (no change reported), a change reported once when the name changes', async () => {
    const tmp = tempDir();
    const moved: PublicUrlChange[] = [];
    const publics: string[] = [];
    const start = () =>
      HookwatchCore.start({
        dataDir: tmp.dir,
        port: 0,
        durability: 'normal',
        log: () => {},
        tunnel: { host: lt.host },
        setup: (c) => {
          c.onPublicUrlChanged((m) => moved.push(m));
          c.onPublicUrl((u) => publics.push(u));
        },
      });
    const upAt = async (core: HookwatchCore, url: string | null) =>
      until(
        `the tunnel up${url ? ` at ${url}` : ''}`,
        () => core.tunnel!.current.state === 'up' && (url === null || core.tunnel!.current.url === url) && core.tunnel!.current.url,
        20_000,
      );
    try {
      const first = await start();
      const kept = first.tunnelPreferences().subdomain!;
      expect(kept).toMatch(/^hw-[a-z0-9]{12}$/);
      const url1 = await upAt(first, `http://${kept}.localhost`);
      expect(first.store.meta.get('tunnelSettings')?.subdomain).toBe(kept);
      await first.stop();

      const second = await start();
      expect(second.tunnelPreferences()).toEqual({ host: lt.host, subdomain: kept });
      await upAt(second, url1);
      expect(moved).toEqual([]);
      const renamed = uniqueName('j');
      expect(second.setTunnelPreferences({ subdomain: renamed })).toEqual({ host: lt.host, subdomain: renamed });
      const url2 = await upAt(second, `http://${renamed}.localhost`);
      await until('the change reported', () => moved.length > 0);
      expect(moved.map((m) => [m.from, m.to])).toEqual([[url1, url2]]);
      await second.stop();

      const third = await start();
      await upAt(third, url2);
      expect(moved).toHaveLength(1);
      expect(publics).toEqual([url1, url1, url2, url2]); // every run's first URL is announced, for registration
      await third.stop();
    } finally {
      tmp.cleanup();
    }
  }, 90_000);

  it("(d) after the tunnel sat idle longer than Node's 60 s headersTimeout, POSTs through it still get 200", async () => {
    const { supervisor, changes } = supervise({ subdomain: uniqueName('d'), probeIntervalMs: 10 * 60_000 });
    supervisor.start();
    const up = await until('the tunnel to come up', () => changes.find((c) => c.state === 'up'));
    const hook = up.url! + env.core.receiver.webhookPath;
    const before = await viaTunnel(hook, { body: messagePayload(`tunnel-d-before-${randomBytes(4).toString('hex')}`) });
    expect(before.status).toBe(200);

    // Alongside, an idle connection straight to the receiver, like the ones the stock localtunnel client
    // pre-opens: a receiver with Node's default headersTimeout would write "408" into it after 60 s.
    const idle = connect(env.core.receiver.port, '127.0.0.1');
    let idleBytes = '';
    idle.on('data', (d) => (idleBytes += d));
    idle.on('error', () => {});
    await new Promise<void>((r) => idle.once('connect', () => r()));

    await new Promise((r) => setTimeout(r, 66_000));

    expect(idleBytes).toBe('');
    idle.destroy();
    const uids = Array.from({ length: 12 }, (_, i) => `tunnel-d-after-${i}-${randomBytes(4).toString('hex')}`);
    const sequential = [];
    for (const uid of uids.slice(0, 6)) sequential.push(await viaTunnel(hook, { body: messagePayload(uid) }));
    const parallel = await Promise.all(uids.slice(6).map((uid) => viaTunnel(hook, { body: messagePayload(uid) })));
    expect([...sequential, ...parallel].map((r) => r.status)).toEqual(Array(12).fill(200));
    const stored = new Set(env.core.store.listEvents({ limit: 100 }).map((e) => e.messageUid));
    for (const uid of uids) expect(stored.has(uid)).toBe(true);
    expect(supervisor.current.state).toBe('up');
    await supervisor.stop();
  }, 120_000);
});
