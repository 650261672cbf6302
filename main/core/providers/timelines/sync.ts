/**
 * Keeps TimelinesAI's webhooks pointing at Hookwatch's current public URL.
 *
 * planTimelinesSync() is a pure function of the workspace's webhooks and what we want;
 * syncTimelinesWebhooks() lists, plans and applies, and reports what changed.
 *
 * Ownership rule: a webhook is ours only if its URL carries our webhook secret as the path
 * segment after `/hooks/`. Everything else in the workspace belongs to someone else (Zapier,
 * a CRM, a colleague's script) and is never changed or deleted, even when it subscribes the
 * same event type.
 */
import { TIMELINES_TYPE_ALIASES } from '../../events.js';
import { redactWebhookSecrets, RegistrationInputError, targetUrlFor, urlCarriesSecret } from '../webhook-url.js';
import type { TimelinesApiClient, TimelinesWebhook } from './api.js';
import {
  isWebhookLimitRefusal,
  TimelinesApiError,
  TIMELINES_WEBHOOKS_PAGE,
  webhookLimitError,
  type TimelinesApiErrorKind,
} from './errors.js';
import { DEFAULT_SYNC_EVENT_TYPES, isCurrentEventType } from './event-types.js';

/** TimelinesAI's documented default; more can be bought as an add-on, so the API has the last word. */
export const DEFAULT_WEBHOOK_LIMIT = 10;

// ---------------------------------------------------------------------------------------------
// The plan (pure)

export interface TimelinesSyncInput {
  /** Every webhook of the workspace, as listed (everyone's). */
  existing: readonly TimelinesWebhook[];
  /** The tunnel's public base URL, e.g. `https://quiet-fox-12.loca.lt`. */
  publicUrl: string;
  /** The receiver's webhook secret (the `/hooks/<secret>` segment). */
  secret: string;
  /** Current TimelinesAI names; default DEFAULT_SYNC_EVENT_TYPES. */
  eventTypes?: readonly string[];
  /** Secrets used before `hookwatch secret --rotate`: webhooks carrying them are ours too (and get the new URL). */
  formerSecrets?: readonly string[];
  /** Delete our webhooks whose event type is no longer chosen (Settings unticked them). Default: leave them. */
  removeUnchosen?: boolean;
  /** For the warning in the plan; default 10. */
  webhookLimit?: number;
  /** Accept a loopback/private public URL (tests with a local tunnel server). TimelinesAI itself cannot reach one. */
  allowLocalUrl?: boolean;
}

export type TimelinesSyncStep =
  | { op: 'delete'; eventType: string; webhookId: number; reason: 'duplicate' | 'not-chosen'; keptId: number | null }
  | { op: 'update'; eventType: string; webhookId: number; changes: { url?: string; enabled?: true }; before: TimelinesWebhook }
  | { op: 'keep'; eventType: string; webhookId: number; before: TimelinesWebhook }
  | { op: 'create'; eventType: string; url: string };

export interface TimelinesSyncPlan {
  /** `<publicUrl>/hooks/<secret>`: carries the secret; show it redacted (redactWebhookSecrets). */
  targetUrl: string;
  eventTypes: string[];
  /** In the order they are applied: deletes first (they free slots under the limit), then updates, then creates. */
  steps: TimelinesSyncStep[];
  /** Our webhooks of types not chosen, left as they are (unless removeUnchosen). */
  unchosen: TimelinesWebhook[];
  /** How many webhooks in the workspace are not ours: never touched. */
  othersCount: number;
  /** Webhooks in the workspace once the plan is applied. */
  webhooksAfter: number;
  webhookLimit: number;
  /** Creates the default limit would refuse (0 when it fits); the API decides, a workspace may have bought more. */
  overLimitBy: number;
}

export function planTimelinesSync(input: TimelinesSyncInput): TimelinesSyncPlan {
  const secrets = checkSecrets(input.secret, input.formerSecrets ?? []);
  const targetUrl = targetUrlFor(input.publicUrl, input.secret, input.allowLocalUrl ?? false);
  const eventTypes = checkEventTypes(input.eventTypes ?? DEFAULT_SYNC_EVENT_TYPES);
  const limit = input.webhookLimit ?? DEFAULT_WEBHOOK_LIMIT;

  const ours: TimelinesWebhook[] = [];
  let othersCount = 0;
  for (const w of input.existing) {
    if (urlCarriesSecret(w.url, secrets)) ours.push(w);
    else othersCount++;
  }

  const deletes: TimelinesSyncStep[] = [];
  const updates: TimelinesSyncStep[] = [];
  const creates: TimelinesSyncStep[] = [];
  const unchosen: TimelinesWebhook[] = [];

  for (const eventType of eventTypes) {
    const mine = ours.filter((w) => w.eventType === eventType);
    if (mine.length === 0) {
      creates.push({ op: 'create', eventType, url: targetUrl });
      continue;
    }
    const [keeper, ...extra] = [...mine].sort((a, b) => keeperRank(a, targetUrl) - keeperRank(b, targetUrl) || a.id - b.id);
    const changes: { url?: string; enabled?: true } = {};
    if (!sameUrl(keeper!.url, targetUrl)) changes.url = targetUrl;
    if (!keeper!.enabled) changes.enabled = true;
    updates.push(
      Object.keys(changes).length === 0
        ? { op: 'keep', eventType, webhookId: keeper!.id, before: keeper! }
        : { op: 'update', eventType, webhookId: keeper!.id, changes, before: keeper! },
    );
    for (const dup of extra.sort((a, b) => a.id - b.id))
      deletes.push({ op: 'delete', eventType, webhookId: dup.id, reason: 'duplicate', keptId: keeper!.id });
  }

  for (const w of ours) {
    if (eventTypes.includes(w.eventType)) continue;
    if (input.removeUnchosen) deletes.push({ op: 'delete', eventType: w.eventType, webhookId: w.id, reason: 'not-chosen', keptId: null });
    else unchosen.push(w);
  }

  const webhooksAfter = input.existing.length - deletes.length + creates.length;
  return {
    targetUrl,
    eventTypes,
    steps: [...deletes, ...updates, ...creates],
    unchosen,
    othersCount,
    webhooksAfter,
    webhookLimit: limit,
    overLimitBy: Math.min(creates.length, Math.max(0, webhooksAfter - limit)),
  };
}

/** Lower is better: the exact URL and enabled first, so a duplicate is what gets removed, not the good one. */
function keeperRank(w: TimelinesWebhook, target: string): number {
  return (sameUrl(w.url, target) ? 0 : 2) + (w.enabled ? 0 : 1);
}

function sameUrl(a: string, b: string): boolean {
  if (a === b) return true;
  try {
    return new URL(a).href === new URL(b).href;
  } catch {
    return false;
  }
}

function checkSecrets(secret: string, former: readonly string[]): string[] {
  for (const s of [secret, ...former]) {
    // Ownership is decided by the secret alone: a short or odd one could match strangers' URLs.
    if (!/^[A-Za-z0-9_-]{16,200}$/.test(s)) {
      throw new RegistrationInputError(
        'the webhook secret is missing, too short or has characters a URL cannot carry: run hookwatch secret --rotate',
      );
    }
  }
  return [secret, ...former];
}

function checkEventTypes(types: readonly string[]): string[] {
  if (types.length === 0)
    throw new RegistrationInputError(
      'no event types chosen: choose at least one (default: the WhatsApp account and chat assignment events)',
    );
  const out: string[] = [];
  for (const t of types) {
    if (!isCurrentEventType(t)) {
      const current = TIMELINES_TYPE_ALIASES[t];
      throw new RegistrationInputError(
        current
          ? `'${t}' is an old event name the TimelinesAI API no longer accepts: use '${current}'`
          : `'${String(t).slice(0, 60)}' is not a TimelinesAI event type`,
      );
    }
    if (!out.includes(t)) out.push(t);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Applying it

export type TimelinesSyncAction = 'created' | 'updated' | 'enabled' | 'unchanged' | 'removed' | 'failed' | 'skipped';

export interface TimelinesSyncChange {
  action: TimelinesSyncAction;
  eventType: string;
  webhookId: number | null;
  /** Short and safe to show: never a URL with the secret. */
  detail: string;
  error: { kind: TimelinesApiErrorKind; message: string } | null;
}

export interface TimelinesWebhookHealth {
  webhookId: number;
  eventType: string;
  enabled: boolean;
  /** Consecutive failed deliveries as TimelinesAI counts them. */
  errorsCounter: number;
  pointsAtCurrentUrl: boolean;
  chosen: boolean;
}

export interface TimelinesSyncReport {
  dryRun: boolean;
  /** The target with the secret replaced by `{secret}`. */
  targetUrlRedacted: string;
  changes: TimelinesSyncChange[];
  /** Our webhooks after the sync (or as listed, for a dry run), for the health view. */
  health: TimelinesWebhookHealth[];
  /** Chosen event types that ended with an enabled webhook at the current URL. */
  registered: string[];
  /** Chosen event types that did not. */
  missing: string[];
  webhookLimitReached: boolean;
  /** A sentence for the person when the limit stopped us; null otherwise. */
  limitMessage: string | null;
  othersLeftAlone: number;
  unchosenLeftAlone: { webhookId: number; eventType: string }[];
  /** Every chosen type registered and nothing failed. */
  ok: boolean;
}

export interface SyncTimelinesOptions extends Omit<TimelinesSyncInput, 'existing'> {
  /** Plan and report without changing anything. */
  dryRun?: boolean;
}

/** After one of these, the next calls would fail the same way: stop and mark the rest skipped. */
const STOPPING_KINDS: ReadonlySet<TimelinesApiErrorKind> = new Set(['bad-token', 'quota', 'network', 'timeout', 'rate-limited']);

/**
 * Lists the workspace's webhooks, plans, and (unless dryRun) applies the plan. Throws a
 * TimelinesApiError when the list itself fails and a RegistrationInputError for bad input;
 * failures of single steps are in the report instead, so the other types still get synced.
 */
export async function syncTimelinesWebhooks(
  client: TimelinesApiClient,
  options: SyncTimelinesOptions,
): Promise<{ plan: TimelinesSyncPlan; report: TimelinesSyncReport }> {
  // Check the input before spending an API call on the list.
  planTimelinesSync({ ...options, existing: [] });
  const existing = await client.listWebhooks();
  const plan = planTimelinesSync({ ...options, existing });
  const report = options.dryRun ? dryRunReport(plan) : await applyPlan(client, plan, existing.length);
  return { plan, report };
}

async function applyPlan(client: TimelinesApiClient, plan: TimelinesSyncPlan, countBefore: number): Promise<TimelinesSyncReport> {
  const changes: TimelinesSyncChange[] = [];
  const final = new Map<string, TimelinesWebhook>();
  let count = countBefore;
  let stoppedBy: TimelinesApiError | null = null;
  let limitHit: TimelinesApiError | null = null;

  const fail = (step: TimelinesSyncStep, err: unknown, webhookId: number | null) => {
    const e = asApiError(err);
    changes.push({
      action: 'failed',
      eventType: step.eventType,
      webhookId,
      detail: describeStep(step),
      error: { kind: e.kind, message: e.message },
    });
    if (STOPPING_KINDS.has(e.kind)) stoppedBy = e;
  };

  const create = async (step: TimelinesSyncStep & { op: 'create' | 'update' }, url: string) => {
    if (limitHit) {
      // Every create would meet the same limit; no need to spend calls proving it.
      changes.push({
        action: 'failed',
        eventType: step.eventType,
        webhookId: null,
        detail: 'not tried: the webhook limit was reached',
        error: { kind: 'webhook-limit', message: webhookLimitError(limitHit, step.eventType).message },
      });
      return;
    }
    try {
      const w = await client.createWebhook({ eventType: step.eventType, url, enabled: true });
      count++;
      final.set(step.eventType, w);
      changes.push({
        action: 'created',
        eventType: step.eventType,
        webhookId: w.id,
        detail: step.op === 'update' ? 'recreated: it was deleted meanwhile' : 'new webhook',
        error: null,
      });
    } catch (err) {
      let e = asApiError(err);
      // The spec does not document the limit's error; when the list we made says the workspace
      // is full, a refusal of a well-formed create can only be the limit.
      if (
        e.kind !== 'webhook-limit' &&
        (e.kind === 'validation' || e.kind === 'quota') &&
        e.status !== null &&
        count >= plan.webhookLimit
      ) {
        e = webhookLimitError(e, step.eventType);
      }
      if (e.kind === 'webhook-limit' || isWebhookLimitRefusal(e)) {
        limitHit = e.kind === 'webhook-limit' ? e : webhookLimitError(e, step.eventType);
        changes.push({
          action: 'failed',
          eventType: step.eventType,
          webhookId: null,
          detail: 'webhook limit reached',
          error: { kind: 'webhook-limit', message: limitHit.message },
        });
        return;
      }
      fail(step, e, null);
    }
  };

  for (const step of plan.steps) {
    const id = step.op === 'create' ? null : step.webhookId;
    if (stoppedBy) {
      changes.push({
        action: 'skipped',
        eventType: step.eventType,
        webhookId: id,
        detail: describeStep(step),
        error: { kind: (stoppedBy as TimelinesApiError).kind, message: 'not tried: an earlier call failed the same way' },
      });
      continue;
    }
    switch (step.op) {
      case 'delete':
        try {
          await client.deleteWebhook(step.webhookId);
          count--;
          changes.push({
            action: 'removed',
            eventType: step.eventType,
            webhookId: step.webhookId,
            detail: describeStep(step),
            error: null,
          });
        } catch (err) {
          if (err instanceof TimelinesApiError && err.kind === 'not-found') {
            count--;
            changes.push({
              action: 'removed',
              eventType: step.eventType,
              webhookId: step.webhookId,
              detail: `${describeStep(step)} (already gone)`,
              error: null,
            });
          } else fail(step, err, step.webhookId);
        }
        break;
      case 'keep':
        final.set(step.eventType, step.before);
        changes.push({
          action: 'unchanged',
          eventType: step.eventType,
          webhookId: step.webhookId,
          detail: 'already points at the current URL',
          error: null,
        });
        break;
      case 'update':
        try {
          const w = await client.updateWebhook(step.webhookId, step.changes);
          final.set(step.eventType, w);
          changes.push({
            action: step.changes.url !== undefined ? 'updated' : 'enabled',
            eventType: step.eventType,
            webhookId: w.id,
            detail: describeStep(step),
            error: null,
          });
        } catch (err) {
          if (err instanceof TimelinesApiError && err.kind === 'not-found') await create(step, plan.targetUrl);
          else fail(step, err, step.webhookId);
        }
        break;
      case 'create':
        await create(step, step.url);
        break;
    }
  }

  return finishReport(plan, changes, final, false, limitHit);
}

function dryRunReport(plan: TimelinesSyncPlan): TimelinesSyncReport {
  const changes: TimelinesSyncChange[] = plan.steps.map((step) => ({
    action:
      step.op === 'create'
        ? 'created'
        : step.op === 'delete'
          ? 'removed'
          : step.op === 'keep'
            ? 'unchanged'
            : step.changes.url !== undefined
              ? 'updated'
              : 'enabled',
    eventType: step.eventType,
    webhookId: step.op === 'create' ? null : step.webhookId,
    detail: describeStep(step),
    error: null,
  }));
  const final = new Map<string, TimelinesWebhook>();
  for (const s of plan.steps) if (s.op === 'keep' || s.op === 'update') final.set(s.eventType, s.before);
  return finishReport(plan, changes, final, true, null);
}

function finishReport(
  plan: TimelinesSyncPlan,
  changes: TimelinesSyncChange[],
  final: Map<string, TimelinesWebhook>,
  dryRun: boolean,
  limitHit: TimelinesApiError | null,
): TimelinesSyncReport {
  const health: TimelinesWebhookHealth[] = [];
  for (const [eventType, w] of final) {
    health.push({
      webhookId: w.id,
      eventType,
      enabled: w.enabled,
      errorsCounter: w.errorsCounter,
      pointsAtCurrentUrl: sameUrl(w.url, plan.targetUrl),
      chosen: true,
    });
  }
  for (const w of plan.unchosen) {
    health.push({
      webhookId: w.id,
      eventType: w.eventType,
      enabled: w.enabled,
      errorsCounter: w.errorsCounter,
      pointsAtCurrentUrl: sameUrl(w.url, plan.targetUrl),
      chosen: false,
    });
  }
  const registered = dryRun
    ? []
    : plan.eventTypes.filter((t) => {
        const w = final.get(t);
        return w !== undefined && w.enabled && sameUrl(w.url, plan.targetUrl);
      });
  const missing = dryRun ? [] : plan.eventTypes.filter((t) => !registered.includes(t));
  const limited = changes.filter((c) => c.error?.kind === 'webhook-limit').map((c) => c.eventType);
  const limitMessage =
    limitHit || limited.length > 0
      ? `TimelinesAI refused to register ${limited.join(', ')}: the workspace has reached its webhook limit (${plan.webhookLimit} by default; ${plan.othersCount} of its webhooks are not Hookwatch's). Delete webhooks you no longer need in ${TIMELINES_WEBHOOKS_PAGE}, or buy the add-on for more, then sync again.`
      : dryRun && plan.overLimitBy > 0
        ? `The workspace would need ${plan.webhooksAfter} webhooks, more than the default limit of ${plan.webhookLimit}: TimelinesAI will probably refuse the last ${plan.overLimitBy} unless the workspace bought more. Delete webhooks you no longer need in ${TIMELINES_WEBHOOKS_PAGE}, or choose fewer event types.`
        : null;
  return {
    dryRun,
    targetUrlRedacted: redactWebhookSecrets(plan.targetUrl),
    changes,
    health,
    registered,
    missing,
    webhookLimitReached: limited.length > 0,
    limitMessage,
    othersLeftAlone: plan.othersCount,
    unchosenLeftAlone: plan.unchosen.map((w) => ({ webhookId: w.id, eventType: w.eventType })),
    ok: !dryRun && missing.length === 0 && changes.every((c) => c.error === null),
  };
}

/** What a step does, in words safe to show (no URL, no secret). */
export function describeStep(step: TimelinesSyncStep): string {
  switch (step.op) {
    case 'create':
      return 'new webhook';
    case 'keep':
      return 'already points at the current URL';
    case 'delete':
      return step.reason === 'duplicate' ? `duplicate of webhook ${step.keptId}` : 'event type no longer chosen';
    case 'update': {
      const parts: string[] = [];
      if (step.changes.url !== undefined) parts.push('URL changed to the current public URL');
      if (step.changes.enabled) parts.push('re-enabled (it was disabled)');
      return parts.join(', ');
    }
  }
}

function asApiError(err: unknown): TimelinesApiError {
  if (err instanceof TimelinesApiError) return err;
  // Not expected from the client; keep the message but never let it escape unredacted.
  return new TimelinesApiError({ kind: 'unexpected', message: redactWebhookSecrets(String((err as Error)?.message ?? err)).slice(0, 300) });
}

// ---------------------------------------------------------------------------------------------
// Lines for the CLI and logs

const VERB: Record<TimelinesSyncAction, string> = {
  created: 'create',
  updated: 'update',
  enabled: 'enable',
  unchanged: 'keep',
  removed: 'remove',
  failed: 'failed',
  skipped: 'skipped',
};

/** One line per change (dry run: what would happen), then health and the limit message. No secrets. */
export function describeSyncReport(report: TimelinesSyncReport): string[] {
  const lines: string[] = [];
  lines.push(`${report.dryRun ? 'would register' : 'registering'} TimelinesAI webhooks at ${report.targetUrlRedacted}`);
  for (const c of report.changes) {
    const verb = report.dryRun ? VERB[c.action] : c.action;
    const id = c.webhookId !== null ? ` (webhook ${c.webhookId})` : '';
    lines.push(`${verb.padEnd(9)} ${c.eventType}${id}: ${c.error ? c.error.message : c.detail}`);
  }
  for (const u of report.unchosenLeftAlone)
    lines.push(`left      ${u.eventType} (webhook ${u.webhookId}): ours, but not among the chosen event types`);
  if (report.othersLeftAlone > 0)
    lines.push(`left      ${report.othersLeftAlone} webhook${report.othersLeftAlone === 1 ? '' : 's'} of other integrations untouched`);
  for (const h of report.health) {
    if (h.errorsCounter > 0) lines.push(`health    ${h.eventType} (webhook ${h.webhookId}): ${h.errorsCounter} failed deliveries in a row`);
  }
  if (report.limitMessage) lines.push(report.limitMessage);
  if (!report.dryRun) {
    lines.push(
      report.ok
        ? `done: ${report.registered.length} event types registered`
        : `incomplete: ${report.missing.length ? `not registered: ${report.missing.join(', ')}` : 'some steps failed'}`,
    );
  }
  return lines;
}
