// `hookwatch catch-up`: recovers by hand, from the TimelinesAI API, the messages of the gaps Hookwatch found (or of --since), with progress on stderr.
import { clientGetJson, timelinesCatchupApi } from '../catchup/timelines-adapter.js';
import { CATCHUP_CHATS_RANGE, CATCHUP_DAYS_RANGE, CatchupService, catchupLimitsOf, type CatchupState } from '../catchup/service.js';
import type { CatchupLimits, CatchupOutcome } from '../catchup/engine.js';
import { DEFAULT_HEARTBEAT_MS, gapKey, type Gap } from '../catchup/gaps.js';
import { catchupLine } from '../catchup/outcome.js';
import { databasePath } from '../paths.js';
import { TimelinesApiClient } from '../providers/timelines/api.js';
import { EnvTokenSource, TIMELINES_TOKEN_ENV } from '../providers/timelines/token-source.js';
import { HookwatchStore } from '../store/store.js';
import { parseProviderTime } from '../time.js';
import { dataDirOf, intFlag, parse, UsageError, type CliIo, type FlagSpecs } from './args.js';
import { terminalText } from './format.js';

const DAY = 86_400_000;

/** The `serve` flags that set catch-up's bounds (kept as the setting for later runs). */
export const CATCHUP_SERVE_FLAGS = {
  'catchup-days': {
    type: 'string',
    arg: 'N',
    help: `catch-up reads at most N days back, ${CATCHUP_DAYS_RANGE.min} to ${CATCHUP_DAYS_RANGE.max} (default 7; kept for later runs)`,
  },
  'catchup-chats': {
    type: 'string',
    arg: 'N',
    help: `catch-up reads at most the N most recently active chats, ${CATCHUP_CHATS_RANGE.min} to ${CATCHUP_CHATS_RANGE.max} (default 500; kept)`,
  },
} as const satisfies FlagSpecs;

/** The limits `serve` was given (undefined where a flag was left out). */
export function catchupServeLimits(v: { 'catchup-days'?: string; 'catchup-chats'?: string }): CatchupLimits {
  const daysBack = intFlag('catchup-days', v['catchup-days'], CATCHUP_DAYS_RANGE.min, CATCHUP_DAYS_RANGE.max);
  const maxChats = intFlag('catchup-chats', v['catchup-chats'], CATCHUP_CHATS_RANGE.min, CATCHUP_CHATS_RANGE.max);
  return { ...(daysBack !== undefined ? { daysBack } : {}), ...(maxChats !== undefined ? { maxChats } : {}) };
}

const FLAGS = {
  since: {
    type: 'string',
    arg: 'ISO|30m|2h|7d',
    help: 'read the messages from then until now (else: the gaps Hookwatch found, and the time since it last ran)',
  },
  days: {
    type: 'string',
    arg: 'N',
    help: `never further back than N days, ${CATCHUP_DAYS_RANGE.min} to ${CATCHUP_DAYS_RANGE.max} (default: the setting, 7)`,
  },
  chats: {
    type: 'string',
    arg: 'N',
    help: `at most the N most recently active chats, ${CATCHUP_CHATS_RANGE.min} to ${CATCHUP_CHATS_RANGE.max} (default: the setting, 500)`,
  },
} as const satisfies FlagSpecs;

function sinceOf(raw: string, now: number): number {
  const rel = /^(\d+)\s*(m|h|d)$/.exec(raw.trim());
  const t = rel ? now - Number(rel[1]) * { m: 60_000, h: 3_600_000, d: DAY }[rel[2] as 'm' | 'h' | 'd'] : parseProviderTime(raw);
  if (t === null || /^\d+$/.test(raw.trim())) {
    throw new UsageError(`--since takes an ISO time (2026-03-02T15:00:00Z) or an age like 30m, 2h, 7d; got '${terminalText(raw, 60)}'`);
  }
  if (t >= now) throw new UsageError(`--since must be in the past; got '${terminalText(raw, 60)}'`);
  if (now - t > CATCHUP_DAYS_RANGE.max * DAY) throw new UsageError(`--since can go back at most ${CATCHUP_DAYS_RANGE.max} days`);
  return t;
}

/** Exit codes: 0 every gap caught up (or none), 1 a gap could not be (no token, failed, interrupted: the line says why), 2 usage. */
export async function catchupCommand(args: string[], io: CliIo): Promise<number> {
  const v = parse('catch-up', args, FLAGS);
  const now = Date.now();
  const since = v.since !== undefined ? sinceOf(v.since, now) : undefined;
  const days = intFlag('days', v.days, CATCHUP_DAYS_RANGE.min, CATCHUP_DAYS_RANGE.max);
  const chats = intFlag('chats', v.chats, CATCHUP_CHATS_RANGE.min, CATCHUP_CHATS_RANGE.max);
  const store = HookwatchStore.open(databasePath(dataDirOf(v, io.env)), { mustExist: true });
  try {
    const limits: CatchupLimits = { ...catchupLimitsOf(store) };
    if (chats !== undefined) limits.maxChats = chats;
    // --since further back than the days setting: the person asked for it, so read that far (unless --days says otherwise).
    limits.daysBack = days ?? Math.max(limits.daysBack!, since !== undefined ? Math.ceil((now - since) / DAY) : 0);
    const tokenSource = new EnvTokenSource(io.env);
    const client = new TimelinesApiClient({
      tokenSource,
      ...(io.env.HOOKWATCH_TIMELINES_API_URL ? { baseUrl: io.env.HOOKWATCH_TIMELINES_API_URL } : {}),
    });
    const hasToken = async () => Boolean(await tokenSource.getToken().catch(() => null));
    const service = new CatchupService({
      store,
      api: timelinesCatchupApi(clientGetJson(client)),
      hasToken,
      limits,
      log: (line) => io.err(`hookwatch: ${terminalText(line, 400)}\n`),
    });
    const gaps = since !== undefined ? [manualGap(since, now)] : gapsToRead(service, store, now);
    if (!gaps.length) {
      io.out('catch-up: no gap to read: Hookwatch has been receiving since it was last caught up\n');
      return 0;
    }
    if (!(await hasToken()))
      io.err(
        `hookwatch: catch-up needs a TimelinesAI token in ${TIMELINES_TOKEN_ENV} (TimelinesAI > Integrations > Public API); the gaps are recorded as not recovered\n`,
      );
    let lastProgress = 0;
    service.onProgress((s) => {
      const t = Date.now();
      if (s.running && t - lastProgress >= 1000) {
        lastProgress = t;
        io.err(progressLine(s));
      }
    });
    // Ctrl-C: the run stops after the requests in flight, its checkpoint kept; running again resumes it.
    let interrupted = false;
    void io.stopSignal.then(() => {
      interrupted = true;
      void service.stop(0);
    });
    const outcomes: CatchupOutcome[] = [];
    for (const gap of gaps) {
      if (interrupted) break;
      const o = await service.runGap(gap);
      outcomes.push(o);
      io.out(`${terminalText(catchupLine(o), 400)}\n`);
    }
    if (interrupted) io.err('hookwatch: catch-up stopped; run `hookwatch catch-up` again to resume where it stopped\n');
    return !interrupted && outcomes.every((o) => o.status === 'done' || o.status === 'nothing-to-do') ? 0 : 1;
  } finally {
    store.close();
  }
}

function manualGap(since: number, now: number): Pick<Gap, 'start' | 'end' | 'reason' | 'reasons'> {
  return { start: since, end: now, reason: 'manual', reasons: ['manual'] };
}

/**
 * The gaps the service found, plus the time since Hookwatch last ran when nothing is running now
 * (its last mark is older than a few heartbeats): `serve` would find that one only at its next start.
 */
function gapsToRead(service: CatchupService, store: HookwatchStore, now: number): Array<Pick<Gap, 'start' | 'end' | 'reason' | 'reasons'>> {
  const marks = store.catchup.marks(now - (CATCHUP_DAYS_RANGE.max + 1) * DAY);
  const last = marks[marks.length - 1];
  const running = last !== undefined && last.kind !== 'clean-stop' && now - last.at <= 2.5 * DEFAULT_HEARTBEAT_MS;
  // A gap a running `serve` is catching up right now is left to it.
  const gaps: Array<Pick<Gap, 'start' | 'end' | 'reason' | 'reasons'>> = service
    .pendingGaps(now)
    .filter((g) => !(running && store.catchup.getGap(gapKey(g))?.status === 'running'));
  if (last && !running) {
    const reason = last.kind === 'clean-stop' ? 'stopped' : 'offline';
    gaps.push({ start: last.at, end: now, reason, reasons: [reason] });
  }
  return gaps;
}

function progressLine(s: CatchupState): string {
  const r = s.running!;
  const chats =
    r.phase === 'chats' || r.phase === 'recheck' ? `listing chats (${r.chatsFound} active so far)` : `${r.chatsDone}/${r.chatsFound} chats`;
  return `catch-up: ${chats}, ${r.recovered} messages recovered, ${r.requests} requests\n`;
}
