// The catch-up tables through the store: receiving marks, errors_counter samples and gaps survive a reopen, in a real SQLite file.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { detectGaps } from '../../main/core/catchup/gaps.js';
import { HookwatchStore } from '../../main/core/store/store.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function file(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hw-catchup-store-'));
  dirs.push(dir);
  return join(dir, 'hookwatch.db');
}

describe('catch-up store tables', () => {
  it('keeps marks, changed errors_counter samples and gap outcomes across a reopen, and the marks yield the offline gap', () => {
    const f = file();
    const MIN = 60_000;
    const t0 = Date.UTC(2026, 10, 28, 22, 0);
    let store = HookwatchStore.open(f);
    store.catchup.mark('start', t0);
    for (let i = 1; i <= 70; i++) store.catchup.mark('heartbeat', t0 + i * MIN);
    // Killed without a clean stop at t0+70min; started again 8 hours later.
    expect(store.catchup.sampleErrors({ at: t0, webhookId: 'w1', errorsCounter: 0 })).toBe(true);
    expect(store.catchup.sampleErrors({ at: t0 + MIN, webhookId: 'w1', errorsCounter: 0 })).toBe(false);
    expect(store.catchup.sampleErrors({ at: t0 + 2 * MIN, webhookId: 'w1', errorsCounter: 3 })).toBe(true);
    store.close();

    store = HookwatchStore.open(f);
    const restart = t0 + 70 * MIN + 8 * 60 * MIN;
    store.catchup.mark('start', restart);
    const marks = store.catchup.marks(t0);
    expect(marks).toHaveLength(72);
    const gaps = detectGaps(
      {
        heartbeats: marks.filter((m) => m.kind === 'heartbeat').map((m) => m.at),
        starts: marks.filter((m) => m.kind === 'start').map((m) => m.at),
        cleanStops: marks.filter((m) => m.kind === 'clean-stop').map((m) => m.at),
      },
      { now: restart + MIN },
    );
    expect(gaps).toEqual([expect.objectContaining({ start: t0 + 70 * MIN, end: restart, open: false })]);
    expect(store.catchup.errorSamples(t0).map((s) => s.errorsCounter)).toEqual([0, 3]);

    const gap = { gapKey: `${t0 + 70 * MIN}-${restart}`, start: t0 + 70 * MIN, end: restart, reasons: ['offline'] };
    store.catchup.saveGap({
      ...gap,
      status: 'running',
      recovered: 0,
      chats: 0,
      requests: 0,
      error: null,
      line: null,
      startedAt: restart,
      finishedAt: null,
    });
    store.catchup.saveGap({
      ...gap,
      status: 'done',
      recovered: 37,
      chats: 5,
      requests: 12,
      error: null,
      line: 'catch-up: offline 23:10–07:45 UTC, 37 messages recovered from 5 chats',
      startedAt: restart + 5,
      finishedAt: restart + 9_000,
    });
    store.close();
    store = HookwatchStore.open(f);
    expect(store.catchup.listGaps()).toEqual([
      expect.objectContaining({
        gapKey: gap.gapKey,
        status: 'done',
        recovered: 37,
        chats: 5,
        startedAt: restart,
        finishedAt: restart + 9_000,
      }),
    ]);
    // The start and 29 heartbeats before t0+30min, and both samples.
    expect(store.catchup.prune(t0 + 30 * MIN)).toBe(32);
    store.close();
  });
});
