// The overall status's decision table, row by row.
import { describe, expect, it } from 'vitest';
import { exitCodeOf, overallStatus, type StatusInputs } from '../../main/contract/status.js';

const acc = (key: string, state: StatusInputs['accounts'][number]['state'], since: number | null = 1000) => ({
  key,
  label: `+${key}`,
  state,
  since,
});
const base: StatusInputs = { accounts: [], tunnel: null, failingWebhooks: [], catchup: null };

describe('overallStatus', () => {
  const rows: Array<[string, Partial<StatusInputs>, string, number]> = [
    ['nothing known', {}, 'unknown', 2],
    ['tunnel off, no accounts', { tunnel: { state: 'off', since: 1 } }, 'unknown', 2],
    ['only unknown accounts', { accounts: [acc('1', 'unknown')] }, 'unknown', 2],
    ['all connected', { accounts: [acc('1', 'connected'), acc('2', 'connected')] }, 'ok', 0],
    ['all connected and one unknown', { accounts: [acc('1', 'connected'), acc('2', 'unknown')] }, 'ok', 0],
    ['tunnel up, no accounts', { tunnel: { state: 'up', since: 1 } }, 'ok', 0],
    ['one number down', { accounts: [acc('1', 'connected'), acc('2', 'disconnected')] }, 'down', 1],
    ['one suspended', { accounts: [acc('2', 'suspended')] }, 'down', 1],
    ['tunnel down', { accounts: [acc('1', 'connected')], tunnel: { state: 'down', since: 5 } }, 'down', 1],
    ['tunnel reconnecting', { accounts: [acc('1', 'connected')], tunnel: { state: 'reconnecting', since: 5 } }, 'degraded', 1],
    [
      'webhook failing',
      {
        accounts: [acc('1', 'connected')],
        failingWebhooks: [{ key: 'w1', provider: 'timelines', eventType: 'message:new', reason: '3 errors', since: null }],
      },
      'degraded',
      1,
    ],
    [
      'tunnel connecting (starting up) is not a problem',
      { accounts: [acc('1', 'connected')], tunnel: { state: 'connecting', since: 5 } },
      'ok',
      0,
    ],
    ['catch-up running is not a problem', { accounts: [acc('1', 'connected')], catchup: { running: true, since: 9 } }, 'ok', 0],
    ['a WhatsAble number watched by activity, not silent', { watched: [{ key: '9', label: '+9', silentSince: null }] }, 'ok', 0],
    ['a WhatsAble number silent', { watched: [{ key: '9', label: '+9', silentSince: 50 }] }, 'degraded', 1],
    [
      'a silent WhatsAble number beside connected ones',
      { accounts: [acc('1', 'connected')], watched: [{ key: '9', label: '+9', silentSince: 50 }] },
      'degraded',
      1,
    ],
  ];
  it.each(rows)('%s', (_name, input, level, code) => {
    const s = overallStatus({ ...base, ...input });
    expect(s.level).toBe(level);
    expect(exitCodeOf(s.level)).toBe(code);
  });

  it('says how many are down, since the first went down, and links each to its cause', () => {
    const s = overallStatus({ ...base, accounts: [acc('1', 'connected'), acc('2', 'disconnected', 500), acc('3', 'suspended', 300)] });
    expect(s.parts[0]).toMatchObject({ kind: 'accounts', level: 'down', text: '1 of 3 connected, 2 down', since: 300 });
    expect(s.parts.filter((p) => p.kind === 'account').map((p) => p.link)).toEqual([
      { screen: 'accounts', key: '2' },
      { screen: 'accounts', key: '3' },
    ]);
    expect(s.summary).toBe('1 of 3 connected, 2 down');
  });

  it('all connected reads as such', () => {
    expect(overallStatus({ ...base, accounts: [acc('1', 'connected'), acc('2', 'connected')] }).summary).toBe('all 2 numbers connected');
  });
});

describe('numbers watched only by activity (WhatsAble)', () => {
  it('a silent one is its own part, linked to its card, with since; the summary counts the silent', () => {
    const s = overallStatus({
      ...base,
      watched: [
        { key: '9', label: 'Sales (+9)', silentSince: 50 },
        { key: '8', label: '+8', silentSince: null },
      ],
    });
    expect(s.parts).toContainEqual({
      kind: 'account',
      level: 'degraded',
      text: 'Sales (+9) silent',
      since: 50,
      link: { screen: 'accounts', key: '9' },
    });
    expect(s.summary).toBe('1 of 2 numbers silent');
  });
  it('with none silent the status is known (not "no number seen yet")', () => {
    expect(overallStatus({ ...base, watched: [{ key: '9', label: '+9', silentSince: null }] }).summary).toBe('1 number active');
  });
});
