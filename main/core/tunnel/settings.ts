// Tunnel settings: what they are, their defaults, and the checks that refuse a bad value before any connection.
import { randomBytes } from 'node:crypto';

/** What the user chooses about the public URL. preferences.ts keeps it in the store; the CLI may override it per run. */
export interface TunnelSettings {
  enabled: boolean;
  /** The localtunnel server to register with: the public service or a self-hosted one (http or https, no path). */
  host: string;
  /**
   * The subdomain to ask for at every attempt. A stable name keeps the public URL (and so the providers' webhooks,
   * and a URL pasted by hand) the same across reconnects and restarts; null lets the supervisor pick a random
   * name once and keep it for its lifetime (preferences.ts keeps one across restarts).
   */
  subdomain: string | null;
  /** Port of the local receiver the tunnel feeds (127.0.0.1). */
  localPort: number;
}

/** The public localtunnel service. It hands out https://<name>.loca.lt URLs. */
export const DEFAULT_TUNNEL_HOST = 'https://localtunnel.me';

/**
 * localtunnel's own rule for a subdomain. The server answers 403 to anything else, and the stock client then
 * retries the registration every second forever (docs/localtunnel.md), so we check before asking.
 */
export const SUBDOMAIN_PATTERN = /^(?:[a-z0-9][a-z0-9-]{4,63}[a-z0-9]|[a-z0-9]{4,63})$/;

export class TunnelSettingsError extends Error {
  override readonly name = 'TunnelSettingsError';
}

/**
 * Checks a subdomain before it is used. DNS names ignore case, so `MyShop` is taken as `myshop`;
 * anything else that does not fit is refused with a message that says what would.
 */
export function validateSubdomain(input: string): string {
  const name = input.trim().toLowerCase();
  if (SUBDOMAIN_PATTERN.test(name)) return name;
  const shown = JSON.stringify(input.length > 80 ? input.slice(0, 80) + '…' : input);
  let why: string;
  if (name.length < 4) why = 'it is shorter than 4 characters';
  else if (name.length > 65) why = 'it is longer than 63 characters';
  else if (/[^a-z0-9-]/.test(name)) why = 'only letters a-z, digits and hyphens are allowed';
  else why = 'it may not start or end with a hyphen';
  throw new TunnelSettingsError(
    `subdomain ${shown} cannot be used: ${why}. Choose 4 to 63 lowercase letters, digits or inner hyphens, e.g. "acme-hookwatch".`,
  );
}

/** Accepts `https://host[:port]` or `http://host[:port]` (a trailing slash is fine) and returns it without the slash. */
export function normalizeTunnelHost(input: string): string {
  let url: URL;
  try {
    url = new URL(input.trim());
  } catch {
    throw new TunnelSettingsError(
      `tunnel host ${JSON.stringify(input)} is not a URL; use e.g. ${DEFAULT_TUNNEL_HOST} or http://tunnel.example.com:8080.`,
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new TunnelSettingsError(`tunnel host must start with https:// or http:// (got ${url.protocol}).`);
  }
  if (url.username || url.password) {
    throw new TunnelSettingsError('tunnel host must not contain a user name or password.');
  }
  if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash) {
    throw new TunnelSettingsError(
      `tunnel host must be just scheme, host and port, without a path or query (got ${JSON.stringify(input)}).`,
    );
  }
  return `${url.protocol}//${url.host}`;
}

/** Fills defaults and validates everything, so a bad setting is refused before any connection is made. */
export function resolveTunnelSettings(input: Partial<TunnelSettings> & { localPort: number }): TunnelSettings {
  if (!Number.isInteger(input.localPort) || input.localPort < 1 || input.localPort > 65535) {
    throw new TunnelSettingsError(`local port must be a whole number from 1 to 65535 (got ${String(input.localPort)}).`);
  }
  return {
    enabled: input.enabled ?? true,
    host: normalizeTunnelHost(input.host ?? DEFAULT_TUNNEL_HOST),
    subdomain:
      input.subdomain === null || input.subdomain === undefined || input.subdomain.trim() === ''
        ? null
        : validateSubdomain(input.subdomain),
    localPort: input.localPort,
  };
}

/**
 * A random valid subdomain (`hw-` and 12 base-36 characters, about 62 bits: no one else picks the same). Picked at
 * first run and kept (preferences.ts), so the URL survives reconnects and restarts.
 */
export function generateSubdomain(random: () => number = secureRandom): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  let s = 'hw-';
  for (let i = 0; i < 12; i++) s += alphabet[Math.floor(random() * alphabet.length) % alphabet.length];
  return s;
}

function secureRandom(): number {
  return randomBytes(4).readUInt32BE(0) / 0x1_0000_0000;
}
