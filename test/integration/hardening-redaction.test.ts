// Near misses of the webhook secret (current or former) never reach the delivery log: a generated table through the real receiver.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCore } from '../support/harness.js';

let env: Awaited<ReturnType<typeof startCore>>;
let base: string;
let current: string;
let former: string[];

beforeAll(async () => {
  env = await startCore();
  // Two rotations: the first two secrets become former secrets, which must stay out of the log too.
  former = [env.core.store.webhookSecret()];
  former.unshift(env.core.rotateSecret());
  current = env.core.rotateSecret();
  expect(env.core.store.formerWebhookSecrets()).toEqual(former);
  base = `http://127.0.0.1:${env.core.receiver.port}`;
});
afterAll(() => env.stop());

const decode = (s: string) => {
  let t = s;
  for (let i = 0; i < 3; i++) t = t.replace(/%([0-9a-f]{2})/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
  return t;
};

/** Longest run the two strings share, ignoring case: what the log would give away of the secret. */
function longestSharedRun(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let best = 0;
  let prev = new Array<number>(y.length + 1).fill(0);
  for (let i = 1; i <= x.length; i++) {
    const row = new Array<number>(y.length + 1).fill(0);
    for (let j = 1; j <= y.length; j++) {
      if (x[i - 1] === y[j - 1]) {
        row[j] = prev[j - 1]! + 1;
        if (row[j]! > best) best = row[j]!;
      }
    }
    prev = row;
  }
  return best;
}

const swapCase = (s: string) => [...s].map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join('');
const changeAt = (s: string, i: number) => s.slice(0, i) + (s[i] === 'Q' ? 'R' : 'Q') + s.slice(i + 1);
const encodeAll = (s: string) => [...s].map((c) => '%' + c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')).join('');

/** Every way a secret can be almost right: the generated variants. */
function variants(secret: string): Array<{ name: string; segment: string; shown?: string }> {
  const out: Array<{ name: string; segment: string; shown?: string }> = [];
  for (const n of [1, 2, 3, 8, 20, 31]) out.push({ name: `without its last ${n}`, segment: secret.slice(0, secret.length - n) });
  for (const n of [1, 3, 12, 25, 35]) out.push({ name: `without its first ${n}`, segment: secret.slice(n) });
  for (const i of [0, 7, 21, 30, 42]) out.push({ name: `character ${i} changed`, segment: changeAt(secret, i) });
  out.push({ name: 'upper case', segment: secret.toUpperCase() });
  out.push({ name: 'lower case', segment: secret.toLowerCase() });
  out.push({ name: 'case swapped', segment: swapCase(secret) });
  out.push({ name: 'percent-encoded', segment: encodeAll(secret) });
  out.push({ name: 'half percent-encoded', segment: secret.slice(0, 20) + encodeAll(secret.slice(20)) });
  out.push({ name: 'double percent-encoded', segment: encodeAll(secret).replace(/%/g, '%25') });
  // The secret itself inside a segment is replaced as such (it tells which secret was used, nothing of it).
  out.push({ name: 'one character more', segment: secret + 'x', shown: '{secret}x' });
  out.push({ name: 'inside other text', segment: `abc${secret.slice(5, 30)}def` });
  // No run of 8 survives here; each piece of 7 is still most of the secret, in order.
  out.push({
    name: 'every 8th character changed',
    segment: [...secret].map((c, i) => (i % 8 === 7 ? (c === 'Q' ? 'R' : 'Q') : c)).join(''),
  });
  return out;
}

/** Where a near miss may sit in a path; `{V}` marks it, `{S}` the current secret. `expected` is what the log should show (`{R}`: the segment as redacted). */
const SHAPES: Array<{ path: string; expected: string }> = [
  { path: '/hooks/{V}', expected: '/hooks/{wrong-secret}' },
  { path: '/hooks/anything/{V}', expected: '/hooks/{wrong-secret}/{R}' },
  { path: '/hook/{V}', expected: '/hook/{R}' },
  { path: '/webhooks/{V}', expected: '/webhooks/{R}' },
  { path: '/{V}', expected: '/{R}' },
  { path: '/hooks/x/y/{V}', expected: '/hooks/{redacted}/y/{R}' },
  { path: '/a/{V}/b', expected: '/a/{R}/b' },
  { path: '/hooks/{S}/{V}', expected: '/hooks/{secret}/{R}' },
];

function resetNotFoundBudget() {
  // The log takes 120 unknown-path rows a minute; this table sends more, so each one starts a fresh minute.
  (env.core.receiver as unknown as { notFound: { windowStart: number; logged: number; skipped: number } }).notFound = {
    windowStart: Date.now(),
    logged: 0,
    skipped: 0,
  };
}

describe('delivery log: near misses of the secret are redacted wherever they sit (generated table, real receiver, real SQLite)', () => {
  it('redacts every near miss of the current and the former secrets, in every position', async () => {
    const rows: Array<{ label: string; expected: string; segment: string }> = [];
    const secrets = [{ label: 'current', secret: current }, ...former.map((s, i) => ({ label: `former ${i + 1}`, secret: s }))];
    for (const { label, secret } of secrets) {
      for (const v of variants(secret)) {
        for (const shape of SHAPES) {
          const path = shape.path.replace('{V}', v.segment).replace('{S}', current);
          resetNotFoundBudget();
          const res = await fetch(`${base}${path}`, { method: 'POST', body: '{}' });
          expect(res.status, `${label}, ${v.name}, ${shape.path}`).toBe(404);
          rows.push({
            label: `${label} secret, ${v.name}, in ${shape.path}`,
            expected: shape.expected.replace('{R}', v.shown ?? '{redacted}'),
            segment: v.segment,
          });
        }
      }
    }
    const logged = env.core.store.listDeliveries({ limit: rows.length }).reverse();
    expect(logged).toHaveLength(rows.length);
    const all = [current, ...former];
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!;
      const path = logged[i]!.path;
      expect(path, row.label).toBe(row.expected);
      for (const s of all) expect(longestSharedRun(decode(path), s), row.label).toBeLessThan(8);
    }
  });

  it('keeps paths that only look like paths (no false positives on ordinary segments)', async () => {
    for (const path of ['/webhooks/timelines-status-check', '/hooks', '/favicon.ico', '/api/v1/whatsapp_accounts/972501111111']) {
      resetNotFoundBudget();
      expect((await fetch(`${base}${path}`, { method: 'POST', body: '{}' })).status).toBe(404);
      expect(env.core.store.listDeliveries({ limit: 1 })[0]!.path).toBe(path);
    }
  });

  it('redacts a near miss echoed in a header of a request to an unknown path', async () => {
    resetNotFoundBudget();
    const near = current.slice(0, -1);
    await fetch(`${base}/hook/${near}`, {
      method: 'POST',
      body: '{}',
      headers: { 'x-forwarded-uri': `/hook/${near}`, referer: `https://example.invalid/hooks/${former[0]!.toUpperCase()}` },
    });
    const d = env.core.store.listDeliveries({ limit: 1 })[0]!;
    const text = JSON.stringify(d);
    for (const s of [current, ...former]) expect(longestSharedRun(decode(text), s)).toBeLessThan(8);
    expect(d.headers['x-forwarded-uri']).toBe('{redacted}');
  });

  it('still logs an accepted delivery under /hooks/{secret} with its provider', async () => {
    const res = await fetch(`${base}/hooks/${current}/timelines`, { method: 'POST', body: '{"event_type":"message:new","x":1}' });
    expect(res.status).toBe(200);
    expect(env.core.store.listDeliveries({ limit: 1 })[0]!.path).toBe('/hooks/{secret}/timelines');
  });
});
