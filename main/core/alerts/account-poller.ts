// Checks account states against TimelinesAI's GET /whatsapp_accounts on a schedule, merging long listings in parts.
import { performance } from 'node:perf_hooks';
import type { TimelinesApiClient } from '../providers/timelines/api.js';
import { TimelinesApiError } from '../providers/timelines/errors.js';
import type { AlertService } from './service.js';

class NoTokenYet extends Error {}

export interface AccountPollerOptions {
  /** Between checks. API calls count against the workspace's monthly quota, so this is minutes, not seconds. */
  intervalMs?: number;
  log?: (line: string) => void;
  /** Without a token the check is skipped quietly (a token may be pasted later). */
  hasToken?: () => Promise<boolean>;
  /** The clock of the check (default Date.now); the same as the alert service's. */
  now?: () => number;
}

/** Each part of a listing is merged in about this long, then the event loop runs (the receiver answers). */
const PART_TARGET_MS = 20;
const FIRST_PART_ROWS = 500;
const MAX_PART_ROWS = 50_000;

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Catches the account board up from TimelinesAI's `GET /whatsapp_accounts` at start and every few
 * minutes: that covers outages whose webhook we missed while Hookwatch was off or the tunnel was down.
 */
export class AccountPoller {
  private timer: NodeJS.Timeout | null = null;
  private lastProblem: string | null = null;
  private running: Promise<unknown> | null = null;
  private stopped = false;

  constructor(
    private readonly client: Pick<TimelinesApiClient, 'listWhatsappAccounts'>,
    private readonly alerts: AlertService,
    private readonly options: AccountPollerOptions = {},
  ) {}

  start(): void {
    void this.pollNow();
    this.timer = setInterval(() => void this.pollNow(), this.options.intervalMs ?? 10 * 60_000);
    this.timer.unref();
  }

  /** One check; never throws. Resolves with how many accounts the API listed, or the problem. */
  pollNow(): Promise<{ ok: true; accounts: number } | { ok: false; problem: string }> {
    if (this.running) return this.running as Promise<never>;
    const run = (this.options.hasToken ? this.options.hasToken() : Promise.resolve(true))
      .then((has) => {
        if (!has) throw new NoTokenYet();
        return this.client.listWhatsappAccounts();
      })
      .then(async (accounts) => {
        // mergeApiSnapshot reads the rows as the API sends them.
        const rows = accounts.map((a) => ({
          id: a.id,
          phone: a.phone,
          connected_on: a.connectedOn,
          status: a.statusAsSent,
          account_name: a.accountName,
        }));
        await this.merge(rows);
        if (this.lastProblem) this.options.log?.('account check: TimelinesAI answers again');
        this.lastProblem = null;
        return { ok: true as const, accounts: accounts.length };
      })
      .catch((err: unknown) => {
        if (err instanceof NoTokenYet) return { ok: false as const, problem: 'no TimelinesAI token is set' };
        const problem = err instanceof TimelinesApiError ? err.message : `account check failed: ${(err as Error).message}`;
        // Say it once, not every ten minutes.
        if (problem !== this.lastProblem) this.options.log?.(`account check: ${problem}`);
        this.lastProblem = problem;
        return { ok: false as const, problem };
      })
      .finally(() => {
        this.running = null;
      });
    this.running = run;
    return run;
  }

  /**
   * Merges the listing in parts sized to take about PART_TARGET_MS each, letting the event loop run
   * between them: a workspace of 200,000 accounts must not hold the receiver (or a SIGTERM) until it
   * is done. Between parts, webhooks may move accounts too; each part merges onto the board as it then
   * is, which is what merging the listing a moment later would do. A stop drops the rest.
   */
  private async merge(rows: readonly unknown[]): Promise<void> {
    const now = (this.options.now ?? Date.now)();
    let size = FIRST_PART_ROWS;
    let first = 0;
    while (first < rows.length) {
      if (first > 0) await nextTurn();
      if (this.stopped) return;
      const started = performance.now();
      const part = first === 0 && rows.length <= size ? rows : rows.slice(first, first + size);
      this.alerts.apiAccounts(part, { now, firstIndex: first });
      first += part.length;
      const took = performance.now() - started;
      // Each part copies the account table once, so parts as big as the time allows are cheapest.
      if (took < PART_TARGET_MS / 2) size = Math.min(MAX_PART_ROWS, size * 2);
      else if (took > PART_TARGET_MS * 2) size = Math.max(FIRST_PART_ROWS / 5, Math.floor(size / 2));
    }
  }

  /** Stops the schedule and waits for a check in progress, whose result is then dropped. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    // Its result is dropped anyway; do not hold a shutdown for a slow API beyond a moment.
    await Promise.race([this.running, new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
  }
}
