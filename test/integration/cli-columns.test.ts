// The built CLI's tables at COLUMNS=80 and 120: the free text is cut first, never an event's type or account, an alert's kind or a phone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixturePayloads, postJson, runHookwatch, startCore } from '../support/harness.js';

let env: Awaited<ReturnType<typeof startCore>>;
const LONG_TEXT = 'Hello, I ordered two boxes last Tuesday and only one arrived; could you check where the second one is? Thanks!';

beforeAll(async () => {
  env = await startCore();
  // Every sample payload through the real receiver, plus one message with a long text.
  for (const p of fixturePayloads()) expect((await postJson(env.url, p.body)).status, p.name).toBe(200);
  const message = JSON.parse(fixturePayloads().find((p) => p.name === 'tl_chat_incoming.json')!.body);
  message.event_type = 'message:received:new';
  message.message = { ...message.message, text: LONG_TEXT, message_uid: 'cli-columns-long-text' };
  expect((await postJson(env.url, message)).status).toBe(200);
});
afterAll(() => env.stop());

/** The table's rows (header left out) and what the same events are, from --format jsonl. */
async function eventsAt(columns: number) {
  const table = await runHookwatch(['events', '--data', env.dataDir], { COLUMNS: String(columns) });
  expect(table.code, table.stderr).toBe(0);
  const jsonl = await runHookwatch(['events', '--data', env.dataDir, '--format', 'jsonl']);
  const events = jsonl.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { id: number; type: string; accountPhone: string | null; accountId: string | null; text: string | null });
  const lines = table.stdout.trimEnd().split('\n');
  return { lines, rows: lines.slice(1), events };
}

function widest(text: string): number {
  return Math.max(
    ...text
      .trimEnd()
      .split('\n')
      .map((l) => l.length),
  );
}

describe('hookwatch events at 80 and 120 columns (the built CLI)', () => {
  it('at 80: no line is wider; every row keeps its whole type and account, the text is what gives', async () => {
    const { lines, rows, events } = await eventsAt(80);
    console.log(`events at COLUMNS=80:\n${lines.join('\n')}`);
    for (const l of lines) expect(l.length, l).toBeLessThanOrEqual(80);
    expect(rows).toHaveLength(events.length);
    for (const e of events) {
      const row = rows.find((r) => r.startsWith(`${e.id} `))!;
      expect(row, `event ${e.id}`).toBeDefined();
      const cells = row.split(/\s{2,}/);
      expect(cells).toContain(e.type);
      // A phone whole; WhatsAble's 36-character user id by its first 8 characters, like a short hash.
      if (e.accountPhone) expect(cells).toContain(e.accountPhone);
      else if (e.accountId) expect(cells).toContain(`${e.accountId.slice(0, 8)}…`);
    }
    const long = rows.find((r) => r.startsWith(`${events.find((e) => e.text === LONG_TEXT)!.id} `))!;
    expect(long).toMatch(/…$/);
    expect(long).not.toContain(LONG_TEXT);
    // The time loses its year (11-30 19:34:02), never its seconds.
    expect(rows[0]).toMatch(/^\d+\s+\d\d-\d\d \d\d:\d\d:\d\d {2}/);
  });

  it('at 120: the same, with more of the text and the chat names whole', async () => {
    const { lines, rows, events } = await eventsAt(120);
    console.log(`events at COLUMNS=120:\n${lines.join('\n')}`);
    for (const l of lines) expect(l.length, l).toBeLessThanOrEqual(120);
    for (const e of events) expect(rows.find((r) => r.startsWith(`${e.id} `))!.split(/\s{2,}/)).toContain(e.type);
    expect(rows.join('\n')).toContain('Sam Customer');
    const texts = events.filter((e) => e.text && e.text !== LONG_TEXT).map((e) => e.text!);
    expect(texts.length).toBeGreaterThan(0);
    for (const t of texts) expect(rows.join('\n')).toContain(t);
    const long = rows.find((r) => r.startsWith(`${events.find((e) => e.text === LONG_TEXT)!.id} `))!;
    expect(long).toMatch(/…$/);
    expect(long.length).toBeGreaterThan(100);
  });

  it('at 240: nothing is cut, and the time has its year', async () => {
    const { lines, events } = await eventsAt(240);
    expect(lines.join('\n')).toContain(LONG_TEXT);
    expect(lines[1]).toMatch(/^\d+\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d {2}/);
    expect(lines.join('\n')).toContain(events.find((e) => e.accountId && !e.accountPhone)!.accountId!);
  });
});

describe('hookwatch alerts and accounts at 80 and 120 columns (the built CLI)', () => {
  it('alerts --all: the kind and the account are whole, the text gives first, then the title', async () => {
    const jsonl = await runHookwatch(['alerts', '--all', '--data', env.dataDir, '--format', 'jsonl']);
    const alerts = jsonl.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: number; kind: string; accountPhone: string | null; title: string; text: string });
    expect(alerts.length).toBeGreaterThan(1);
    for (const columns of [80, 120]) {
      const r = await runHookwatch(['alerts', '--all', '--data', env.dataDir], { COLUMNS: String(columns) });
      console.log(`alerts --all at COLUMNS=${columns}:\n${r.stdout}`);
      expect(widest(r.stdout)).toBeLessThanOrEqual(columns);
      const rows = r.stdout.trimEnd().split('\n').slice(1);
      for (const a of alerts) {
        const row = rows.find((l) => l.startsWith(`${a.id} `))!;
        expect(row.split(/\s{2,}/)).toContain(a.kind);
        if (a.accountPhone) expect(row.split(/\s{2,}/)).toContain(a.accountPhone);
        // The title keeps at least its first 10 characters (the text gave first).
        expect(row).toContain(a.title.slice(0, 10));
      }
      if (columns === 120) for (const a of alerts) expect(rows.join('\n')).toContain(a.title);
    }
  });

  it('accounts: the phone, name, state and since whole; the last event (a detail the feed has) gives first', async () => {
    for (const columns of [80, 120]) {
      const r = await runHookwatch(['accounts', '--data', env.dataDir], { COLUMNS: String(columns) });
      console.log(`accounts at COLUMNS=${columns}:\n${r.stdout}`);
      expect(widest(r.stdout)).toBeLessThanOrEqual(columns);
      const row = r.stdout.split('\n')[1]!.split(/\s{2,}/);
      expect(row.slice(0, 3)).toEqual(['+15555550100', 'Acme Support', 'suspended']);
      expect(row[3]).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
      if (columns === 80) expect(row[4]).toMatch(/^whatsapp:account:.*…$/);
      else expect(row[4]).toBe('whatsapp:account:suspended');
    }
  });

  it('alerts (incidents) and deliveries fit too', async () => {
    for (const cmd of ['alerts', 'deliveries']) {
      for (const columns of [80, 120]) {
        const r = await runHookwatch([cmd, '--data', env.dataDir], { COLUMNS: String(columns) });
        expect(r.code, r.stderr).toBe(0);
        expect(widest(r.stdout), `${cmd} at ${columns}`).toBeLessThanOrEqual(columns);
      }
    }
  });
});
