// A tunnel server is trusted only as far as the user named it: no redirects, and tunnel connections only back to it.
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { LocaltunnelProvider, registerLocaltunnel } from '../../main/core/tunnel/localtunnel.js';
import { probePublicUrl } from '../../main/core/tunnel/probe.js';
import { TunnelSupervisor, type TunnelStateChange } from '../../main/core/tunnel/supervisor.js';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/** A TCP listener on `host` that counts the connections it gets (and keeps them open, like a tunnel server port). */
async function countingListener(host: string): Promise<{ port: number; count: () => number }> {
  let n = 0;
  const sockets = new Set<Socket>();
  const server: NetServer = createNetServer((sock) => {
    n++;
    sockets.add(sock);
    sock.on('error', () => {});
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  closers.push(async () => {
    for (const sock of sockets) sock.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
  return { port: (server.address() as { port: number }).port, count: () => n };
}

/** An HTTP server on `host` that answers every request with `answer(path)` and counts requests. */
async function httpServer(
  host: string,
  answer: (path: string) => { status: number; headers?: Record<string, string>; body?: unknown },
): Promise<{ url: string; requests: string[] }> {
  const requests: string[] = [];
  const server: Server = createHttpServer((req, res) => {
    requests.push(req.url ?? '');
    const a = answer(req.url ?? '/');
    res.writeHead(a.status, { 'content-type': 'application/json', ...a.headers });
    res.end(a.body === undefined ? '' : JSON.stringify(a.body));
  });
  await new Promise<void>((resolve) => server.listen(0, host, () => resolve()));
  closers.push(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });
  return { url: `http://${host}:${(server.address() as { port: number }).port}`, requests };
}

const NAME = 'trust-test-name';
const never = () => new AbortController().signal;

describe('a tunnel server cannot send our tunnel connections elsewhere', () => {
  it("an `ip` in the registration answer that is not the server's own address is refused before any connection", async () => {
    const elsewhere = await countingListener('127.0.0.2');
    const server = await httpServer('127.0.0.1', () => ({
      status: 200,
      body: { id: NAME, url: `http://${NAME}.localhost`, port: elsewhere.port, ip: '127.0.0.2', max_conn_count: 4 },
    }));
    const open = new LocaltunnelProvider({ host: server.url }).open({
      localPort: 9,
      requestedName: NAME,
      timeoutMs: 3000,
      signal: never(),
      onTrouble: () => {},
    });
    await expect(open).rejects.toThrow(
      new RegExp(
        `the tunnel server ${server.url.replace(/\./g, '\\.')} asked for the tunnel connections to go to 127\\.0\\.0\\.2, which is not its own address \\(127\\.0\\.0\\.1 is 127\\.0\\.0\\.1\\); refused`,
      ),
    );
    expect(server.requests).toEqual([`/${NAME}`]);
    expect(elsewhere.count()).toBe(0);
  });

  it('the supervisor reports the refusal as its state and keeps away from that address', async () => {
    const elsewhere = await countingListener('127.0.0.2');
    const server = await httpServer('127.0.0.1', () => ({
      status: 200,
      body: { id: NAME, url: `http://${NAME}.localhost`, port: elsewhere.port, ip: '127.0.0.2', max_conn_count: 4 },
    }));
    const changes: TunnelStateChange[] = [];
    const supervisor = new TunnelSupervisor({
      settings: { host: server.url, subdomain: NAME, localPort: 9 },
      registrationTimeoutMs: 3000,
      backoff: { baseMs: 60_000 },
      onStateChange: (c) => changes.push(c),
    });
    closers.push(() => supervisor.stop());
    supervisor.start();
    const state = await supervisor.settled();
    expect(state.state).toBe('down');
    expect(state.reason).toMatch(
      /asked for the tunnel connections to go to 127\.0\.0\.2, which is not its own address .*refused, so a tunnel server cannot send Hookwatch's connections to another machine.*next attempt in 1(\.\d)? min$/,
    );
    expect(changes.map((c) => c.state)).toEqual(['connecting', 'down']);
    expect(elsewhere.count()).toBe(0);
  });

  it('an `ip` that is not an address at all is refused without being looked up or echoed', async () => {
    const server = await httpServer('127.0.0.1', () => ({
      status: 200,
      body: { id: NAME, url: `http://${NAME}.localhost`, port: 1234, ip: 'evil.example\u001b[2J' },
    }));
    const err = await registerLocaltunnel(server.url, NAME, { timeoutMs: 3000, signal: never() }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/named an address for the tunnel connections that is not an IP address; refusing it/);
    expect((err as Error).message).not.toContain('evil');
  });

  it("an `ip` that is the server's own address is used (connections go there, to the port it named)", async () => {
    const port = await countingListener('127.0.0.1');
    const server = await httpServer('127.0.0.1', () => ({
      status: 200,
      body: { id: NAME, url: `http://${NAME}.localhost`, port: port.port, ip: '127.0.0.1', max_conn_count: 2 },
    }));
    const info = await registerLocaltunnel(server.url, NAME, { timeoutMs: 3000, signal: never() });
    expect(info).toMatchObject({ id: NAME, remoteHost: '127.0.0.1', remotePort: port.port, maxConnections: 2 });
    const session = await new LocaltunnelProvider({ host: server.url }).open({
      localPort: 9,
      requestedName: NAME,
      timeoutMs: 3000,
      signal: never(),
      onTrouble: () => {},
    });
    session.close();
    expect(port.count()).toBeGreaterThan(0);
  });
});

describe('registration and probe follow no redirect', () => {
  it('a registration answered with 302 to another listener fails with a reason; the other listener is never asked', async () => {
    const other = await httpServer('127.0.0.3', (path) => ({
      status: 200,
      body: { id: path.slice(1), url: `http://${path.slice(1)}.localhost`, port: 1234 },
    }));
    const redirector = await httpServer('127.0.0.1', (path) => ({ status: 302, headers: { location: `${other.url}${path}` } }));
    await expect(registerLocaltunnel(redirector.url, NAME, { timeoutMs: 3000, signal: never() })).rejects.toThrow(
      `the tunnel server ${redirector.url} answered with a redirect (HTTP 302 to ${other.url}); Hookwatch follows no redirects from a tunnel server. If you trust ${other.url}, set it as the tunnel host.`,
    );
    expect(redirector.requests).toEqual([`/${NAME}`]);
    expect(other.requests).toEqual([]);
  });

  it('a public URL answering 302 fails the probe without following it', async () => {
    const other = await httpServer('127.0.0.3', () => ({ status: 200, body: {} }));
    const redirector = await httpServer('127.0.0.1', (path) => ({ status: 302, headers: { location: `${other.url}${path}` } }));
    const result = await probePublicUrl(redirector.url, { timeoutMs: 3000, signal: never() });
    expect(result).toEqual({
      ok: false,
      reason: 'probe failed: HTTP 302: the public URL redirects elsewhere (not followed); it does not lead to Hookwatch',
    });
    expect(redirector.requests).toHaveLength(1);
    expect(other.requests).toEqual([]);
  });
});
