// The receiver keeps answering while a 200,000-account check from the TimelinesAI stand-in is being merged (real core, real SQLite).
import { describe, expect, it } from 'vitest';
import { HookwatchCore } from '../../main/core/core.js';
import { StaticTokenSource } from '../../main/core/providers/timelines/token-source.js';
import { fixturePayloads, postJson, tempDir } from '../support/harness.js';
import { TimelinesStandIn, type StandInAccount } from '../support/timelines-standin.js';

const ACCOUNTS = 200_000;

function standInAccounts(n: number): StandInAccount[] {
  return Array.from({ length: n }, (_, i) => {
    const phone = `+1555${String(i).padStart(7, '0')}`;
    return {
      id: `${phone.slice(1)}@s.whatsapp.net`,
      phone,
      connected_on: '2025-01-08 10:35:18 +0000',
      // One in a thousand is down: a few alerts, not 200,000 of them.
      status: i % 1000 === 999 ? 'disconnected' : 'Active',
      owner_name: 'Dana Owner',
      owner_email: 'dana.owner@example.com',
      account_name: `Account ${i}`,
    };
  });
}

describe('account check of a very large workspace', () => {
  it(
    'answers a webhook POST while a 200,000-account listing is still being merged, and finishes the merge',
    { timeout: 300_000 },
    async () => {
      const standin = await TimelinesStandIn.start({ token: 'tl-big-token-1', accounts: standInAccounts(ACCOUNTS) });
      const dir = tempDir();
      let merged = 0;
      let firstPart!: () => void;
      const mergeStarted = new Promise<void>((resolve) => (firstPart = resolve));
      let core: HookwatchCore | null = null;
      try {
        core = await HookwatchCore.start({
          dataDir: dir.dir,
          port: 0,
          durability: 'normal',
          log: () => {},
          timelines: { tokenSource: new StaticTokenSource('tl-big-token-1'), baseUrl: standin.baseUrl },
          setup: (c) =>
            c.alerts.onAccountsChanged((changed) => {
              merged += changed.length;
              firstPart();
            }),
        });
        await mergeStarted;
        expect(merged).toBeGreaterThan(0);
        const body = fixturePayloads().find((p) => p.name === 'tl_account_disconnected.json')!.body;
        const res = await postJson(core.receiver.localUrl, body);
        // Answered (and stored) while part of the listing was still waiting to be merged.
        const mergedWhenAnswered = merged;
        expect(res.status).toBe(200);
        expect(mergedWhenAnswered).toBeLessThan(ACCOUNTS);
        // The merge goes on to the end (bounded by the test's timeout).
        while (merged < ACCOUNTS) await new Promise((r) => setTimeout(r, 100));
        const accounts = core.alerts.accounts();
        expect(accounts.length).toBe(ACCOUNTS + 1);
        expect(accounts.filter((a) => a.state === 'disconnected').length).toBe(ACCOUNTS / 1000 + 1);
        expect(core.store.listAccountStates().length).toBe(ACCOUNTS + 1);
        expect(standin.violations).toEqual([]);
      } finally {
        await core?.stop();
        await standin.close();
        dir.cleanup();
      }
    },
  );
});
