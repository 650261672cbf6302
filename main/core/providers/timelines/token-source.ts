/**
 * Where the TimelinesAI Public API token comes from. The core never keeps a token of its own:
 * it asks a TokenSource before each request, so the desktop shell can hold the token encrypted
 * (safeStorage) and hand it over only when needed, and a token changed in Settings takes effect
 * on the next request without restarting anything.
 */
export interface TokenSource {
  /** The token, or null when none is set. Must not throw for "not set". */
  getToken(): Promise<string | null>;
  /** Where the token comes from, for messages ("environment variable HOOKWATCH_TIMELINES_TOKEN"). Never the token. */
  readonly describe: string;
}

export const TIMELINES_TOKEN_ENV = 'HOOKWATCH_TIMELINES_TOKEN';

/** Trims, and treats an empty or blank value as "not set" (an empty env var is a common slip). */
function cleanToken(raw: string | null | undefined): string | null {
  if (raw === null || raw === undefined) return null;
  const t = raw.trim();
  return t === '' ? null : t;
}

/** Reads HOOKWATCH_TIMELINES_TOKEN (or another variable) at each call, so the CLI and tests can change it. */
export class EnvTokenSource implements TokenSource {
  readonly describe: string;
  readonly #env: NodeJS.ProcessEnv;
  readonly #name: string;

  constructor(env: NodeJS.ProcessEnv = process.env, name = TIMELINES_TOKEN_ENV) {
    this.#env = env;
    this.#name = name;
    this.describe = `environment variable ${name}`;
  }

  async getToken(): Promise<string | null> {
    return cleanToken(this.#env[this.#name]);
  }

  toJSON(): { kind: string; describe: string } {
    return { kind: 'env', describe: this.describe };
  }
}

/**
 * A token held in memory (tests, or a shell that already decrypted it). The token lives in a
 * private field so that logging or serializing the source (util.inspect, JSON) cannot show it.
 */
export class StaticTokenSource implements TokenSource {
  readonly describe: string;
  readonly #token: string | null;

  constructor(token: string | null, describe = 'Settings') {
    this.#token = cleanToken(token);
    this.describe = describe;
  }

  async getToken(): Promise<string | null> {
    return this.#token;
  }

  toJSON(): { kind: string; describe: string } {
    return { kind: 'static', describe: this.describe };
  }
}

/**
 * A token set at run time (the dashboard's first-run screen of `hookwatch serve`) over a fallback
 * (the environment variable). Kept in memory only: `serve` has no encrypted store, so a pasted token
 * lasts for this run, and the screen says so. `set(null)` removes it (the fallback applies again).
 */
export class RuntimeTokenSource implements TokenSource {
  #token: string | null = null;
  readonly describe: string;

  constructor(private readonly fallback: TokenSource) {
    this.describe = `a token pasted in the dashboard (this run), else ${fallback.describe}`;
  }

  set(token: string | null): void {
    const t = token?.trim() ?? '';
    this.#token = t === '' ? null : t;
  }

  async getToken(): Promise<string | null> {
    return this.#token ?? (await this.fallback.getToken());
  }

  toJSON(): { describe: string } {
    return { describe: this.describe };
  }
}
