import { describe, expect, it } from 'vitest';
import type { ProbeFunction, ProbeResult } from '../../main/core/tunnel/probe.js';
import type { TunnelOpenRequest, TunnelProvider, TunnelSession } from '../../main/core/tunnel/provider.js';
import {
  DEFAULT_TUNNEL_HOST,
  generateSubdomain,
  normalizeTunnelHost,
  resolveTunnelSettings,
  SUBDOMAIN_PATTERN,
  TunnelSettingsError,
  validateSubdomain,
} from '../../main/core/tunnel/settings.js';
import { backoffDelay, DEFAULT_BACKOFF } from '../../main/core/tunnel/state.js';
import {
  TunnelSupervisor,
  type TunnelClock,
  type TunnelStateChange,
  type TunnelSupervisorOptions,
  type TunnelUrlChange,
} from '../../main/core/tunnel/supervisor.js';

/** A manual clock: timers run only when the test advances time, so minutes of backoff take no time at all. */
class FakeClock implements TunnelClock {
  t = 1_700_000_000_000;
  private nextId = 0;
  private readonly timers = new Map<number, { at: number; fn: () => void; ms: number }>();
  /** Every delay ever scheduled, in order. */
  readonly scheduled: number[] = [];

  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.nextId;
    this.timers.set(id, { at: this.t + ms, fn, ms });
    this.scheduled.push(ms);
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }
  now(): number {
    return this.t;
  }
  pending(): number[] {
    return [...this.timers.values()].map((x) => x.at - this.t).sort((a, b) => a - b);
  }
  /** Moves time forward, running due timers in order and letting promises settle after each. */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    await settle();
    for (;;) {
      let next: [number, { at: number; fn: () => void }] | null = null;
      for (const entry of this.timers) if (entry[1].at <= end && (!next || entry[1].at < next[1].at)) next = entry;
      if (!next) break;
      this.timers.delete(next[0]);
      this.t = next[1].at;
      next[1].fn();
      await settle();
    }
    this.t = end;
    await settle();
  }
}

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((r) => setImmediate(r));
}

class FakeSession implements TunnelSession {
  closed = false;
  constructor(
    readonly url: string,
    readonly grantedName: string,
  ) {}
  close(): void {
    this.closed = true;
  }
}

type OpenOutcome = 'ok' | 'hang' | 'hang-ignoring-abort' | { fail: string } | { grant: string };

class FakeProvider implements TunnelProvider {
  readonly id = 'fake';
  readonly requests: TunnelOpenRequest[] = [];
  readonly sessions: FakeSession[] = [];
  /** What the next opens do, in order; afterwards every open succeeds. */
  outcomes: OpenOutcome[] = [];
  private lateResolvers: Array<() => void> = [];

  open(request: TunnelOpenRequest): Promise<TunnelSession> {
    this.requests.push(request);
    const outcome = this.outcomes.shift() ?? 'ok';
    if (outcome === 'hang') {
      return new Promise((_, reject) => request.signal.addEventListener('abort', () => reject(new Error('cancelled'))));
    }
    const make = (name: string) => {
      const s = new FakeSession(`https://${name}.loca.lt`, name);
      this.sessions.push(s);
      return s;
    };
    if (outcome === 'hang-ignoring-abort') {
      return new Promise((resolve) => this.lateResolvers.push(() => resolve(make(request.requestedName))));
    }
    if (typeof outcome === 'object' && 'fail' in outcome) return Promise.reject(new Error(outcome.fail));
    return Promise.resolve(make(typeof outcome === 'object' ? outcome.grant : request.requestedName));
  }
  resolveLate(): void {
    for (const r of this.lateResolvers.splice(0)) r();
  }
  get last(): FakeSession {
    return this.sessions[this.sessions.length - 1]!;
  }
}

/** A probe whose answers the test sets: `healthy`, or a queue of results taken first. */
function fakeProbe() {
  const state = { healthy: true, queue: [] as ProbeResult[], calls: [] as string[], hang: false, signals: [] as AbortSignal[] };
  const probe: ProbeFunction = (url, { signal }) => {
    state.calls.push(url);
    state.signals.push(signal);
    if (state.hang)
      return new Promise((resolve) => signal.addEventListener('abort', () => resolve({ ok: false, reason: 'probe failed: cancelled' })));
    const r =
      state.queue.shift() ??
      (state.healthy
        ? { ok: true as const }
        : { ok: false as const, reason: 'probe failed: HTTP 404: the tunnel server no longer knows this URL' });
    return Promise.resolve(r);
  };
  return Object.assign(state, { probe });
}

function setup(options: Partial<TunnelSupervisorOptions> & { subdomain?: string | null; random?: () => number } = {}) {
  const clock = new FakeClock();
  const provider = new FakeProvider();
  const probe = fakeProbe();
  const changes: TunnelStateChange[] = [];
  const urls: TunnelUrlChange[] = [];
  const logs: string[] = [];
  const { subdomain, ...rest } = options;
  const supervisor = new TunnelSupervisor({
    settings: { localPort: 8789, subdomain: subdomain === undefined ? 'acme-hooks' : subdomain },
    provider,
    probe: probe.probe,
    clock,
    random: () => 0,
    onStateChange: (c) => changes.push(c),
    onUrlChanged: (u) => {
      urls.push(u);
    },
    log: (l) => logs.push(l),
    ...rest,
  });
  const states = () => changes.map((c) => c.state);
  return { supervisor, clock, provider, probe, changes, urls, logs, states };
}

describe('backoffDelay', () => {
  it('doubles from about 1 s up to 5 min, adding up to 30 % jitter', () => {
    const low = Array.from({ length: 12 }, (_, i) => backoffDelay(i + 1, DEFAULT_BACKOFF, () => 0));
    expect(low).toEqual([1000, 2000, 4000, 8000, 16000, 32000, 64000, 128000, 256000, 300000, 300000, 300000]);
    const high = Array.from({ length: 12 }, (_, i) => backoffDelay(i + 1, DEFAULT_BACKOFF, () => 1));
    expect(high).toEqual(low.map((d) => d * 1.3));
    expect(backoffDelay(3, DEFAULT_BACKOFF, () => 0.5)).toBe(4600);
  });

  it('stays finite and bounded for absurd inputs', () => {
    expect(backoffDelay(10_000, DEFAULT_BACKOFF, () => 0.5)).toBe(345000);
    expect(backoffDelay(0, DEFAULT_BACKOFF, () => 0)).toBe(1000);
    expect(backoffDelay(2, DEFAULT_BACKOFF, () => 7)).toBe(2600);
  });
});

describe('tunnel settings', () => {
  it.each([
    ['acme-hooks', 'acme-hooks'],
    ['abcd', 'abcd'],
    ['  MyShop2  ', 'myshop2'],
    ['a1-b2-c3', 'a1-b2-c3'],
    ['x'.repeat(63), 'x'.repeat(63)],
  ])('accepts the subdomain %j as %j', (input, expected) => {
    expect(validateSubdomain(input)).toBe(expected);
    expect(SUBDOMAIN_PATTERN.test(expected)).toBe(true);
  });

  it.each([
    ['abc', /shorter than 4/],
    ['', /shorter than 4/],
    ['-acme', /start or end with a hyphen/],
    ['acme-', /start or end with a hyphen/],
    ['acme_hooks', /only letters a-z, digits and hyphens/],
    ['acme.hooks', /only letters a-z, digits and hyphens/],
    ['x'.repeat(70), /longer than 63/],
  ])('refuses the subdomain %j with a reason and an example', (input, why) => {
    expect(() => validateSubdomain(input)).toThrow(TunnelSettingsError);
    expect(() => validateSubdomain(input)).toThrow(why);
    expect(() => validateSubdomain(input)).toThrow(/e\.g\. "acme-hookwatch"/);
  });

  it('normalizes the tunnel host and refuses what is not a bare http(s) origin', () => {
    expect(normalizeTunnelHost('https://localtunnel.me/')).toBe('https://localtunnel.me');
    expect(normalizeTunnelHost(' http://tunnel.example.com:8080 ')).toBe('http://tunnel.example.com:8080');
    expect(() => normalizeTunnelHost('localtunnel.me')).toThrow(/not a URL/);
    expect(() => normalizeTunnelHost('ftp://x.example')).toThrow(/https:\/\/ or http:\/\//);
    expect(() => normalizeTunnelHost('https://u:p@x.example')).toThrow(/user name or password/);
    expect(() => normalizeTunnelHost('https://x.example/path')).toThrow(/without a path/);
  });

  it('fills defaults: on, the public service, no preferred subdomain', () => {
    expect(resolveTunnelSettings({ localPort: 8789 })).toEqual({
      enabled: true,
      host: DEFAULT_TUNNEL_HOST,
      subdomain: null,
      localPort: 8789,
    });
    expect(resolveTunnelSettings({ localPort: 1, subdomain: '  ' }).subdomain).toBeNull();
    expect(() => resolveTunnelSettings({ localPort: 0 })).toThrow(/local port/);
  });

  it('generates valid, different names', () => {
    const names = new Set(Array.from({ length: 50 }, () => generateSubdomain()));
    expect(names.size).toBe(50);
    for (const n of names) expect(SUBDOMAIN_PATTERN.test(n)).toBe(true);
  });

  it('the supervisor refuses a bad subdomain before any connection is made', () => {
    const provider = new FakeProvider();
    expect(() => new TunnelSupervisor({ settings: { localPort: 8789, subdomain: 'no_good' }, provider })).toThrow(TunnelSettingsError);
    expect(provider.requests).toHaveLength(0);
  });
});

describe('TunnelSupervisor state machine (fake clock, fake provider, fake probe)', () => {
  it('connecting -> up once the first probe passes; announces the URL once; probes every minute', async () => {
    const t = setup();
    t.supervisor.start();
    expect(t.states()).toEqual(['connecting']);
    await t.clock.advance(0);
    expect(t.states()).toEqual(['connecting', 'up']);
    expect(t.changes[1]).toMatchObject({
      url: 'https://acme-hooks.loca.lt',
      reason: null,
      subdomainGranted: true,
      grantedSubdomain: 'acme-hooks',
      provider: 'fake',
    });
    expect(t.urls).toEqual([{ url: 'https://acme-hooks.loca.lt', previousUrl: null, at: t.clock.t }]);
    expect(t.provider.requests[0]).toMatchObject({ localPort: 8789, requestedName: 'acme-hooks', timeoutMs: 15_000 });
    expect(t.probe.calls).toHaveLength(1);
    expect(t.clock.pending()).toEqual([60_000]);
    await t.clock.advance(5 * 60_000);
    expect(t.probe.calls).toHaveLength(6);
    expect(t.states()).toEqual(['connecting', 'up']);
    expect(t.urls).toHaveLength(1);
  });

  it('one failed probe makes it degraded and probes again soon; a pass makes it up again without a new URL', async () => {
    const t = setup();
    t.supervisor.start();
    await t.clock.advance(0);
    t.probe.healthy = false;
    await t.clock.advance(60_000);
    expect(t.supervisor.current).toMatchObject({ state: 'degraded', url: 'https://acme-hooks.loca.lt' });
    expect(t.supervisor.current.reason).toBe(
      'probe failed: HTTP 404: the tunnel server no longer knows this URL (1 of 3 before the tunnel is replaced)',
    );
    expect(t.clock.pending()).toEqual([10_000]);
    t.probe.healthy = true;
    await t.clock.advance(10_000);
    expect(t.states()).toEqual(['connecting', 'up', 'degraded', 'up']);
    expect(t.urls).toHaveLength(1);
    expect(t.provider.sessions[0]!.closed).toBe(false);
  });

  it('three failed probes close the tunnel, wait with backoff, and reopen it under the same name (not announced again)', async () => {
    const t = setup({ subdomain: null });
    t.supervisor.start();
    await t.clock.advance(0);
    const first = t.provider.last;
    expect(first.grantedName).toMatch(/^hw-[a-z0-9]{12}$/);
    t.probe.healthy = false;
    await t.clock.advance(60_000 + 10_000 + 10_000);
    expect(first.closed).toBe(true);
    const down = t.supervisor.current;
    expect(down).toMatchObject({ state: 'down', url: null, failedAttempts: 1, retryAt: t.clock.t + 1000 });
    expect(down.reason).toBe('3 probes in a row failed (last: HTTP 404: the tunnel server no longer knows this URL); next attempt in 1 s');
    t.probe.healthy = true;
    await t.clock.advance(999);
    expect(t.provider.requests).toHaveLength(1);
    await t.clock.advance(1);
    expect(t.provider.requests).toHaveLength(2);
    expect(t.states()).toEqual(['connecting', 'up', 'degraded', 'degraded', 'down', 'reconnecting', 'up']);
    const second = t.provider.last;
    expect(second).not.toBe(first);
    // No setting named a subdomain: the name picked at the start is asked for again, so the URL stays.
    expect(t.provider.requests.map((r) => r.requestedName)).toEqual([first.grantedName, first.grantedName]);
    expect(second.url).toBe(first.url);
    expect(t.urls.map((u) => [u.url, u.previousUrl])).toEqual([[first.url, null]]);
    expect(t.supervisor.current).toMatchObject({ failedAttempts: 0, requestedSubdomain: first.grantedName, subdomainGranted: true });
  });

  it('the same preferred subdomain granted again after a recreate is up again, but not announced as a new URL', async () => {
    const t = setup();
    t.supervisor.start();
    await t.clock.advance(0);
    t.probe.healthy = false;
    await t.clock.advance(80_000);
    t.probe.healthy = true;
    await t.clock.advance(2_000);
    expect(t.states().slice(-2)).toEqual(['reconnecting', 'up']);
    expect(t.provider.sessions).toHaveLength(2);
    expect(t.urls).toHaveLength(1);
  });

  it('failed registrations back off exponentially with jitter, up to the cap, then recover and reset', async () => {
    const t = setup({ random: () => 0.5, backoff: { maxMs: 60_000 } });
    t.provider.outcomes = Array.from({ length: 9 }, () => ({
      fail: 'could not register with the tunnel server https://localtunnel.me: connection refused',
    }));
    t.supervisor.start();
    const delays: number[] = [];
    const reasons: string[] = [];
    for (let i = 0; i < 9; i++) {
      await t.clock.advance(0);
      const s = t.supervisor.current;
      expect(s.state).toBe('down');
      expect(s.failedAttempts).toBe(i + 1);
      delays.push(s.retryAt! - s.at);
      reasons.push(s.reason!);
      await t.clock.advance(s.retryAt! - t.clock.t);
    }
    expect(delays).toEqual([1150, 2300, 4600, 9200, 18400, 36800, 69000, 69000, 69000]);
    expect(reasons[0]).toBe('could not register with the tunnel server https://localtunnel.me: connection refused; next attempt in 1.1 s');
    expect(reasons[8]).toBe(
      'could not register with the tunnel server https://localtunnel.me: connection refused; next attempt in 1.1 min',
    );
    expect(t.supervisor.current).toMatchObject({ state: 'up', failedAttempts: 0 });
    expect(t.provider.requests).toHaveLength(10);
    expect(t.states().filter((s) => s === 'reconnecting')).toHaveLength(9);
  });

  it("a registration that never settles is cut by the supervisor's own deadline, and a late session is closed", async () => {
    const t = setup({ registrationTimeoutMs: 5000 });
    t.provider.outcomes = ['hang-ignoring-abort'];
    t.supervisor.start();
    await t.clock.advance(6000);
    expect(t.supervisor.current.state).toBe('down');
    expect(t.supervisor.current.reason).toMatch(
      /^registration with https:\/\/localtunnel\.me did not finish within 5 s; next attempt in 1 s$/,
    );
    expect(t.provider.requests[0]!.signal.aborted).toBe(true);
    t.provider.resolveLate();
    await t.clock.advance(0);
    expect(t.provider.sessions[0]!.closed).toBe(true);
    await t.clock.advance(1000);
    expect(t.supervisor.current.state).toBe('up');
    expect(t.provider.last.closed).toBe(false);
  });

  it('a subdomain that was not granted is reported in the state and the log, and the tunnel is still used', async () => {
    // No window for asking again: the name handed out is used at once (the retries have their own tests).
    const t = setup({ nameRetry: { windowMs: 0 } });
    t.provider.outcomes = [{ grant: 'funny-cat-42' }];
    t.supervisor.start();
    await t.clock.advance(0);
    const up = t.supervisor.current;
    expect(up).toMatchObject({
      state: 'up',
      url: 'https://funny-cat-42.loca.lt',
      requestedSubdomain: 'acme-hooks',
      grantedSubdomain: 'funny-cat-42',
      subdomainGranted: false,
    });
    expect(up.reason).toContain('the subdomain "acme-hooks" was not granted; the server handed out "funny-cat-42"');
    expect(t.logs.join('\n')).toContain('was not granted');
    expect(t.urls.map((u) => u.url)).toEqual(['https://funny-cat-42.loca.lt']);
    // The report survives a degraded spell.
    t.probe.queue.push({ ok: false, reason: 'probe failed: timed out after 10 s' });
    await t.clock.advance(60_000 + 10_000);
    expect(t.states()).toEqual(['connecting', 'up', 'degraded', 'up']);
    expect(t.supervisor.current.subdomainGranted).toBe(false);
    expect(t.supervisor.current.reason).toContain('was not granted');
  });

  it('first probes of a new tunnel that keep failing never report it up; the attempt counts as failed', async () => {
    const t = setup();
    t.probe.healthy = false;
    t.supervisor.start();
    await t.clock.advance(20_000);
    expect(t.states()).toEqual(['connecting', 'down']);
    expect(t.supervisor.current.reason).toMatch(/^the new tunnel https:\/\/acme-hooks\.loca\.lt failed 3 probes: probe failed: HTTP 404/);
    expect(t.urls).toHaveLength(0);
    expect(t.provider.sessions[0]!.closed).toBe(true);
  });

  it('socket trouble reported by the provider triggers a probe at once (only while live)', async () => {
    const t = setup();
    t.supervisor.start();
    await t.clock.advance(0);
    expect(t.probe.calls).toHaveLength(1);
    t.probe.healthy = false;
    t.provider.requests[0]!.onTrouble("cannot reach the tunnel server's port 4321: connection refused");
    await t.clock.advance(0);
    expect(t.probe.calls).toHaveLength(2);
    expect(t.supervisor.current.state).toBe('degraded');
    expect(t.logs).toContain("tunnel: cannot reach the tunnel server's port 4321: connection refused");
    // A hint from a session that was already replaced is ignored.
    await t.clock.advance(20_000);
    expect(t.supervisor.current.state).toBe('down');
    const calls = t.probe.calls.length;
    t.provider.requests[0]!.onTrouble('late');
    await t.clock.advance(0);
    expect(t.probe.calls).toHaveLength(calls);
  });

  it('recheck() after wake: probes now; a failing tunnel is replaced at once, without backoff', async () => {
    const t = setup({ subdomain: null });
    t.supervisor.start();
    await t.clock.advance(0);
    await t.clock.advance(30_000);
    t.probe.queue.push({ ok: true });
    t.supervisor.recheck();
    await t.clock.advance(0);
    expect(t.probe.calls).toHaveLength(2);
    expect(t.states()).toEqual(['connecting', 'up']);
    expect(t.clock.pending()).toEqual([60_000]);

    t.probe.queue.push({ ok: false, reason: 'probe failed: the connection was reset' });
    const after = await t.supervisor.recheck();
    expect(after).toMatchObject({ state: 'up', url: t.provider.last.url });
    expect(t.states()).toEqual(['connecting', 'up', 'down', 'reconnecting', 'up']);
    expect(t.changes[2]!.reason).toBe('re-check failed: probe failed: the connection was reset; opening a new tunnel');
    expect(t.provider.sessions[0]!.closed).toBe(true);
    expect(t.provider.sessions).toHaveLength(2);
    // The new tunnel asked for the same name, so its URL is the same and is not announced again.
    expect(t.provider.requests[1]!.requestedName).toBe(t.provider.requests[0]!.requestedName);
    expect(t.urls).toHaveLength(1);
  });

  it('recheck() while down skips the rest of the backoff', async () => {
    const t = setup();
    t.provider.outcomes = [{ fail: 'network unreachable' }, { fail: 'network unreachable' }];
    t.supervisor.start();
    await t.clock.advance(0);
    await t.clock.advance(1000);
    expect(t.supervisor.current).toMatchObject({ state: 'down', failedAttempts: 2 });
    expect(t.clock.pending()).toEqual([2000]);
    t.supervisor.recheck();
    await t.clock.advance(0);
    expect(t.supervisor.current.state).toBe('up');
    expect(t.provider.requests).toHaveLength(3);
  });

  it('stop() ends everything: no timers, the session closed, requests in flight aborted, late results dropped', async () => {
    const t = setup();
    t.supervisor.start();
    await t.clock.advance(0);
    await t.supervisor.stop();
    expect(t.supervisor.current.state).toBe('off');
    expect(t.clock.pending()).toEqual([]);
    expect(t.provider.last.closed).toBe(true);

    const u = setup();
    u.provider.outcomes = ['hang'];
    u.supervisor.start();
    await u.clock.advance(0);
    await u.supervisor.stop();
    expect(u.provider.requests[0]!.signal.aborted).toBe(true);
    expect(u.clock.pending()).toEqual([]);
    expect(u.states()).toEqual(['connecting', 'off']);

    const v = setup();
    v.supervisor.start();
    await v.clock.advance(0);
    v.probe.hang = true;
    await v.clock.advance(60_000);
    expect(v.probe.signals).toHaveLength(2);
    await v.supervisor.stop();
    expect(v.probe.signals[1]!.aborted).toBe(true);
    expect(v.states()).toEqual(['connecting', 'up', 'off']);
    expect(v.clock.pending()).toEqual([]);

    const w = setup();
    w.provider.outcomes = ['hang-ignoring-abort'];
    w.supervisor.start();
    await w.clock.advance(0);
    const stopping = w.supervisor.stop();
    w.provider.resolveLate();
    await stopping;
    await w.clock.advance(0);
    expect(w.provider.sessions[0]!.closed).toBe(true);
    expect(w.clock.pending()).toEqual([]);
    expect(w.states()).toEqual(['connecting', 'off']);
  });

  it('switched off: never connects; configure() turns it on and off and replaces the tunnel only when needed', async () => {
    const t = setup();
    t.supervisor.configure({ enabled: false });
    t.supervisor.start();
    await t.clock.advance(0);
    expect(t.provider.requests).toHaveLength(0);
    expect(t.supervisor.current).toMatchObject({ state: 'off', reason: 'the tunnel is switched off' });

    t.supervisor.configure({ enabled: true });
    await t.clock.advance(0);
    expect(t.supervisor.current.state).toBe('up');
    t.supervisor.configure({ enabled: true, subdomain: 'acme-hooks' });
    await t.clock.advance(0);
    expect(t.provider.requests).toHaveLength(1);

    t.supervisor.configure({ subdomain: 'other-name' });
    await t.clock.advance(0);
    expect(t.provider.requests).toHaveLength(2);
    expect(t.provider.sessions[0]!.closed).toBe(true);
    expect(t.supervisor.current).toMatchObject({ state: 'up', url: 'https://other-name.loca.lt' });
    expect(t.urls.map((u) => u.url)).toEqual(['https://acme-hooks.loca.lt', 'https://other-name.loca.lt']);

    expect(() => t.supervisor.configure({ subdomain: 'x' })).toThrow(TunnelSettingsError);
    expect(t.supervisor.current.state).toBe('up');

    t.supervisor.configure({ enabled: false });
    expect(t.supervisor.current.state).toBe('off');
    expect(t.provider.sessions[1]!.closed).toBe(true);
    expect(t.clock.pending()).toEqual([]);
  });

  it('a listener that throws or rejects is logged and does not disturb the machine', async () => {
    const t = setup();
    t.supervisor.onStateChange(() => {
      throw new Error('boom in a state listener');
    });
    t.supervisor.onUrlChanged(async () => {
      throw new Error('registration failed');
    });
    t.supervisor.start();
    await t.clock.advance(0);
    expect(t.supervisor.current.state).toBe('up');
    expect(t.urls).toHaveLength(1);
    expect(t.logs).toContain('tunnel: a state listener failed: boom in a state listener');
    expect(t.logs).toContain('tunnel: a url-changed listener failed: registration failed');
  });

  it('a provider that throws synchronously is a failed attempt, not a stuck state', async () => {
    const t = setup();
    const broken: TunnelProvider = {
      id: 'broken',
      open() {
        throw new Error('native module missing');
      },
    };
    const changes: TunnelStateChange[] = [];
    const s = new TunnelSupervisor({
      settings: { localPort: 8789 },
      provider: broken,
      clock: t.clock,
      random: () => 0,
      onStateChange: (c) => changes.push(c),
    });
    s.start();
    await t.clock.advance(0);
    expect(changes.map((c) => c.state)).toEqual(['connecting', 'down']);
    expect(changes[1]!.reason).toBe('native module missing; next attempt in 1 s');
    await s.stop();
  });
});

describe('TunnelSupervisor keeps one public URL (fake clock, fake provider, fake probe)', () => {
  it('without a subdomain in the settings, one random name is picked and asked for at every attempt', async () => {
    const t = setup({ subdomain: null });
    const name = t.supervisor.wantedName;
    expect(SUBDOMAIN_PATTERN.test(name)).toBe(true);
    t.provider.outcomes = [{ fail: 'connection refused' }, { fail: 'connection refused' }];
    t.supervisor.start();
    await t.clock.advance(0);
    await t.clock.advance(1000);
    await t.clock.advance(2000);
    expect(t.supervisor.current).toMatchObject({
      state: 'up',
      url: `https://${name}.loca.lt`,
      requestedSubdomain: name,
      subdomainGranted: true,
    });
    // A change of server keeps the name too.
    t.supervisor.configure({ host: 'https://tunnel.example.com' });
    await t.clock.advance(0);
    expect(t.provider.requests.map((r) => r.requestedName)).toEqual([name, name, name, name]);
    // A second supervisor (another run without a kept name) picks another one.
    expect(setup({ subdomain: null }).supervisor.wantedName).not.toBe(name);
  });

  it('another name handed out: that tunnel is closed at once and ours asked for again with backoff until it comes back', async () => {
    const t = setup({ random: () => 0 });
    t.provider.outcomes = [{ grant: 'funny-cat-42' }, { grant: 'sad-dog-7' }];
    t.supervisor.start();
    await t.clock.advance(0);
    expect(t.provider.sessions[0]!.closed).toBe(true);
    expect(t.probe.calls).toEqual([]);
    const first = t.supervisor.current;
    expect(first).toMatchObject({ state: 'down', url: null, failedAttempts: 0, retryAt: t.clock.t + 2000 });
    expect(first.reason).toBe(
      'the server handed out "funny-cat-42" instead of "acme-hooks" (probably still held by our previous session); ' +
        'asking for "acme-hooks" again in 2 s, and using another name only if it is still taken 10 min from now',
    );
    await t.clock.advance(2000);
    expect(t.provider.sessions[1]!.closed).toBe(true);
    expect(t.supervisor.current.retryAt).toBe(t.clock.t + 4000);
    await t.clock.advance(4000);
    expect(t.supervisor.current).toMatchObject({ state: 'up', url: 'https://acme-hooks.loca.lt', subdomainGranted: true, reason: null });
    expect(t.provider.requests.map((r) => r.requestedName)).toEqual(['acme-hooks', 'acme-hooks', 'acme-hooks']);
    expect(t.states()).toEqual(['connecting', 'down', 'reconnecting', 'down', 'reconnecting', 'up']);
    // Only our URL was ever probed or announced.
    expect(t.probe.calls).toEqual(['https://acme-hooks.loca.lt']);
    expect(t.urls.map((u) => u.url)).toEqual(['https://acme-hooks.loca.lt']);
  });

  it('a name taken for the whole window: retries (pauses cut to the window), then settles on the one handed out and says so', async () => {
    const t = setup({ random: () => 0, nameRetry: { windowMs: 60_000, backoff: { baseMs: 5000, maxMs: 20_000 } } });
    t.provider.outcomes = Array.from({ length: 20 }, (_, i) => ({ grant: `other-name-${i}` }));
    t.supervisor.start();
    const delays: number[] = [];
    for (let i = 0; i < 20 && t.supervisor.current.state !== 'up'; i++) {
      await t.clock.advance(0);
      const s = t.supervisor.current;
      if (s.state !== 'down') break;
      delays.push(s.retryAt! - s.at);
      await t.clock.advance(s.retryAt! - t.clock.t);
    }
    // 5 + 10 + 20 + 20 s, then what is left of the minute (5 s); the attempt at the end of the window settles.
    expect(delays).toEqual([5000, 10_000, 20_000, 20_000, 5000]);
    const up = t.supervisor.current;
    expect(up).toMatchObject({
      state: 'up',
      url: 'https://other-name-5.loca.lt',
      requestedSubdomain: 'acme-hooks',
      grantedSubdomain: 'other-name-5',
      subdomainGranted: false,
    });
    expect(up.reason).toBe(
      'the subdomain "acme-hooks" was not granted; the server handed out "other-name-5" (the name is probably still held by an earlier session, ' +
        'or by someone else); asked for it 6 times over 1 min, then settled on "other-name-5" and asks for "acme-hooks" again at the next reconnect or restart. ' +
        'Webhooks will use https://other-name-5.loca.lt.',
    );
    expect(t.logs.some((l) => l.includes('settled on "other-name-5"'))).toBe(true);
    expect(t.provider.sessions.slice(0, 5).every((s) => s.closed)).toBe(true);
    expect(t.provider.last.closed).toBe(false);

    // A later reconnect asks for our name again; still taken, the window is spent: the name handed out is used at once.
    t.probe.healthy = false;
    await t.clock.advance(80_000);
    t.probe.healthy = true;
    await t.clock.advance(1000);
    expect(t.provider.requests.at(-1)!.requestedName).toBe('acme-hooks');
    expect(t.supervisor.current).toMatchObject({ state: 'up', url: 'https://other-name-6.loca.lt' });

    // Granted again: back on our URL, and the next refusal gets a fresh window.
    t.probe.healthy = false;
    await t.clock.advance(80_000);
    t.probe.healthy = true;
    t.provider.outcomes = [];
    await t.clock.advance(1000);
    expect(t.supervisor.current).toMatchObject({ state: 'up', url: 'https://acme-hooks.loca.lt', subdomainGranted: true, reason: null });
    t.provider.outcomes = [{ grant: 'late-holder' }];
    t.supervisor.configure({ subdomain: 'acme-hooks-2' });
    await t.clock.advance(0);
    expect(t.supervisor.current).toMatchObject({ state: 'down', retryAt: t.clock.t + 5000 });
  });

  it('"public URL changed" fires only on a real change: not for the first URL, a reconnect or a restart on the same URL', async () => {
    const changes: Array<{ from: string; to: string }> = [];
    const t = setup({ onPublicUrlChanged: (c) => changes.push({ from: c.from, to: c.to }), nameRetry: { windowMs: 0 } });
    t.supervisor.start();
    await t.clock.advance(0);
    expect(t.supervisor.current.url).toBe('https://acme-hooks.loca.lt');
    // The first URL of the first run is not a change.
    expect(changes).toEqual([]);
    // Probes fail, the tunnel is recreated on the same name: not a change.
    t.probe.healthy = false;
    await t.clock.advance(80_000);
    t.probe.healthy = true;
    await t.clock.advance(1000);
    expect(t.provider.sessions).toHaveLength(2);
    expect(changes).toEqual([]);
    // The server hands out another name (settled at once here): a change, and back again: a change.
    t.provider.outcomes = [{ grant: 'funny-cat-42' }];
    t.supervisor.configure({ host: 'https://tunnel.example.com' });
    await t.clock.advance(0);
    t.supervisor.configure({ host: 'https://localtunnel.me' });
    await t.clock.advance(0);
    expect(changes).toEqual([
      { from: 'https://acme-hooks.loca.lt', to: 'https://funny-cat-42.loca.lt' },
      { from: 'https://funny-cat-42.loca.lt', to: 'https://acme-hooks.loca.lt' },
    ]);
    expect(t.logs).toContain('tunnel: the public URL changed from https://acme-hooks.loca.lt to https://funny-cat-42.loca.lt');
    await t.supervisor.stop();

    // The next run, told the last run's URL: the same URL is no change, another one is.
    const same: unknown[] = [];
    const u = setup({ lastPublicUrl: 'https://acme-hooks.loca.lt' });
    u.supervisor.onPublicUrlChanged((c) => same.push(c));
    u.supervisor.start();
    await u.clock.advance(0);
    expect(u.supervisor.current.state).toBe('up');
    expect(same).toEqual([]);
    const moved: unknown[] = [];
    const v = setup({ subdomain: 'new-name', lastPublicUrl: 'https://acme-hooks.loca.lt' });
    v.supervisor.onPublicUrlChanged((c) => moved.push(c));
    v.supervisor.onPublicUrlChanged(() => {
      throw new Error('boom');
    });
    v.supervisor.start();
    await v.clock.advance(0);
    expect(moved).toEqual([{ from: 'https://acme-hooks.loca.lt', to: 'https://new-name.loca.lt', at: v.clock.t }]);
    expect(v.logs).toContain('tunnel: a public-url-changed listener failed: boom');
    // Whereas onUrlChanged (the moment to re-register) fires for every run's first URL.
    expect(u.urls).toHaveLength(1);
  });
});
