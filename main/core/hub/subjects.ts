// Subject and name scheme of the team hub: `hookwatch.<workspace>.<kind>.<type tokens>`, and the tokens' sanitizing.

/**
 * Why this scheme (docs/hub.md has the table):
 * - One stream (`HOOKWATCH`) over `hookwatch.>`; the workspace comes first so a NATS user can be
 *   limited to one workspace with one permission (`hookwatch.acme.>`), and a follower or forwarder
 *   can filter on it without reading anything else.
 * - The kind (`event`, `account`, `incident`) comes next so "only account changes" is one wildcard.
 * - A provider type such as `message:received:new` becomes `message.received.new`: NATS wildcards
 *   match whole tokens, so splitting on `:` lets a filter take a group (`...event.message.>`) as
 *   well as one exact type, which a single `message:received:new` token would not allow.
 * Tokens are sanitized because a type is untrusted text from a webhook: a `.`, `*`, `>` or space in
 * it would change what the subject means, so anything outside [A-Za-z0-9_-] becomes `_XX` (its
 * UTF-8 bytes in hex). The exact type always travels in the message headers as well; the subject
 * only has to be safe and stable, and it is.
 */

export const STREAM_NAME = 'HOOKWATCH';
export const SUBJECT_ROOT = 'hookwatch';

export type HubKind = 'event' | 'account' | 'incident';
export const HUB_KINDS: readonly HubKind[] = ['event', 'account', 'incident'];

/** Longest token we emit; subjects stay far below the server's limits and readable in `nats sub`. */
const MAX_TOKEN = 64;

/** One subject token: safe characters kept, the rest escaped as `_XX`; never empty. */
export function subjectToken(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const ch = String.fromCharCode(byte);
    out += /[A-Za-z0-9-]/.test(ch) ? ch : `_${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  if (out.length === 0) return '_';
  return out.length > MAX_TOKEN ? out.slice(0, MAX_TOKEN) : out;
}

/** The subject tokens of a type: `message:received:new` → `message.received.new`. */
export function typeTokens(type: string): string {
  const parts = type.split(':').slice(0, 8);
  return parts.map(subjectToken).join('.');
}

/** A workspace name as one token (`default` when none is configured). */
export function workspaceToken(workspace: string | null | undefined): string {
  const w = (workspace ?? '').trim();
  return w === '' ? 'default' : subjectToken(w.toLowerCase());
}

export function subjectFor(workspace: string, kind: HubKind, type: string): string {
  return `${SUBJECT_ROOT}.${workspaceToken(workspace)}.${kind}.${typeTokens(type)}`;
}

/** Filter for every message of a kind, in one workspace or (`*`) in all of them. */
export function kindFilter(workspace: string | '*', kind: HubKind | '*'): string {
  const ws = workspace === '*' ? '*' : workspaceToken(workspace);
  return `${SUBJECT_ROOT}.${ws}.${kind}.>`;
}

/** Filter for every subject of a workspace (or all workspaces). */
export function workspaceFilter(workspace: string | '*'): string {
  return workspace === '*' ? `${SUBJECT_ROOT}.>` : `${SUBJECT_ROOT}.${workspaceToken(workspace)}.>`;
}

/** Exact filter of one event type (`*` workspace allowed). */
export function eventTypeFilter(workspace: string | '*', type: string): string {
  const ws = workspace === '*' ? '*' : workspaceToken(workspace);
  return `${SUBJECT_ROOT}.${ws}.event.${typeTokens(type)}`;
}

/**
 * A durable consumer name from a free-form name (a follower's --name, a destination id).
 * Consumer names may not contain `.`, `*`, `>` or whitespace and end up in file names on the server.
 */
export function consumerName(prefix: 'follow' | 'forward', name: string): string {
  const token = subjectToken(name.trim().toLowerCase());
  return `hookwatch-${prefix}-${token}`.slice(0, 120);
}
