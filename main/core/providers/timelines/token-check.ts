// Checks a TimelinesAI token at once (GET /whatsapp_accounts) and says plainly whether it works and what to do.
import { TimelinesApiClient, type TimelinesApiClientOptions } from './api.js';
import { TIMELINES_TOKEN_PAGE, TimelinesApiError } from './errors.js';

/** What one check found: `accounts` when the token works, else `problem` in words to act on. */
export interface TimelinesTokenCheck {
  ok: boolean;
  accounts?: number;
  problem?: string;
}

/**
 * One call, one attempt: a person just pasted the token (or `serve` just started) and waits for the
 * answer, so backoff retries would only delay the news. The token never appears in what this returns.
 */
export async function checkTimelinesToken(options: Omit<TimelinesApiClientOptions, 'maxAttempts'>): Promise<TimelinesTokenCheck> {
  const client = new TimelinesApiClient({ timeoutMs: 10_000, ...options, maxAttempts: 1 });
  try {
    const accounts = await client.listWhatsappAccounts();
    return { ok: true, accounts: accounts.length };
  } catch (err) {
    return { ok: false, problem: tokenProblem(err) };
  }
}

function tokenProblem(err: unknown): string {
  if (!(err instanceof TimelinesApiError)) return `the check failed unexpectedly (${(err as Error).message}); try again`;
  switch (err.kind) {
    case 'bad-token':
      return err.code === 'missing_credentials'
        ? `no token is set: paste one from ${TIMELINES_TOKEN_PAGE}`
        : `TimelinesAI refused the token (401: bad or revoked token): copy it again from ${TIMELINES_TOKEN_PAGE}`;
    case 'permission':
      return `the token has no permission to read WhatsApp accounts (403): use a workspace admin's token from ${TIMELINES_TOKEN_PAGE}`;
    case 'network':
    case 'timeout':
      return `TimelinesAI could not be reached (${err.kind === 'timeout' ? 'no answer in time' : (err.code ?? 'network error')}): check the internet connection; the token is kept and checked again on the next call`;
    default:
      return `TimelinesAI answered with an error (${err.status ?? err.kind}): ${err.message}`;
  }
}

/** The one line `serve` prints, without the `timelines: ` prefix. */
export function describeTokenCheck(c: TimelinesTokenCheck): string {
  if (c.ok) return `token works, ${c.accounts} WhatsApp account${c.accounts === 1 ? '' : 's'}`;
  return `token check failed: ${c.problem ?? 'unknown problem'}`;
}
