// How an account is named wherever a person reads it (cards, status, alerts, filters): pure, no imports.

/** What naming an account needs; every account shape of the contract has these. */
export interface NamedAccount {
  key: string;
  name: string | null;
  phone: string | null;
  accountId?: string | null;
  provider?: string | null;
}

/**
 * Its id as a person can read it: the phone, else the account id (a WhatsAble account is known only by its
 * UUID, shortened to 8 characters), else the key.
 */
export function accountId(a: NamedAccount): string {
  if (a.phone) return a.phone;
  const id = a.accountId ?? a.key;
  return id.length > 16 ? `${id.slice(0, 8)}…` : id;
}

/**
 * A card's title: its name, else its phone; an account known only by an id says whose id it is (a WhatsAble
 * webhook carries the WhatsAble account's UUID, never the business number).
 */
export function accountTitle(a: NamedAccount): string {
  if (a.name) return a.name;
  if (a.phone) return a.phone;
  return a.provider === 'whatsable' ? `WhatsAble account ${accountId(a)}` : accountId(a);
}

/** One line naming it: "Name (+phone or id)", else its title. */
export function accountLabel(a: NamedAccount): string {
  return a.name ? `${a.name} (${accountId(a)})` : accountTitle(a);
}

/**
 * A card's heading in two lines: the title, and under it the id when the title is not it ("WhatsAble account"
 * over "0b7f3c2e…"; "Sales desk" over "+15551234567"), so a long id never wraps the title.
 */
export function accountHeading(a: NamedAccount): { title: string; sub: string | null } {
  if (a.name) return { title: a.name, sub: a.phone || a.accountId ? accountId(a) : null };
  if (a.phone) return { title: a.phone, sub: null };
  return a.provider === 'whatsable' ? { title: 'WhatsAble account', sub: accountId(a) } : { title: accountId(a), sub: null };
}
