/** A real WhatsAble webhook (the vendor's shape, POSTed to the receiver) puts its account on the board, watched by its activity. */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountTitle } from '../../main/contract/account-label.js';
import { createHookwatchService } from '../../main/core/api/create.js';
import { runHookwatch, startCore } from '../support/harness.js';

const body = readFileSync(new URL('../fixtures/payloads/wa_incoming.json', import.meta.url));
const USER_ID = (JSON.parse(body.toString()) as { user_id: string }).user_id;

let env: Awaited<ReturnType<typeof startCore>>;
let answered: number;
beforeAll(async () => {
  env = await startCore();
  answered = (await fetch(env.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body })).status;
});
afterAll(() => env.stop());

describe('WhatsAble: a webhook carries the WhatsAble account id, never the business number', () => {
  it('the account is a card keyed by that id, named as a WhatsAble account, and a part of the status', async () => {
    expect(answered).toBe(200);
    const service = createHookwatchService(env.core);
    try {
      const board = await service.api.listAccounts();
      if (!board.tracking.available) throw new Error('tracking should be available');
      const card = board.tracking.accounts.find((c) => c.key === USER_ID);
      expect(card).toMatchObject({ phone: null, accountId: USER_ID, activity: { provider: 'whatsable', silentSince: null } });
      // The customer (phone_number, recipient_name) is the chat, never the card's name.
      expect(card!.name).toBeNull();
      expect(accountTitle({ ...card!, provider: card!.activity!.provider })).toBe(`WhatsAble account ${USER_ID.slice(0, 8)}…`);
      const status = await service.api.getStatus();
      expect(JSON.stringify(status)).not.toContain('no number seen yet');
    } finally {
      service.close();
    }
  });

  it('hookwatch accounts lists it too (the same cards as the window), within 80 columns and in JSON', async () => {
    const t = await runHookwatch(['accounts', '--data', env.dataDir], { COLUMNS: '80' });
    expect(t.code).toBe(0);
    const row = t.stdout.split('\n').find((l) => l.startsWith(`${USER_ID.slice(0, 8)}…`));
    expect(row).toMatch(/^\S+ +WhatsAble +no status +message:/);
    for (const line of t.stdout.trimEnd().split('\n')) expect(line.length).toBeLessThanOrEqual(80);
    const j = await runHookwatch(['accounts', '--data', env.dataDir, '--format', 'json']);
    expect(JSON.parse(j.stdout)).toContainEqual(
      expect.objectContaining({
        key: USER_ID,
        phone: null,
        accountId: USER_ID,
        source: 'activity',
        provider: 'whatsable',
        silentSince: null,
      }),
    );
  });
});
