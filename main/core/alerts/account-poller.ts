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
}

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
      .then((accounts) => {
        if (this.stopped) return { ok: true as const, accounts: accounts.length };
        // mergeApiSnapshot reads the rows as the API sends them.
        this.alerts.apiAccounts(
          accounts.map((a) => ({ id: a.id, phone: a.phone, connected_on: a.connectedOn, status: a.statusAsSent, account_name: a.accountName })),
        );
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

  /** Stops the schedule and waits for a check in progress, whose result is then dropped. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    // Its result is dropped anyway; do not hold a shutdown for a slow API beyond a moment.
    await Promise.race([this.running, new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
  }
}
