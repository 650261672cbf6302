// A follower process killed -9 between a batch's local commit and its ack, then restarted: every hub message stored exactly once, none lost (real nats-server, real SQLite, built follower).
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { countOf, hubTestBed, rawBody, stopChild } from '../support/hub.js';
import { eventually, natsServerAvailable } from '../support/nats.js';

const CHILD = fileURLToPath(new URL('../support/follow-crash-child.mjs', import.meta.url));

const bed = hubTestBed();

interface ChildLine {
  state?: string;
  applied?: number;
  behind?: number | null;
  duplicates?: number;
  crashing?: number;
  committed?: number;
}

/** Starts the follower process; its stdout is one JSON status line every 100 ms. */
function startFollower(url: string, file: string, crashAfter: number) {
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, [CHILD, url, file, String(crashAfter)]);
  const lines: ChildLine[] = [];
  let partial = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    const text = partial + d.toString('utf8');
    const parts = text.split('\n');
    partial = parts.pop() ?? '';
    for (const p of parts) if (p.trim()) lines.push(JSON.parse(p) as ChildLine);
  });
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, lines, exited, stderr: () => stderr, last: () => lines[lines.length - 1] };
}

describe.skipIf(!natsServerAvailable)('hub follower killed between commit and ack', () => {
  it('restarted, it stores every message exactly once: the batch committed but not acked comes again and is skipped', async () => {
    const { dir, nats, hub, publisher } = await bed.hubWithPublisher({ name: 'hookwatch-hub' });
    const total = 1500;
    const sent: string[] = [];
    for (let n = 0; n < total; n++) sent.push(hub.ingest(n));
    hub.accountChange('+15555550100', 'disconnected', Date.now());
    publisher.notify();
    await eventually('hub published everything', () => publisher.status().backlog === 0, 30_000);

    const file = join(dir, 'follower.sqlite');
    // Run 1: dies with SIGKILL right after its third batch is committed, before that batch is acked.
    const first = startFollower(nats.url, file, 3);
    bed.defer(() => void first.child.kill('SIGKILL'));
    const end = await first.exited;
    expect(end.signal, first.stderr()).toBe('SIGKILL');
    const crash = first.lines.find((l) => l.crashing !== undefined);
    expect(crash).toMatchObject({ crashing: 3 });
    const db = new Database(file, { readonly: true });
    bed.defer(() => void db.close());
    const storedAtCrash = countOf(db, 'SELECT count(*) AS n FROM events');
    // Three batches were committed (the crashed one included), so its events are on disk though never acked.
    expect(storedAtCrash).toBeGreaterThanOrEqual(crash!.committed! + 2);
    expect(storedAtCrash).toBeLessThan(total);

    // Run 2: resumes from the server's ack floor; the unacked batch comes again (after ack_wait) and is skipped.
    const second = startFollower(nats.url, file, 0);
    bed.defer(() => stopChild(second.child));
    await eventually(
      'follower caught up',
      () => countOf(db, 'SELECT count(*) AS n FROM hub_inbox') === total + 1 && second.last()?.behind === 0,
      60_000,
    );
    expect(second.last()!.duplicates).toBeGreaterThanOrEqual(crash!.committed!);
    expect(second.last()).toMatchObject({ state: 'following' });

    // Nothing twice, nothing lost: one event, one delivery and one inbox row per message, with the hub's raw bytes.
    expect(countOf(db, 'SELECT count(*) AS n FROM events')).toBe(total);
    expect(countOf(db, 'SELECT count(DISTINCT message_uid) AS n FROM events')).toBe(total);
    expect(countOf(db, 'SELECT count(*) AS n FROM deliveries')).toBe(total);
    expect(countOf(db, 'SELECT count(*) AS n FROM events WHERE delivery_count != 1')).toBe(0);
    const inbox = new Set((db.prepare('SELECT msg_id FROM hub_inbox').all() as Array<{ msg_id: string }>).map((r) => r.msg_id));
    expect(sent.filter((id) => !inbox.has(id))).toEqual([]);
    for (const n of [0, 777, total - 1]) {
      const row = db
        .prepare('SELECT d.body AS body FROM events e JOIN deliveries d ON d.id = e.delivery_id WHERE e.message_uid = ?')
        .get(`uid-${n}`) as { body: Buffer };
      expect(row.body.equals(rawBody(n))).toBe(true);
    }
  }, 120_000);
});
