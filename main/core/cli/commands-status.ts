// The `status` command: the overall state from the store, on one screen, with exit codes for cron and monitoring scripts.
import { exitCodeOf, overallStatus, type OverallStatus, type StatusInputs } from '../../contract/status.js';
import { accountSeenOf } from '../api/views.js';
import { eventOnlyNumbers, statusLabel, watchedOf } from '../api/watched.js';
import { catchupRunningFromStore } from '../catchup/service.js';
import { databasePath } from '../paths.js';
import { readHubRuntime } from '../hub/runtime.js';
import { HookwatchStore } from '../store/store.js';
import { isoOrNull } from '../time.js';
import { choiceFlag, dataDirOf, parse, type CliIo } from './args.js';
import { terminalText } from './format.js';

/**
 * The status inputs as the store knows them: account states, the numbers watched only by their activity
 * (WhatsAble, with the silence warnings open), the last recorded tunnel state, failing webhooks.
 */
export function statusInputsFromStore(store: HookwatchStore): StatusInputs {
  const states = store.listAccountStates();
  const accounts = states.map((a) => ({
    key: a.key,
    label: statusLabel(a),
    state: a.state,
    since: a.downSince ?? a.since,
  }));
  // The same cards the running service adds to its board (api/watched.ts), so the CLI and the dashboard give one status.
  const watched = watchedOf(
    eventOnlyNumbers(
      new Set(states.map((a) => a.key)),
      store.health.accountsSeen().map(accountSeenOf),
      store.incidents.list({ state: 'open' }),
    ),
  );
  const log = store.listTunnelStates(0, 10_000);
  const last = log[log.length - 1];
  const tunnel = last ? { state: last.state as NonNullable<StatusInputs['tunnel']>['state'], since: last.at } : null;
  const failingWebhooks = store
    .listProviderWebhooks()
    .filter((w) => w.chosen && (w.errorsCounter > 0 || !w.pointsAtCurrentUrl || !w.enabled))
    .map((w) => ({
      key: w.webhookId,
      provider: w.provider,
      eventType: w.eventType ?? 'all events',
      reason: !w.pointsAtCurrentUrl
        ? 'points at an older URL'
        : !w.enabled
          ? 'disabled at the provider'
          : `${w.errorsCounter} failed deliveries in a row`,
      since: w.checkedAt,
    }));
  return { accounts, watched, tunnel, failingWebhooks, catchup: catchupRunningFromStore(store, Date.now()), hub: hubInput(store) };
}

/** The hub part: a hub's outbox as it stands now; a follower's distance behind as its process last recorded it. */
function hubInput(store: HookwatchStore): StatusInputs['hub'] {
  const rt = readHubRuntime(store);
  if (!rt) return null;
  if (rt.role === 'follower') return { role: 'follower', hub: rt.hub, behind: rt.behind };
  const b = store.hub.backlog();
  return { role: 'hub', hub: rt.hub, backlog: b.count, oldestWaitingAt: b.oldestAt, at: Date.now() };
}

function when(at: number | null): string {
  return at === null ? '' : ` since ${(isoOrNull(at) ?? '').replace('T', ' ').slice(0, 16)} UTC`;
}

export function statusText(s: OverallStatus): string {
  const head = { ok: 'OK', degraded: 'DEGRADED', down: 'DOWN', unknown: 'UNKNOWN' }[s.level];
  const lines = [`${head}: ${terminalText(s.summary, 200)}`];
  for (const p of s.parts) lines.push(`  ${p.level.padEnd(8)} ${terminalText(p.text, 120)}${when(p.since)}`);
  return lines.join('\n') + '\n';
}

export function status(args: string[], io: CliIo): number {
  const v = parse('status', args, {
    format: { type: 'string', arg: 'text|json', help: 'output format (default text)' },
  });
  const format = choiceFlag('format', v.format, ['text', 'json'] as const, 'text');
  let s: OverallStatus;
  let store: HookwatchStore;
  try {
    store = HookwatchStore.open(databasePath(dataDirOf(v, io.env)), { mustExist: true });
  } catch (err) {
    // No data folder: nothing can be told, and a monitoring script needs exit code 2, not 1.
    s = { level: 'unknown', summary: `cannot read the data: ${(err as Error).message}`, parts: [] };
    io.out(format === 'json' ? JSON.stringify(s, null, 2) + '\n' : statusText(s));
    return 2;
  }
  try {
    s = overallStatus(statusInputsFromStore(store));
  } finally {
    store.close();
  }
  io.out(format === 'json' ? JSON.stringify(s, null, 2) + '\n' : statusText(s));
  return exitCodeOf(s.level);
}
