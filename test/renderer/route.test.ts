// The page's hash routes: what a link says is what the page opens, for every kind of account key.
import { describe, expect, test } from 'vitest';
import { formatHash, parseHash, type Route } from '../../renderer/src/lib/route.js';

describe('hash routes', () => {
  test.each<[string, Route]>([
    ['#/feed', { screen: 'feed', eventId: null }],
    ['#/feed/123', { screen: 'feed', eventId: 123 }],
    ['#/health', { screen: 'health', eventId: null }],
    ['#/accounts', { screen: 'accounts', eventId: null }],
    ['#/accounts/%2B15551234567', { screen: 'accounts', eventId: null, account: '+15551234567' }],
  ])('%s opens %o, and that route is written back the same', (hash, route) => {
    expect(parseHash(hash)).toEqual(route);
    expect(formatHash(route)).toBe(hash);
  });

  // Account keys are phones, provider ids and JIDs; a name-like key may hold anything.
  test.each(['+15551234567', 'id:15551234567@s.whatsapp.net', 'acct/with/slashes', 'a b%c#d?e', 'Ünïcode номер', '%E0%A4%A'])(
    'an account key %s survives the round trip',
    (account) => {
      const hash = formatHash({ screen: 'accounts', eventId: null, account });
      expect(hash).toMatch(/^#\/accounts\/[^#?\s]+$/);
      expect(parseHash(hash)).toEqual({ screen: 'accounts', eventId: null, account });
    },
  );

  test('what does not name a screen opens nothing; extra parts are ignored, not errors', () => {
    expect(parseHash('')).toBeNull();
    expect(parseHash('#/nowhere')).toBeNull();
    expect(parseHash('#/feed/abc')).toEqual({ screen: 'feed', eventId: null });
    expect(parseHash('#/health/42')).toEqual({ screen: 'health', eventId: null });
    // A hand-edited link with a broken escape still opens Accounts, with no card asked for.
    expect(parseHash('#/accounts/%E0%A4%A')).toEqual({ screen: 'accounts', eventId: null });
    // An event id is only the feed's; a card only Accounts'.
    expect(formatHash({ screen: 'health', eventId: 7, account: 'x' })).toBe('#/health');
  });
});
