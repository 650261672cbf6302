// Keeps webhook secrets, and near misses of them, out of the delivery log.

/**
 * A near miss is text that shares this many characters in a row with a secret (current or former),
 * ignoring case, after percent-decoding. A secret is 43 characters of base64url; a run of 8 leaves
 * 35 unknown (over 200 bits), and two random 8-character runs agree by chance about once in 10^12,
 * so ordinary path segments are not caught.
 */
export const NEAR_MISS_RUN = 8;

/** Placeholder for a path segment or header value that is a near miss of a secret. */
export const REDACTED = '{redacted}';

/** Percent-decoding, byte by byte, three times over (double-encoding is common in proxies' echoes). */
function percentDecode(text: string): string {
  let t = text;
  for (let round = 0; round < 3 && t.includes('%'); round++) {
    t = t.replace(/%([0-9a-fA-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  }
  return t;
}

/** Edit distance, giving up (returning max + 1) as soon as it must exceed `max`. */
function editDistanceWithin(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const v = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      row.push(v);
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return max + 1;
    prev = row;
  }
  return prev[b.length]!;
}

/**
 * Finds secrets and near misses of them in untrusted text (a request path, a header a proxy echoed).
 * Exact matches become `{secret}`; anything else sharing a run of NEAR_MISS_RUN characters with a
 * secret, or within a quarter of its length in edits (typos scattered so no run survives), becomes
 * `{redacted}`. Build one per set of secrets; checking costs one set lookup per character, and the
 * receiver runs it only for requests that did not match the webhook route.
 */
export class SecretRedactor {
  private readonly secrets: string[];
  private readonly lowered: string[];
  private readonly runs = new Set<string>();

  constructor(secrets: readonly string[]) {
    this.secrets = secrets.filter((s) => s.length > 0);
    this.lowered = this.secrets.map((s) => s.toLowerCase());
    for (const s of this.lowered) for (let i = 0; i + NEAR_MISS_RUN <= s.length; i++) this.runs.add(s.slice(i, i + NEAR_MISS_RUN));
  }

  /** Replaces exact occurrences of a secret with `{secret}` (cheap; fine on every request). */
  exact(text: string): string {
    let t = text;
    for (const secret of this.secrets) if (t.includes(secret)) t = t.split(secret).join('{secret}');
    return t;
  }

  /** True when the text is, or contains, a near miss of a secret. */
  isNearMiss(text: string): boolean {
    const t = percentDecode(text).toLowerCase();
    for (let i = 0; i + NEAR_MISS_RUN <= t.length; i++) if (this.runs.has(t.slice(i, i + NEAR_MISS_RUN))) return true;
    for (const s of this.lowered) {
      const max = Math.floor(s.length / 4);
      if (Math.abs(t.length - s.length) <= max && editDistanceWithin(t, s, max) <= max) return true;
    }
    return false;
  }

  /** One path segment or header value for the log: `{secret}` for exact matches, `{redacted}` if a near miss remains. */
  value(text: string): string {
    const t = this.exact(text);
    return this.isNearMiss(t) ? REDACTED : t;
  }

  /** A path for the log, segment by segment. */
  path(path: string): string {
    return path
      .split('/')
      .map((segment) => (segment === '' ? segment : this.value(segment)))
      .join('/');
  }
}
