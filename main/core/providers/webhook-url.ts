/**
 * Webhook URLs as Hookwatch hands them to providers: `<public>/hooks/<secret>`, the checks a
 * provider would apply, whose URL is ours, and how to show one without its secret.
 */

/** A mistake in what the caller asked for (URL, secret, event types): say what to do instead. */
export class RegistrationInputError extends Error {
  override readonly name = 'RegistrationInputError';
}

/** The longest webhook URL TimelinesAI accepts (its spec's maxLength); WhatsAble documents none. */
export const WEBHOOK_URL_MAX_LENGTH = 4096;

/** Why a provider would refuse this as a webhook URL, or null. Never quotes the URL (it carries the secret). */
export function webhookUrlProblem(url: string): string | null {
  if (url.length > WEBHOOK_URL_MAX_LENGTH)
    return `the webhook URL is longer than TimelinesAI accepts (${WEBHOOK_URL_MAX_LENGTH} characters)`;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'the webhook URL is not a valid URL';
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return 'the webhook URL must start with https:// (or http://)';
  if (parsed.username || parsed.password) return 'the webhook URL must not contain a user name or password';
  return null;
}

/** `.../hooks/<secret>...` -> `.../hooks/{secret}...`. */
export function redactWebhookSecrets(text: string): string {
  return text.replace(/\/hooks\/(?!\{secret\})[^/\s?#"'<>]+/g, '/hooks/{secret}');
}

/** True when the URL's path has `hooks/<one of the secrets>` as consecutive segments. */
export function urlCarriesSecret(url: string, secrets: readonly string[]): boolean {
  let path: string;
  try {
    path = new URL(url).pathname;
  } catch {
    return false;
  }
  const parts = path.split('/').map((p) => {
    try {
      return decodeURIComponent(p);
    } catch {
      return p;
    }
  });
  for (let i = 0; i + 1 < parts.length; i++) {
    if (parts[i] === 'hooks' && secrets.includes(parts[i + 1]!)) return true;
  }
  return false;
}

/** `<publicUrl>/hooks/<secret>`, after checking the public URL is one a provider can call. */
export function targetUrlFor(publicUrl: string, secret: string, allowLocalUrl = false): string {
  let u: URL;
  try {
    u = new URL(publicUrl.trim());
  } catch {
    throw new RegistrationInputError(
      `the public URL '${redactWebhookSecrets(publicUrl).slice(0, 200)}' is not a URL: use the address the tunnel printed (public: https://...)`,
    );
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new RegistrationInputError('the public URL must start with https://');
  if (u.search || u.hash || u.username || u.password) {
    throw new RegistrationInputError('the public URL must be a plain address without ?query, #fragment or user:password');
  }
  if (!allowLocalUrl && isLocalHost(u.hostname)) {
    throw new RegistrationInputError(
      `the public URL points at ${u.hostname}, which TimelinesAI cannot reach from the internet: start the tunnel (hookwatch serve) and use the public URL it prints`,
    );
  }
  const base = (u.origin + u.pathname).replace(/\/+$/, '');
  const target = `${base}/hooks/${secret}`;
  const problem = webhookUrlProblem(target);
  if (problem) throw new RegistrationInputError(problem);
  return target;
}

/** Loopback, private and link-local addresses: nothing on the internet can reach them. */
export function isLocalHost(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h.endsWith('.localhost') || h.endsWith('.local') || h === '0.0.0.0' || h === '::' || h === '::1') return true;
  const m = /^(\d+)\.(\d+)\.\d+\.\d+$/.exec(h);
  if (m) {
    const a = Number(m[1]);
    const b = Number(m[2]);
    return a === 127 || a === 10 || a === 0 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254);
  }
  return /^f[cd][0-9a-f]{2}:/.test(h) || /^fe80:/.test(h);
}
