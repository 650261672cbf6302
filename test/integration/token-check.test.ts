/**
 * Issue 10 item 5: a TimelinesAI token is checked the moment it is set (the API's token save) and when
 * `serve` starts with one, against the spec-validating stand-in (test/support/timelines-standin.ts).
 */
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHookwatchService } from '../../main/core/api/create.js';
import { HookwatchCore } from '../../main/core/core.js';
import { EnvTokenSource, RuntimeTokenSource } from '../../main/core/providers/timelines/token-source.js';
import { spawnServe, tempDir } from '../support/harness.js';
import { TimelinesStandIn } from '../support/timelines-standin.js';

const TOKEN = 'tok_check_1234567890';
let api: TimelinesStandIn;
beforeAll(async () => (api = await TimelinesStandIn.start({ token: TOKEN })));
afterAll(async () => {
  expect(api.violations).toEqual([]);
  expect(api.responseViolations).toEqual([]);
  await api.close();
});

async function withService(baseUrl: string, run: (save: (t: string | null) => Promise<unknown>) => Promise<void>) {
  const tmp = tempDir();
  const tokens = new RuntimeTokenSource(new EnvTokenSource({}));
  const core = await HookwatchCore.start({ dataDir: tmp.dir, port: 0, log: () => {}, timelines: { tokenSource: tokens, baseUrl } });
  const service = createHookwatchService(core, {
    tokenStore: {
      storage: 'this-run',
      save: async (t) => {
        tokens.set(t);
        return { ok: true };
      },
    },
  });
  try {
    await run((t) => service.api.setTimelinesToken(t));
  } finally {
    service.close();
    await core.stop();
    tmp.cleanup();
  }
}

describe('the token is checked when it is saved (API)', () => {
  it('a working token: saved, and how many WhatsApp accounts it sees', async () => {
    await withService(api.baseUrl, async (save) => {
      expect(await save(TOKEN)).toEqual({ ok: true, accounts: 2 });
    });
    expect(api.requests.some((r) => r.method === 'GET' && r.path.endsWith('/whatsapp_accounts') && r.status === 200)).toBe(true);
  });

  it('a bad token (401): saved, and the problem says to copy it again', async () => {
    await withService(api.baseUrl, async (save) => {
      const r = (await save('tok_wrong_0987654321')) as { ok: boolean; problem: string };
      expect(r.ok).toBe(true);
      expect(r.problem).toMatch(/401.*copy it again/);
      expect(JSON.stringify(r)).not.toContain('tok_wrong_0987654321');
    });
  });

  it('no permission (403): the problem says so', async () => {
    api.failNext(
      { kind: 'custom', status: 403, body: JSON.stringify({ status: 'error', message: 'Forbidden', error_code: 'insufficient_scope' }) },
      1,
      { pathPrefix: '/whatsapp_accounts' },
    );
    await withService(api.baseUrl, async (save) => {
      expect(await save(TOKEN)).toMatchObject({ ok: true, problem: expect.stringMatching(/no permission.*403/) });
    });
  });

  it('unreachable: the problem says TimelinesAI could not be reached', async () => {
    // A port that was free a moment ago: nothing listens there.
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    await withService(`http://127.0.0.1:${port}/integrations/api`, async (save) => {
      expect(await save(TOKEN)).toMatchObject({ ok: true, problem: expect.stringMatching(/could not be reached/) });
    });
  });

  it('forgetting the token is not checked', async () => {
    await withService(api.baseUrl, async (save) => {
      expect(await save(null)).toEqual({ ok: true });
    });
  });
});

describe('serve checks a configured token at start', () => {
  it('prints one line: token works, N WhatsApp accounts', async () => {
    const tmp = tempDir();
    const s = await spawnServe(['--data', tmp.dir, '--port', '0', '--no-dashboard'], {
      HOOKWATCH_TIMELINES_TOKEN: TOKEN,
      HOOKWATCH_TIMELINES_API_URL: api.baseUrl,
    });
    try {
      await expect.poll(() => s.output(), { timeout: 15_000 }).toMatch(/^timelines: token works, 2 WhatsApp accounts$/m);
      expect(s.output()).not.toContain(TOKEN);
    } finally {
      s.child.kill('SIGTERM');
      await new Promise((r) => s.child.once('exit', r));
      tmp.cleanup();
    }
  });

  it('a bad token: the line says what is wrong and what to do', async () => {
    const tmp = tempDir();
    const s = await spawnServe(['--data', tmp.dir, '--port', '0', '--no-dashboard'], {
      HOOKWATCH_TIMELINES_TOKEN: 'tok_bad_serve_12345',
      HOOKWATCH_TIMELINES_API_URL: api.baseUrl,
    });
    try {
      await expect.poll(() => s.output(), { timeout: 15_000 }).toMatch(/^timelines: token check failed: .*401.*copy it again/m);
    } finally {
      s.child.kill('SIGTERM');
      await new Promise((r) => s.child.once('exit', r));
      tmp.cleanup();
    }
  });
});
