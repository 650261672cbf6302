/** A real WhatsAble webhook (the vendor's shape, POSTed to the receiver) puts its account on the board, watched by its activity. */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountTitle } from '../../main/contract/account-label.js';
import { createHookwatchService } from '../../main/core/api/create.js';
import { startCore } from '../support/harness.js';

const body = readFileSync(new URL('../fixtures/payloads/wa_incoming.json', import.meta.url));
const USER_ID = (JSON.parse(body.toString()) as { user_id: string }).user_id;

let env: Awaited<ReturnType<typeof startCore>>;
beforeAll(async () => (env = await startCore()));
afterAll(() => env.stop());

describe('WhatsAble: a webhook carries the WhatsAble account id, never the business number', () => {
  it('the account is a card keyed by that id, named as a WhatsAble account, and a part of the status', async () => {
    const res = await fetch(env.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(res.status).toBe(200);
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
});
