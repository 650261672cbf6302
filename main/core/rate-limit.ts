/** A client-side request pacer, shared by API clients: no I/O, the clock and the sleep are injected. */

/**
 * Keeps our own request rate under a service's limit (TimelinesAI: 30/s plus a burst of 10) so a
 * sync of a full workspace never earns a 429 in the first place. A GCRA reservation rather than a
 * refill loop: each call books the next slot at once, so concurrent callers queue fairly and
 * nothing spins, whatever clock is injected.
 */
export class RequestRateLimiter {
  private readonly intervalMs: number;
  private readonly toleranceMs: number;
  private theoreticalArrival = -Infinity;

  constructor(
    ratePerSecond: number,
    burst: number,
    private readonly now: () => number,
    private readonly sleep: (ms: number) => Promise<void>,
  ) {
    if (!(ratePerSecond > 0) || !(burst >= 1)) throw new RangeError('rate must be > 0 and burst >= 1');
    this.intervalMs = 1000 / ratePerSecond;
    this.toleranceMs = (burst - 1) * this.intervalMs;
  }

  /** Waits (if needed) until one more request fits in the rate; returns how long it waited. */
  async take(): Promise<number> {
    const now = this.now();
    const tat = Math.max(this.theoreticalArrival, now);
    const raw = tat - this.toleranceMs - now;
    // 1000/30 is not exact in binary: ignore float dust, or the 10th request of a burst "waits" 1e-10 ms.
    const wait = raw > 1e-6 ? raw : 0;
    this.theoreticalArrival = tat + this.intervalMs;
    if (wait > 0) await this.sleep(wait);
    return wait;
  }

  /**
   * After a 429, books nothing before `untilMs`: the server's limit is per IP, so every caller
   * waits, and the waiting happens in take() (once) rather than in a second sleep.
   */
  holdUntil(untilMs: number): void {
    this.theoreticalArrival = Math.max(this.theoreticalArrival, untilMs + this.toleranceMs);
  }
}
