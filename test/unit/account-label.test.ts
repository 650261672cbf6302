/** The one way accounts are named (main/contract/account-label.ts): cards, status, alerts, the feed's filter and the CLI. */
import { describe, expect, it } from 'vitest';
import { accountHeading, accountId, accountLabel, accountTitle, type NamedAccount } from '../../main/contract/account-label.js';

const UUID = '0b7f3c2e-1a2b-4c3d-8e9f-a0b1c2d3e4f5';
const cases: Array<[string, NamedAccount, { id: string; title: string; label: string; heading: { title: string; sub: string | null } }]> = [
  [
    'name and phone',
    { key: '+15551234567', name: 'Sales', phone: '+15551234567' },
    { id: '+15551234567', title: 'Sales', label: 'Sales (+15551234567)', heading: { title: 'Sales', sub: '+15551234567' } },
  ],
  [
    'phone only',
    { key: '+15551234567', name: null, phone: '+15551234567' },
    { id: '+15551234567', title: '+15551234567', label: '+15551234567', heading: { title: '+15551234567', sub: null } },
  ],
  [
    'a WhatsAble account known by its id',
    { key: UUID, name: null, phone: null, accountId: UUID, provider: 'whatsable' },
    {
      id: '0b7f3c2e…',
      title: 'WhatsAble account 0b7f3c2e…',
      label: 'WhatsAble account 0b7f3c2e…',
      heading: { title: 'WhatsAble account', sub: '0b7f3c2e…' },
    },
  ],
  [
    'a named WhatsAble account',
    { key: UUID, name: 'Shop', phone: null, accountId: UUID, provider: 'whatsable' },
    { id: '0b7f3c2e…', title: 'Shop', label: 'Shop (0b7f3c2e…)', heading: { title: 'Shop', sub: '0b7f3c2e…' } },
  ],
  [
    'a short TimelinesAI id, no provider said',
    { key: 'acc-42', name: null, phone: null, accountId: 'acc-42' },
    { id: 'acc-42', title: 'acc-42', label: 'acc-42', heading: { title: 'acc-42', sub: null } },
  ],
  [
    'only a key',
    { key: 'k', name: 'Named', phone: null },
    { id: 'k', title: 'Named', label: 'Named (k)', heading: { title: 'Named', sub: null } },
  ],
];

describe('account names', () => {
  it.each(cases)('%s', (_, account, want) => {
    expect(accountId(account)).toBe(want.id);
    expect(accountTitle(account)).toBe(want.title);
    expect(accountLabel(account)).toBe(want.label);
    expect(accountHeading(account)).toEqual(want.heading);
  });
});
