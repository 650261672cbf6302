// Input checks of the API: every bad argument from a UI gets an ApiInputError that says what was expected.
import { parseEventTypeList } from '../providers/timelines/event-types.js';
import type { EventFilter as StoreEventFilter } from '../store/store.js';
import { EVENT_GROUP_NAMES, PROVIDER_IDS, type EventQuery, type NotificationSettings, type TeamHubSettings } from '../../contract/api.js';
import { ApiInputError } from './errors.js';

/**
 * Arguments arrive as JSON from a page (over HTTP or IPC), so nothing about their shape is trusted; these
 * checks turn them into the typed values the service passes on. What a filter *means* (aliases, phone
 * spellings, groups) is decided later, once, by the contract's filter (main/contract/filter.ts).
 */

export function obj(v: unknown, name: string): Record<string, unknown> {
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw new ApiInputError(`${name} must be an object`);
  return v as Record<string, unknown>;
}

export function str(v: unknown, name: string, max: number): string {
  if (typeof v !== 'string') throw new ApiInputError(`${name} must be text`);
  if (v.length > max) throw new ApiInputError(`${name} is longer than ${max} characters`);
  return v;
}

export function optStr(v: unknown, name: string, max: number): string | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  return str(v, name, max);
}

/** Text that may be null (meaning "back to the default"); trimmed. */
export function optNullableText(v: unknown, name: string): string | null | undefined {
  if (v === undefined || v === null) return v;
  if (typeof v !== 'string' || v.length > 300) throw new ApiInputError(`${name} must be text of at most 300 characters`);
  return v.trim();
}

export function int(v: unknown, name: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new ApiInputError(
      `${name} must be a whole number from ${min}${max < Number.MAX_SAFE_INTEGER ? ` to ${max}` : ''}, got ${JSON.stringify(v)}`,
    );
  }
  return v;
}

export function optInt(v: unknown, name: string, min: number, max?: number): number | undefined {
  return v === undefined || v === null ? undefined : int(v, name, min, max);
}

export function oneOf<T extends string>(v: unknown, name: string, allowed: readonly T[]): T {
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
    throw new ApiInputError(`${name} must be one of ${allowed.join(', ')}, got ${JSON.stringify(v)}`);
  }
  return v as T;
}

function optOneOf<T extends string>(v: unknown, name: string, allowed: readonly T[]): T | undefined {
  return v === undefined || v === null ? undefined : oneOf(v, name, allowed);
}

/** A feed query (filter, cursor, page size) as the store takes it. */
export function eventQuery(query: unknown): StoreEventFilter & { limit: number } {
  const q = obj(query, 'query') as EventQuery & Record<string, unknown>;
  const group = optOneOf(q.group, 'group', EVENT_GROUP_NAMES);
  const from = optInt(q.from, 'from', 0);
  const to = optInt(q.to, 'to', 0);
  if (from !== undefined && to !== undefined && to <= from) throw new ApiInputError(`to (${to}) must be after from (${from})`);
  return {
    provider: optOneOf(q.provider, 'provider', PROVIDER_IDS),
    // The store takes a group name or an exact type in one field; `type` wins, as the contract says.
    type: optStr(q.type, 'type', 100) ?? group,
    account: optStr(q.account, 'account', 200),
    chat: optStr(q.chat, 'chat', 200),
    since: from,
    to,
    beforeId: optInt(q.beforeId, 'beforeId', 1),
    limit: optInt(q.limit, 'limit', 1, 1000) ?? 200,
  };
}

/** An export's filter and search; the page size and cursor do not apply. */
export function exportFilter(filter: unknown): { query: Omit<StoreEventFilter, 'limit' | 'beforeId'>; search: string | undefined } {
  const raw = obj(filter, 'filter');
  const search = optStr(raw.search, 'search', 500);
  const { limit: _limit, beforeId: _beforeId, ...query } = eventQuery({ ...raw, search: undefined });
  return { query, search };
}

export function searchText(v: unknown): string {
  return str(v, 'search text', 500);
}

/** A TimelinesAI token to keep (null: forget it). */
export function timelinesToken(token: unknown): string | null {
  if (token === null) return null;
  if (typeof token !== 'string' || token.trim() === '' || token.length > 4096 || /\s/.test(token.trim())) {
    throw new ApiInputError('the token is one word without spaces, as TimelinesAI shows it (Integrations > Public API)');
  }
  return token.trim();
}

/** The event types to register, canonical and checked. */
export function eventTypesToRegister(eventTypes: unknown): string[] {
  if (!Array.isArray(eventTypes) || eventTypes.length === 0 || eventTypes.some((t) => typeof t !== 'string')) {
    throw new ApiInputError('choose at least one event type');
  }
  try {
    return parseEventTypeList(eventTypes.join(','));
  } catch (err) {
    throw new ApiInputError((err as Error).message);
  }
}

const SETTINGS_SECTIONS = ['retention', 'notifications', 'tunnel'] as const;

/** A settings patch: only known sections. */
export function settingsPatch(patch: unknown): Record<string, unknown> {
  const p = obj(patch, 'settings');
  for (const key of Object.keys(p)) {
    if (!(SETTINGS_SECTIONS as readonly string[]).includes(key))
      throw new ApiInputError(`unknown setting ${JSON.stringify(key)} (settings: ${SETTINGS_SECTIONS.join(', ')})`);
  }
  return p;
}

const CLOCK = /^([01]\d|2[0-3]):[0-5]\d$/;

/** Checks the shape of a notification-settings patch here; the alerts feature checks the meaning. */
export function notificationPatch(v: unknown): Partial<NotificationSettings> {
  const p = obj(v, 'notifications');
  const out: Partial<NotificationSettings> = {};
  for (const key of Object.keys(p)) {
    switch (key) {
      case 'assignmentAlerts':
        out.assignmentAlerts = oneOf(p.assignmentAlerts, 'notifications.assignmentAlerts', ['all', 'mine', 'none'] as const);
        // Choosing is answering Setup's question: the choice is the user's from now on.
        out.assignmentsAnswered = true;
        break;
      case 'assignmentsAnswered':
        if (typeof p.assignmentsAnswered !== 'boolean') throw new ApiInputError('notifications.assignmentsAnswered must be true or false');
        out.assignmentsAnswered = p.assignmentsAnswered;
        break;
      case 'myEmail':
        out.myEmail = p.myEmail === null || p.myEmail === '' ? null : str(p.myEmail, 'notifications.myEmail', 320).trim();
        break;
      case 'quietHours': {
        const q = obj(p.quietHours, 'notifications.quietHours');
        if (typeof q.enabled !== 'boolean') throw new ApiInputError('notifications.quietHours.enabled must be true or false');
        for (const k of ['start', 'end'] as const) {
          if (typeof q[k] !== 'string' || !CLOCK.test(q[k] as string))
            throw new ApiInputError(`notifications.quietHours.${k} must be a time like 22:00`);
        }
        out.quietHours = { enabled: q.enabled, start: q.start as string, end: q.end as string };
        break;
      }
      case 'criticalBreaksQuietHours':
        if (typeof p.criticalBreaksQuietHours !== 'boolean')
          throw new ApiInputError('notifications.criticalBreaksQuietHours must be true or false');
        out.criticalBreaksQuietHours = p.criticalBreaksQuietHours;
        break;
      case 'mutedAccounts':
        if (!Array.isArray(p.mutedAccounts) || p.mutedAccounts.length > 1000)
          throw new ApiInputError('notifications.mutedAccounts must be a list of account keys');
        out.mutedAccounts = p.mutedAccounts.map((k, i) => str(k, `notifications.mutedAccounts[${i}]`, 200));
        break;
      case 'flapWindowMinutes':
        out.flapWindowMinutes = int(p.flapWindowMinutes, 'notifications.flapWindowMinutes', 0, 1440);
        break;
      case 'silenceAlerts':
        if (typeof p.silenceAlerts !== 'boolean') throw new ApiInputError('notifications.silenceAlerts must be true or false');
        out.silenceAlerts = p.silenceAlerts;
        break;
      case 'silenceFloorMinutes':
        out.silenceFloorMinutes = int(p.silenceFloorMinutes, 'notifications.silenceFloorMinutes', 15, 7 * 24 * 60);
        break;
      default:
        throw new ApiInputError(`unknown notification setting ${JSON.stringify(key)}`);
    }
  }
  return out;
}

/** An account key as the Accounts screen has it (AccountCard.key: a phone or a provider account id). */
export function accountKey(v: unknown): string {
  const key = str(v, 'account key', 200).trim();
  if (key === '') throw new ApiInputError('account key: give the key of a number on the Accounts screen (its phone or account id)');
  return key;
}

/** Settings → Team hub as typed values; what the values mean (URL, file, name) is checked by the core (hub/settings.ts). */
export function teamHubSettings(v: unknown): TeamHubSettings {
  const o = obj(v, 'team hub settings');
  const file = (x: unknown, what: string) => (x === null || x === undefined || x === '' ? null : str(x, what, 1000));
  return {
    mode: oneOf(o.mode, 'mode', ['off', 'publish', 'follow'] as const),
    url: o.url === undefined ? '' : str(o.url, 'hub URL', 2000),
    credsFile: file(o.credsFile, 'credentials file'),
    name: o.name === undefined ? '' : str(o.name, 'name', 100),
    workspace: o.workspace === undefined ? '' : str(o.workspace, 'workspace', 100),
    caFile: file(o.caFile, 'CA file'),
    certFile: file(o.certFile, 'client certificate file'),
    keyFile: file(o.keyFile, 'client key file'),
  };
}

/** A forwarding destination to add: its URL and the event types (empty: all). */
export function forwardDestination(v: unknown): { url: string; types: string[] } {
  const o = obj(v, 'destination');
  const types = o.types === undefined || o.types === null ? [] : o.types;
  if (!Array.isArray(types) || types.length > 100) throw new ApiInputError('types must be a list of at most 100 event types');
  return { url: str(o.url, 'destination URL', 2000), types: types.map((t, i) => str(t, `types[${i}]`, 100)) };
}
