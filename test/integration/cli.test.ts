import { createServer } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixturePayloads, postJson, runHookwatch, spawnServe, tempDir } from '../support/harness.js';

describe('hookwatch CLI', () => {
  const tmp = tempDir();
  let serve: Awaited<ReturnType<typeof spawnServe>>;
  const ids: Record<string, number> = {};

  beforeAll(async () => {
    serve = await spawnServe(['--data', tmp.dir, '--port', '0']);
    for (const f of fixturePayloads()) {
      const res = await postJson(serve.url, f.body);
      expect(res.status).toBe(200);
      ids[f.name] = res.json.events[0].id;
    }
    await postJson(serve.url, {
      event_type: 'message:received:new',
      chat: { chat_id: 77, full_name: '=HYPERLINK("http://evil")', phone: '+15555550177', is_group: false, chat_url: 'x' },
      whatsapp_account: { full_name: 'B', email: 'b@example.com', phone: '+15555550200' },
      message: {
        text: 'line one\nline "two", \u001b[31mred\u001b[0m',
        direction: 'received',
        origin: 'WhatsApp',
        timestamp: '2025-03-03 09:00:00 +0100',
        message_uid: 'cli-uid-1',
        sender: { full_name: 'X' },
        recipient: { full_name: 'B' },
      },
    });
  });
  afterAll(async () => {
    if (serve.child.exitCode === null) {
      serve.child.kill('SIGTERM');
      await new Promise((r) => serve.child.once('exit', r));
    }
    tmp.cleanup();
  });

  it('lists events newest first as JSONL while serve is running on the same folder', async () => {
    const r = await runHookwatch(['events', '--data', tmp.dir, '--format', 'jsonl']);
    expect(r.code).toBe(0);
    const rows = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rows).toHaveLength(fixturePayloads().length + 1); // one event per fixture (none is a redelivery) and one more
    expect(rows[0].messageUid).toBe('cli-uid-1');
    expect(rows[0].occurredAt).toBe('2025-03-03T08:00:00.000Z');
    for (const row of rows) {
      for (const k of [
        'id',
        'receivedAt',
        'occurredAt',
        'provider',
        'type',
        'accountPhone',
        'chatId',
        'chatName',
        'chatPhone',
        'messageUid',
        'direction',
        'text',
      ]) {
        expect(row).toHaveProperty(k);
      }
      expect(row.receivedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(['timelines', 'whatsable', 'unknown']).toContain(row.provider);
    }
    const ids = rows.map((x: { id: number }) => x.id);
    expect([...ids].sort((a, b) => b - a)).toEqual(ids);
  });

  it('filters by type, group, account, chat, search, since and limit', async () => {
    const q = async (...args: string[]) => {
      const r = await runHookwatch(['events', '--data', tmp.dir, '--format', 'jsonl', ...args]);
      expect(r.stderr).toBe('');
      return r.stdout.trim()
        ? r.stdout
            .trim()
            .split('\n')
            .map((l) => JSON.parse(l))
        : [];
    };
    expect((await q('--type', 'whatsapp:account:disconnected')).map((e) => e.id)).toEqual([ids['tl_account_disconnected.json']]);
    expect((await q('--type', 'chat:assigned')).map((e) => e.type)).toEqual(['chat:responsible:assigned']);
    expect((await q('--type', 'account')).length).toBe(4);
    expect((await q('--account', '+1 (555) 555-0200')).map((e) => e.messageUid)).toEqual(['cli-uid-1']);
    expect((await q('--chat', '77')).map((e) => e.messageUid)).toEqual(['cli-uid-1']);
    expect((await q('--search', 'shipp')).length).toBeGreaterThanOrEqual(2);
    expect(await q('--search', 'nosuchwordanywhere')).toEqual([]);
    expect((await q('--limit', '3')).length).toBe(3);
    expect(await q('--since', '2999-01-01T00:00:00Z')).toEqual([]);
    expect((await q('--since', '1h')).length).toBeGreaterThan(10);
    expect((await q('--provider', 'whatsable')).length).toBe(2);
  });

  it('writes CSV with quoting, and defuses spreadsheet formulas but not phone numbers', async () => {
    const r = await runHookwatch(['events', '--data', tmp.dir, '--format', 'csv', '--chat', '77']);
    expect(r.code).toBe(0);
    const [header, row] = r.stdout.split('\r\n');
    expect(header!.split(',').slice(0, 3)).toEqual(['id', 'receivedAt', 'occurredAt']);
    expect(r.stdout).toContain(`"'=HYPERLINK(""http://evil"")"`);
    expect(r.stdout).toContain(',+15555550200,');
    expect(row).toContain('"line one');
  });

  it('prints a table with control characters removed from untrusted text', async () => {
    // Wide enough for the whole text column (tables are cut to the terminal width, 80 when not a terminal).
    const r = await runHookwatch(['events', '--data', tmp.dir, '--chat', '77'], { COLUMNS: '200' });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ID\s+RECEIVED \(UTC\)\s+TYPE/);
    expect(r.stdout).not.toContain('\u001b');
    expect(r.stdout).toMatch(/line one line "two", +\[31mred/);
  });

  it('gives one clear line and exit 2 for a bad flag or value', async () => {
    for (const args of [
      ['events', '--bogus'],
      ['events', '--limit', 'ten'],
      ['events', '--format', 'xml'],
      ['events', '--since', 'yesterday'],
      ['events', '--type', 'NOT A TYPE'],
      ['serve', '--port', '70000'],
      ['frobnicate'],
    ]) {
      const r = await runHookwatch([...args, '--data', tmp.dir]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.stderr).toMatch(/^hookwatch: /);
    }
  });

  it('gives one clear line and exit 1 for a missing or unreadable database', async () => {
    const empty = tempDir();
    const missing = await runHookwatch(['events', '--data', empty.dir]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^hookwatch: no Hookwatch database at .* \(start `hookwatch serve` once, or pass --data DIR\)\n$/);
    writeFileSync(join(empty.dir, 'hookwatch.sqlite3'), 'garbage'.repeat(1000));
    const garbage = await runHookwatch(['events', '--data', empty.dir]);
    expect(garbage.code).toBe(1);
    expect(garbage.stderr.trim().split('\n')).toHaveLength(1);
    expect(garbage.stderr).toMatch(/is not a readable Hookwatch database/);
    empty.cleanup();
  });

  it('gives one clear line and exit 1 when the port is busy', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as { port: number }).port;
    const other = tempDir();
    const r = await runHookwatch(['serve', '--data', other.dir, '--port', String(port)]);
    blocker.close();
    other.cleanup();
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `hookwatch: port ${port} on 127.0.0.1 is already in use (another hookwatch serve?); choose another with --port N\n`,
    );
  });

  it('rotates the secret: the old URL stops working at once, the new one works, on the running server', async () => {
    const r = await runHookwatch(['secret', '--rotate', '--data', tmp.dir]);
    expect(r.code).toBe(0);
    const newPath = /webhook path: (\/hooks\/\S+)/.exec(r.stdout)![1]!;
    const oldUrl = serve.url;
    const newUrl = new URL(newPath, oldUrl).toString();
    expect(newUrl).not.toBe(oldUrl);
    expect((await postJson(oldUrl, { hello: 1 })).status).toBe(404);
    expect((await postJson(newUrl, { hello: 2 })).status).toBe(200);
  });

  it('stops cleanly on SIGTERM: finishes, closes the database, exits 0', async () => {
    serve.child.kill('SIGTERM');
    const code = await new Promise((r) => serve.child.once('exit', r));
    expect(code).toBe(0);
    expect(serve.output()).toMatch(/stopping \(SIGTERM\)/);
    expect(serve.output()).toMatch(/stopped; \d+ new events stored this run/);
    // Closed cleanly: the WAL was checkpointed away on close.
    const { existsSync } = await import('node:fs');
    expect(existsSync(join(tmp.dir, 'hookwatch.sqlite3-wal'))).toBe(false);
  });
});
