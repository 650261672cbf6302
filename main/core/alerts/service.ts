// AlertService: turns committed events and account checks into account states and alerts, saved in one transaction.
import { outboxKey, type StoredAlert, type StoredEvent, type HookwatchStore } from '../store/store.js';
import {
  accountStatusFromEvents,
  applyAccountEvents,
  emptyAccountBoard,
  listAccounts,
  mergeApiSnapshot,
  type AccountBoard,
  type AccountStatus,
  type AccountUpdate,
} from './account-status.js';
import {
  assignmentSignalFromEvent,
  decideAlerts,
  initialAlertRulesState,
  type AlertRulesState,
  type AlertSignal,
  type WebhookErrorsSample,
} from './rules.js';
import { foldAlert, subjectOf } from './incidents.js';
import { AlertSettingsError, parseAlertSettings, snoozeUntil, type AlertSettings, type SnoozeChoice } from './settings.js';
import { decideSilence, DEFAULT_SILENCE_SETTINGS, type SilenceAccount } from './silence.js';
import type { SilenceRecord } from './rules.js';
import { detectGaps, mergeGaps, type Gap } from '../catchup/gaps.js';
import type { Alert } from '../store/alerts.js';

/** Event types that move an account's state or raise an assignment alert. */
const WATCHED_TYPES = ['whatsapp:account:%', 'waba:account:%', 'chat:responsible:%', 'waba:chat:assigned', 'waba:chat:unassigned'];
const WATCHED = /^(whatsapp:account:|waba:account:|chat:responsible:|waba:chat:(un)?assigned$)/;

interface Snapshot {
  board: AccountBoard;
  lastEventId: number;
  rules: AlertRulesState;
}

/** Silence checks: every 5 minutes by default (a silence is at least the floor, 2 h, long: minutes late is fine). */
export const SILENCE_CHECK_MS = 5 * 60_000;
/** The first check after a start waits a little, so starting up (and the first read of 28 days of events) stays quick. */
const SILENCE_FIRST_CHECK_MS = 30_000;
/** Events read per step of the activity cache: a big first read is spread over several turns of the event loop. */
const ACTIVITY_CHUNK = 250_000;

export interface AlertServiceOptions {
  /** How often silence detection runs (default SILENCE_CHECK_MS). */
  silenceCheckMs?: number;
}

export type AlertListener = (alert: StoredAlert) => void;
export type AccountsListener = (changed: AccountStatus[]) => void;

/**
 * Runs the pure account-status reducer and alert rules (account-status.ts, rules.ts) against the store.
 *
 * One path for live and catch-up: after each commit the service reads the watched events it has not
 * seen yet (`id > last processed`) from the database, so an event committed just before a crash is
 * still alerted on at the next start. The account board, the rules' memory, the alerts and the last
 * processed id are written in one transaction.
 */
export class AlertService {
  private board: AccountBoard = emptyAccountBoard();
  private rules: AlertRulesState = initialAlertRulesState();
  private currentSettings: AlertSettings = parseAlertSettings(null);
  private lastEventId = 0;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private readonly alertListeners = new Set<AlertListener>();
  private readonly accountListeners = new Set<AccountsListener>();

  /** Silence detection's timer, and its cache of events per account and 5-minute slot (read incrementally by id). */
  private silenceTimer: NodeJS.Timeout | null = null;
  private readonly activity = new Map<string, { provider: string; slots: Map<number, { at: number; count: number }> }>();
  private activityLastId = 0;

  constructor(
    private readonly store: HookwatchStore,
    private readonly log: (line: string) => void = () => {},
    private readonly now: () => number = Date.now,
    private readonly options: AlertServiceOptions = {},
  ) {}

  start(): void {
    this.currentSettings = this.loadSettings();
    this.rules = (this.store.meta.get('alertRuleState') as AlertRulesState | null) ?? initialAlertRulesState();
    this.board = { accounts: Object.fromEntries(this.store.listAccountStates().map((a) => [a.key, a])) };
    const last = this.store.meta.get('alertsLastEventId');
    if (last === null) {
      // First start with alerts (a new install, or a database from before alerts existed): learn the
      // accounts' states from history without raising an alert for every old event.
      const board = accountStatusFromEvents(this.allWatchedEvents());
      const max = this.store.maxEventId();
      this.store.transaction(() => {
        this.store.saveAccounts(Object.values(board.accounts), []);
        this.store.meta.set('alertsLastEventId', max);
      });
      this.board = board;
      this.lastEventId = max;
    } else {
      this.lastEventId = last;
    }
    this.catchUp();
    this.decide([]); // anything that came due while Hookwatch was off (flap summaries, tunnel grace)
    this.silenceStarted();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.silenceTimer) clearTimeout(this.silenceTimer);
    this.silenceTimer = null;
  }

  onAlert(listener: AlertListener): () => void {
    this.alertListeners.add(listener);
    return () => this.alertListeners.delete(listener);
  }

  onAccountsChanged(listener: AccountsListener): () => void {
    this.accountListeners.add(listener);
    return () => this.accountListeners.delete(listener);
  }

  /** Call after a commit with the types just stored; cheap when none is watched. */
  afterIngest(types: readonly string[]): void {
    if (types.some((t) => WATCHED.test(t))) this.catchUp();
  }

  accounts(): AccountStatus[] {
    return listAccounts(this.board);
  }

  settings(): AlertSettings {
    return structuredClone(this.currentSettings);
  }

  /** Merges and validates (AlertSettingsError lists every problem), then persists. */
  updateSettings(patch: Partial<AlertSettings>): AlertSettings {
    const next = parseAlertSettings({ ...this.currentSettings, ...patch });
    this.store.meta.set('alertSettings', next);
    const before = this.currentSettings;
    this.currentSettings = next;
    this.decide([]);
    // Switched on or a new floor: check at once; switched off: one check closes any open silence warning. Then
    // the timer follows the setting (none while off).
    if (before.silenceAlerts !== next.silenceAlerts || before.silenceFloorMinutes !== next.silenceFloorMinutes) {
      this.safely(() => this.checkSilence());
      if (before.silenceAlerts !== next.silenceAlerts) this.armSilence(this.options.silenceCheckMs ?? SILENCE_CHECK_MS);
    }
    return this.settings();
  }

  snooze(choice: SnoozeChoice | null): AlertSettings {
    return this.updateSettings({ snoozedUntil: choice === null ? null : snoozeUntil(this.now(), choice, this.currentSettings) });
  }

  setMuted(accountKey: string, muted: boolean): AlertSettings {
    const rest = this.currentSettings.mutedAccounts.filter((k) => k !== accountKey);
    return this.updateSettings({ mutedAccounts: muted ? [...rest, accountKey] : rest });
  }

  /** The tunnel supervisor's state changes. */
  tunnelChanged(state: 'up' | 'down' | 'paused', at = this.now()): void {
    this.decide([{ kind: 'tunnel', state, at }]);
  }

  /** The tunnel's public URL really changed (pasted webhook URLs are now stale). */
  publicUrlChanged(from: string, to: string, at = this.now()): void {
    this.decide([{ kind: 'public-url', from, to, at }]);
  }

  /** One listing of a provider's webhooks (errors_counter rising warns). */
  providerWebhooks(provider: string, webhooks: WebhookErrorsSample[]): void {
    this.decide([{ kind: 'webhook-errors', provider, webhooks }]);
  }

  /**
   * TimelinesAI's GET /whatsapp_accounts, which covers events missed while Hookwatch was off. A long
   * listing may come in consecutive parts (the poller does that to keep the receiver answering):
   * `firstIndex` is the part's place in the listing, `now` the time of the check.
   */
  apiAccounts(accounts: readonly unknown[], part: { now?: number; firstIndex?: number } = {}): void {
    const before = this.snapshot();
    const update = mergeApiSnapshot(this.board, accounts, part.now ?? this.now(), part.firstIndex ?? 0);
    const signals = this.applyUpdate(update);
    this.persistAndDecide(signals, before, update.undo);
  }

  private catchUp(): void {
    for (let guard = 0; guard < 1000; guard++) {
      const events = this.store.eventsAfter(this.lastEventId, WATCHED_TYPES, 1000);
      if (events.length === 0) return;
      this.process(events);
    }
  }

  private process(events: StoredEvent[]): void {
    const before = this.snapshot();
    const signals: AlertSignal[] = [];
    // One pass over the board for the whole page (one event at a time copied it per event).
    const update = applyAccountEvents(this.board, events);
    this.applyUpdate({ ...update, transitions: [] });
    for (const [i, e] of events.entries()) {
      for (const transition of update.transitionsByEvent[i]!) signals.push({ kind: 'account', transition });
      const assignment = assignmentSignalFromEvent(e);
      if (assignment) signals.push(assignment);
      this.lastEventId = Math.max(this.lastEventId, e.id);
    }
    this.persistAndDecide(signals, before, update.undo);
  }

  private pendingAccounts = new Map<string, AccountStatus>();
  private pendingRemoved = new Set<string>();

  private applyUpdate(u: AccountUpdate): AlertSignal[] {
    this.board = u.board;
    for (const key of u.removedKeys) {
      this.pendingAccounts.delete(key);
      this.pendingRemoved.add(key);
    }
    for (const a of u.changed) this.pendingAccounts.set(a.key, a);
    for (const line of u.ignored) this.log(`account status: ${line}`);
    return u.transitions.map((transition) => ({ kind: 'account' as const, transition }));
  }

  /** `undo` reverts the board, which the account reducer changed in place. */
  private persistAndDecide(signals: AlertSignal[], before: Snapshot, undo: () => void): void {
    const changed = [...this.pendingAccounts.values()];
    const removed = [...this.pendingRemoved];
    let alerts: StoredAlert[];
    try {
      alerts = this.store.transaction(() => {
        this.store.saveAccounts(changed, removed);
        this.store.meta.set('alertsLastEventId', this.lastEventId);
        this.enqueueForHub(signals);
        return this.decideAndStore(signals);
      });
    } catch (err) {
      // Nothing was saved: forget what was learned in memory too, so the same events are read again
      // (and alerted on) at the next ingest or start, instead of being skipped for good.
      undo();
      this.board = before.board;
      this.lastEventId = before.lastEventId;
      this.rules = before.rules;
      this.pendingAccounts.clear();
      this.pendingRemoved.clear();
      throw err;
    }
    this.pendingAccounts.clear();
    this.pendingRemoved.clear();
    this.emit(alerts);
    if (changed.length || removed.length) {
      for (const l of this.accountListeners) this.safely(() => l(changed));
    }
  }

  /** A hub publishes account-state changes in the transaction that saves them (docs/hub.md). */
  private enqueueForHub(signals: readonly AlertSignal[]): void {
    if (!this.store.hub.publishing) return;
    const at = this.now();
    this.store.hub.enqueue(
      signals.flatMap((s) =>
        s.kind === 'account'
          ? [
              {
                kind: 'account' as const,
                type: s.transition.to,
                msgId: outboxKey.account({ key: s.transition.key, state: s.transition.to, since: s.transition.at }, at),
                payload: { ...s.transition, state: s.transition.to, since: s.transition.at },
                createdAt: at,
              },
            ]
          : [],
      ),
    );
  }

  private snapshot(): Snapshot {
    return { board: this.board, lastEventId: this.lastEventId, rules: this.rules };
  }

  private decide(signals: AlertSignal[]): void {
    this.emit(this.decideAndStore(signals));
  }

  /** Listeners hear of alerts only once they are committed. */
  private emit(alerts: StoredAlert[]): void {
    for (const a of alerts) for (const l of this.alertListeners) this.safely(() => l(a));
  }

  private decideAndStore(signals: AlertSignal[]): StoredAlert[] {
    if (this.stopped) return [];
    const now = this.now();
    const d = decideAlerts({
      now,
      settings: this.currentSettings,
      state: this.rules,
      signals,
      // A snoozed incident holds its subject's notifications back until then (its alerts are still kept).
      snoozedSubjects: this.store.incidents.snoozedSubjects(now),
    });
    const stored = this.storeAlerts(d.alerts, d.nextState);
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (d.wakeAt !== null) {
      this.timer = setTimeout(() => this.safely(() => this.decide([])), Math.max(0, d.wakeAt - this.now()));
      this.timer.unref();
    }
    return stored;
  }

  /** Keeps the rules' memory, the alerts (queued for a hub) and their incidents in one transaction; then the memory in use. */
  private storeAlerts(alerts: readonly Alert[], nextRules: AlertRulesState): StoredAlert[] {
    const stored = this.store.transaction(() => {
      this.store.meta.set('alertRuleState', nextRules);
      const inserted = alerts.map((a) => this.store.insertAlert(a));
      if (this.store.hub.publishing) {
        const at = this.now();
        this.store.hub.enqueue(
          inserted.map((a) => ({
            kind: 'incident',
            type: a.kind,
            msgId: outboxKey.incident(a.id, 'raised'),
            payload: { ...a, change: 'raised' },
            createdAt: at,
          })),
        );
      }
      this.recordIncidents(inserted);
      return inserted;
    });
    this.rules = nextRules;
    return stored;
  }

  // Silence detection (silence.ts): per account, far longer quiet than usual for the hour of the week.

  /**
   * Runs silence detection now over each account's own history in the store and keeps what it decides
   * (alerts, incidents, memory) like any other alert; returns the alerts kept. The timer calls it every
   * SILENCE_CHECK_MS while silence alerts are on; a test calls it with its own clock.
   */
  checkSilence(): StoredAlert[] {
    if (this.stopped) return [];
    while (this.readActivity()) {
      // Read the whole backlog: a direct call wants a decision over everything stored.
    }
    const alerts = this.decideSilenceNow();
    this.emit(alerts);
    return alerts;
  }

  /** At start: the time since the last check before this start was Hookwatch's own downtime; then the timer. */
  private silenceStarted(): void {
    const now = this.now();
    const record = this.silenceRecord();
    const interval = this.options.silenceCheckMs ?? SILENCE_CHECK_MS;
    if (record.checkedAt !== null && now - record.checkedAt > 2.5 * interval) {
      const downtime = [...record.downtime, { start: record.checkedAt, end: now }].filter(
        (g) => g.end >= now - DEFAULT_SILENCE_SETTINGS.historyDays * 86_400_000,
      );
      this.rules = { ...this.rules, silence: { ...record, checkedAt: now, downtime } };
      this.store.meta.set('alertRuleState', this.rules);
    }
    this.armSilence(Math.min(SILENCE_FIRST_CHECK_MS, interval));
  }

  private armSilence(delayMs: number): void {
    if (this.silenceTimer) clearTimeout(this.silenceTimer);
    this.silenceTimer = null;
    if (this.stopped) return;
    // Off and nothing open: no timer at all, so an idle tray app is not woken for it.
    if (!this.currentSettings.silenceAlerts && Object.keys(this.silenceRecord().state).length === 0) return;
    this.silenceTimer = setTimeout(() => {
      this.silenceTimer = null;
      // One step of a big first read per turn, so the receiver keeps answering; decide once caught up.
      let more = false;
      this.safely(() => {
        more = this.readActivity();
        if (!more) this.emit(this.decideSilenceNow());
      });
      this.armSilence(more ? 0 : (this.options.silenceCheckMs ?? SILENCE_CHECK_MS));
    }, delayMs);
    this.silenceTimer.unref();
  }

  private silenceRecord(): SilenceRecord {
    return this.rules.silence ?? { state: {}, checkedAt: null, downtime: [] };
  }

  /** Reads one step of new events into the activity cache; true while there is more to read. */
  private readActivity(): boolean {
    const since = this.now() - DEFAULT_SILENCE_SETTINGS.historyDays * 86_400_000;
    const before = this.activityLastId;
    const { rows, lastId } = this.store.accountActivity(this.activityLastId, since);
    for (const r of rows) {
      let a = this.activity.get(r.key);
      if (!a) this.activity.set(r.key, (a = { provider: r.provider, slots: new Map() }));
      a.provider = r.provider;
      const slot = a.slots.get(r.slot);
      a.slots.set(r.slot, slot ? { at: Math.max(slot.at, r.lastAt), count: slot.count + r.count } : { at: r.lastAt, count: r.count });
    }
    this.activityLastId = lastId;
    // Forget slots older than the history the model learns from.
    for (const [key, a] of this.activity) {
      for (const slot of a.slots.keys()) if (slot < since - 5 * 60_000) a.slots.delete(slot);
      if (a.slots.size === 0) this.activity.delete(key);
    }
    // A full step means more may follow (the first read starts from id 0, so it is always followed by one more).
    return lastId - before >= ACTIVITY_CHUNK;
  }

  private decideSilenceNow(): StoredAlert[] {
    if (this.stopped) return [];
    const now = this.now();
    const settings = this.currentSettings;
    const record = this.silenceRecord();
    if (this.activity.size === 0 && Object.keys(record.state).length === 0) return [];
    const names = new Map(this.store.health.accountsSeen().map((a) => [a.phone ?? a.accountId ?? '', a]));
    // Every account seen in events, WhatsAble's included: its webhooks carry the WhatsAble account's id (a
    // UUID), never the business number, so that id is the only key its activity can be watched by.
    const accounts: SilenceAccount[] = [...this.activity].map(([key, a]) => {
      const board = this.board.accounts[key];
      const slots = [...a.slots.values()];
      return {
        key,
        provider: a.provider,
        name: board?.name ?? names.get(key)?.name ?? null,
        phone: board?.phone ?? names.get(key)?.phone ?? (key.startsWith('+') ? key : null),
        events: slots.map((x) => x.at),
        counts: slots.map((x) => x.count),
      };
    });
    const d = decideSilence({
      now,
      accounts,
      unobserved: this.unobserved(now, record),
      settings: { enabled: settings.silenceAlerts, floorMs: settings.silenceFloorMinutes * 60_000 },
      alertSettings: settings,
      state: record.state,
      snoozedSubjects: this.store.incidents.snoozedSubjects(now),
    });
    const next: SilenceRecord = { state: d.nextState, checkedAt: now, downtime: record.downtime };
    return this.storeAlerts(d.alerts, { ...this.rules, silence: next });
  }

  /**
   * When Hookwatch was not receiving, so neither activity nor silence: the gaps in its receiving marks and the
   * tunnel log (the rule catch-up uses, catchup/gaps.ts), the gaps catch-up kept, and this app's own downtime.
   */
  private unobserved(now: number, record: SilenceRecord): Gap[] {
    const from = now - DEFAULT_SILENCE_SETTINGS.historyDays * 86_400_000;
    const marks = this.store.catchup.marks(from);
    const found = detectGaps(
      {
        heartbeats: marks.filter((m) => m.kind === 'heartbeat').map((m) => m.at),
        starts: marks.filter((m) => m.kind === 'start').map((m) => m.at),
        cleanStops: marks.filter((m) => m.kind === 'clean-stop').map((m) => m.at),
        tunnel: this.store.listTunnelStates(from).map((t) => ({ at: t.at, state: t.state })),
      },
      { now },
    );
    const kept = this.store.catchup
      .listGaps(500)
      .filter((g) => g.end > from)
      .map((g): Gap => ({ start: g.start, end: g.end, reason: 'offline', reasons: ['offline'], open: false }));
    const own = record.downtime.map((g): Gap => ({ ...g, reason: 'offline', reasons: ['offline'], open: false }));
    return mergeGaps([...found, ...kept, ...own]);
  }

  /** Folds alerts into incidents, in the caller's transaction (an alert and its incident are written together). */
  private recordIncidents(alerts: readonly StoredAlert[]): void {
    for (const a of alerts) {
      const s = subjectOf(a);
      if (!s) continue;
      const change = foldAlert(this.store.incidents.latest(s.key), a);
      if (change) this.store.incidents.save(change.incident);
    }
  }

  private loadSettings(): AlertSettings {
    try {
      return parseAlertSettings(this.store.meta.get('alertSettings'));
    } catch (err) {
      const problems = err instanceof AlertSettingsError ? err.problems.join('; ') : (err as Error).message;
      this.log(`alert settings are invalid (${problems}); using the defaults until they are saved again`);
      return parseAlertSettings(null);
    }
  }

  private *allWatchedEvents(): Generator<StoredEvent> {
    let after = 0;
    for (;;) {
      const page = this.store.eventsAfter(after, WATCHED_TYPES, 5000);
      if (page.length === 0) return;
      yield* page;
      after = page[page.length - 1]!.id;
    }
  }

  private safely(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.log(`alert listener failed: ${(err as Error).message}`);
    }
  }
}
