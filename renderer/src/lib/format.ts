// Small formatters for what the UI shows: bodies, shares, answer times, counts, HTTP statuses, invisible characters.
/** Body text as indented JSON when it parses, else as it came. */
export function prettyBody(text: string | null): { text: string; json: boolean; value: unknown } {
  if (text === null) return { text: '', json: false, value: null };
  try {
    const value: unknown = JSON.parse(text);
    return { text: JSON.stringify(value, null, 2), json: true, value };
  } catch {
    return { text, json: false, value: null };
  }
}

/** Every string value named `aggregation` in a JSON value (TimelinesAI v1 bundles carry HTML there). */
export function findAggregationHtml(value: unknown, depth = 0): string[] {
  if (depth > 8 || value === null || typeof value !== 'object') return [];
  if (Array.isArray(value)) return value.flatMap((v) => findAggregationHtml(v, depth + 1));
  const out: string[] = [];
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (k === 'aggregation' && typeof v === 'string') out.push(v);
    else out.push(...findAggregationHtml(v, depth + 1));
  }
  return out;
}

export function percent(share: number | null): string {
  if (share === null) return '–';
  if (share === 0) return '0 %';
  if (share < 0.001) return '< 0.1 %';
  return `${(share * 100).toFixed(share < 0.1 ? 1 : 0)} %`;
}

export function count(n: number): string {
  return n.toLocaleString();
}

export function statusText(status: number): string {
  if (status >= 200 && status < 300) return `${status} OK`;
  const names: Record<number, string> = {
    400: 'Bad request',
    404: 'Not found',
    405: 'Wrong method',
    408: 'Too slow',
    413: 'Too large',
    499: 'Client gave up',
    503: 'Unavailable',
  };
  return `${status} ${names[status] ?? ''}`.trim();
}

/**
 * Untrusted text with its invisible characters made visible as `\u{…}` escapes: C0 and C1 controls, DEL,
 * bidi overrides and zero-width characters. (Not the Unicode control pictures: many fonts draw those as
 * boxes too.) Newlines and tabs stay unless `singleLine` (a feed row), where they read \u{A} and \u{9}.
 */
export function visibleControls(text: string, singleLine = false): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g, (c) => {
    const code = c.charCodeAt(0);
    if (!singleLine && (c === '\n' || c === '\t' || c === '\r')) return c;
    return `\\u{${code.toString(16).toUpperCase()}}`;
  });
}

/** An answer time a person can read: "under 1 ms", "12 ms", "1.2 s". */
export function ms(v: number | null): string {
  if (v === null) return '–';
  if (v < 1) return 'under 1 ms';
  if (v < 1000) return `${Math.round(v)} ms`;
  if (v < 60_000) return `${(v / 1000).toFixed(1)} s`;
  return `${Math.round(v / 1000)} s`;
}
