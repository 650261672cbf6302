// The team-hub commands of the CLI: serve's --hub flags, `follow`, and `forward add|list|remove` (docs/hub.md).
import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import { HookwatchCore } from '../core.js';
import { HubConfigError, parseHubUrl, readCredsFile, redactUrl } from '../hub/connection.js';
import { hubHealthOf, type HubPublishOptions, type HubRuntimeStatus } from '../hub/runtime.js';
import { checkForwardDestination, checkHubTlsFiles, HubSettingsError } from '../hub/settings.js';
import { startDashboard, type RunningDashboard } from '../dashboard/start.js';
import { databasePath } from '../paths.js';
import { HookwatchStore } from '../store/store.js';
import { isoOrNull } from '../time.js';
import { dataDirOf, intFlag, parse, UsageError, type CliIo } from './args.js';
import { alertLine } from './commands-alerts.js';
import { table, terminalText } from './format.js';

export const HUB_HELP = `  hookwatch serve ... --hub nats://HOST:PORT [--hub-creds FILE] [--hub-retention-days N] [--hub-workspace NAME]
                   [--hub-ca FILE] [--hub-cert FILE --hub-key FILE]
  hookwatch follow nats://HOST:PORT [--data DIR] [--name NAME] [--hub-creds FILE] [--workspace NAME]
                   [--hub-ca FILE] [--hub-cert FILE --hub-key FILE] [--dashboard-port N | --no-dashboard]
  hookwatch forward add URL [--types LIST] | forward list | forward remove ID   [--data DIR]
  (team hub over NATS JetStream: see docs/hub.md)
`;

/** Checks a hub URL and credentials file now, so a typo fails at start with what to fix, not in a retry loop. */
function checkHub(url: string, credsFile: string | undefined): void {
  try {
    parseHubUrl(url);
    if (credsFile !== undefined) readCredsFile(credsFile);
  } catch (err) {
    if (err instanceof HubConfigError) throw new UsageError(err.message);
    throw err;
  }
}

const SERVE_HUB_FLAGS = ['hub', 'hub-creds', 'hub-retention-days', 'hub-workspace', 'hub-ca', 'hub-cert', 'hub-key'] as const;

/** --hub-ca (a private CA to trust), --hub-cert and --hub-key (mutual TLS): checked now, as Settings checks them. */
function tlsFlags(f: { 'hub-ca'?: string; 'hub-cert'?: string; 'hub-key'?: string }): {
  tls?: { caFile?: string; certFile?: string; keyFile?: string };
} {
  if ((f['hub-cert'] === undefined) !== (f['hub-key'] === undefined))
    throw new UsageError('--hub-cert and --hub-key go together (mutual TLS)');
  const tls = {
    ...(f['hub-ca'] !== undefined ? { caFile: f['hub-ca'] } : {}),
    ...(f['hub-cert'] !== undefined ? { certFile: f['hub-cert'] } : {}),
    ...(f['hub-key'] !== undefined ? { keyFile: f['hub-key'] } : {}),
  };
  try {
    checkHubTlsFiles({ caFile: tls.caFile ?? null, certFile: tls.certFile ?? null, keyFile: tls.keyFile ?? null });
  } catch (err) {
    if (err instanceof HubSettingsError) throw new UsageError(err.message);
    throw err;
  }
  return Object.keys(tls).length ? { tls } : {};
}

/**
 * Takes serve's hub flags out of its arguments (serve parses the rest strictly) and returns the core's
 * `hub` option, which also prints `hub: publishing to <url>` and each change of the publisher's state.
 */
export function takeHubFlags(
  args: string[],
  io: CliIo,
): { args: string[]; hub: (HubPublishOptions & { onStatus: (s: HubRuntimeStatus) => void }) | undefined } {
  const rest: string[] = [];
  const found: Partial<Record<(typeof SERVE_HUB_FLAGS)[number], string>> = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const m = /^--(hub(?:-creds|-retention-days|-workspace|-ca|-cert|-key)?)(?:=(.*))?$/.exec(a);
    if (!m) {
      rest.push(a);
      continue;
    }
    const value = m[2] ?? args[++i];
    if (value === undefined || value.startsWith('--')) throw new UsageError(`serve: --${m[1]} needs a value (see hookwatch --help)`);
    found[m[1] as (typeof SERVE_HUB_FLAGS)[number]] = value;
  }
  if (found.hub === undefined) {
    const stray = SERVE_HUB_FLAGS.find((f) => found[f] !== undefined);
    if (stray) throw new UsageError(`serve: --${stray} needs --hub nats://HOST:PORT`);
    return { args: rest, hub: undefined };
  }
  checkHub(found.hub, found['hub-creds']);
  const retentionDays = intFlag('hub-retention-days', found['hub-retention-days'], 1, 3650);
  const url = found.hub;
  let last = '';
  return {
    args: rest,
    hub: {
      url,
      ...(found['hub-creds'] !== undefined ? { credsFile: found['hub-creds'] } : {}),
      ...(retentionDays !== undefined ? { retentionDays } : {}),
      ...(found['hub-workspace'] !== undefined ? { workspace: found['hub-workspace'] } : {}),
      ...tlsFlags(found),
      onStatus: (s) => {
        const p = s.publisher;
        if (!p) return;
        const line = `hub: ${p.state}${p.backlog > 0 ? `, ${p.backlog} waiting` : ''}${p.lastError ? ` (${terminalText(p.lastError, 300)})` : ''}`;
        if (line !== last) io.out(`${line}\n`);
        last = line;
      },
    },
  };
}

/** The dashboard's hub port: health shows the publisher or follower line, whichever runs now (nothing without a hub). */
export function hubDashboardOption(core: HookwatchCore): { hub: { status: () => ReturnType<typeof hubHealthOf> | null } } {
  return { hub: { status: () => (core.hub ? hubHealthOf(core.hub.status()) : null) } };
}

/** serve's one line about the hub, once the core runs. */
export function hubServeLine(core: HookwatchCore): string | null {
  const s = core.hub?.status();
  return s?.role === 'hub' ? `hub: publishing to ${s.hub}\n` : null;
}

/** `hookwatch follow URL`: this install stores what the hub publishes, with its own alerts and dashboard. */
export async function follow(args: string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: {
        data: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        name: { type: 'string' },
        'hub-creds': { type: 'string' },
        'hub-ca': { type: 'string' },
        'hub-cert': { type: 'string' },
        'hub-key': { type: 'string' },
        workspace: { type: 'string' },
        'dashboard-port': { type: 'string' },
        'no-dashboard': { type: 'boolean' },
      },
    });
  } catch (err) {
    throw new UsageError(`follow: ${(err as Error).message.replace(/\s+/g, ' ')} (see hookwatch --help)`);
  }
  const v = parsed.values;
  if (v.help) {
    io.out(HUB_HELP);
    return 0;
  }
  const [url, ...extra] = parsed.positionals;
  if (url === undefined || extra.length > 0) throw new UsageError('follow takes one hub URL: hookwatch follow nats://HOST:PORT --data DIR');
  checkHub(url, v['hub-creds']);
  const name = (v.name ?? hostname()).trim();
  if (!name) throw new UsageError('--name needs a name (it names this install on the hub)');
  const dataDir = dataDirOf(v, io.env);
  const dashboardPort = intFlag('dashboard-port', v['dashboard-port'], 0, 65535) ?? 0;
  let announced = false;
  let lastState = '';
  // A follower's receiver listens only on an ephemeral loopback port: no tunnel, no registration, no token.
  const core = await HookwatchCore.start({
    dataDir,
    port: 0,
    follow: {
      url,
      name,
      ...(v['hub-creds'] !== undefined ? { credsFile: v['hub-creds'] } : {}),
      ...(v.workspace !== undefined ? { workspace: v.workspace } : {}),
      ...tlsFlags(v),
      onFollowing: () => {
        if (!announced) io.out(`following: ${redactUrl(url)}\n`);
        announced = true;
      },
      onStatus: (s) => {
        const f = s.follower;
        if (!f || f.state === lastState) return;
        lastState = f.state;
        if (f.state !== 'following') io.out(`hub: ${f.state}${f.lastError ? ` (${terminalText(f.lastError, 300)})` : ''}\n`);
      },
    },
    log: (line) => io.err(`hookwatch: ${line}\n`),
  });
  core.alerts.onAlert((a) => io.out(alertLine(a)));
  let dashboard: RunningDashboard | null = null;
  if (!v['no-dashboard']) {
    try {
      dashboard = await startDashboard(core, {
        port: dashboardPort,
        log: (line) => io.err(`hookwatch: ${line}\n`),
        ...hubDashboardOption(core),
      });
    } catch (err) {
      await core.stop();
      throw err;
    }
  }
  io.out(`data: ${dataDir}\n`);
  if (dashboard) io.out(`dashboard: ${dashboard.url}\n`);
  io.out('ready (Ctrl-C stops)\n');
  const signal = await io.stopSignal;
  io.out(`stopping (${signal})\n`);
  await dashboard?.close();
  await core.stop();
  return 0;
}

/** Settings' own check (hub/settings.ts), so `forward add` and Settings → Team hub refuse the same things in the same words. */
function destinationOf(url: string, types: string | undefined): { url: string; types: string[] } {
  try {
    return checkForwardDestination({ url, types: types ?? [] });
  } catch (err) {
    if (err instanceof HubSettingsError) throw new UsageError(`forward add: ${err.message}`);
    throw err;
  }
}

/** `hookwatch forward add|list|remove`: the destinations a running `serve --hub` forwards to (it rereads them every 2 s). */
export function forward(args: string[], io: CliIo): number {
  const [sub, ...rest] = args;
  if (sub === 'add') {
    const [url, ...flags] = rest;
    if (url === undefined || url.startsWith('--'))
      throw new UsageError('forward add needs a URL: hookwatch forward add https://host/path [--types LIST]');
    const v = parse('forward add', flags, { types: { type: 'string' } });
    const { url: dest, types } = destinationOf(url, v.types);
    const store = HookwatchStore.open(databasePath(dataDirOf(v, io.env)));
    try {
      const d = store.hub.addDestination({ url: dest, types, createdAt: Date.now() });
      io.out(
        `forward ${d.id}: ${terminalText(d.url, 400)} (${types.length ? types.join(', ') : 'all events'}); a running serve --hub starts it within seconds\n`,
      );
    } finally {
      store.close();
    }
    return 0;
  }
  if (sub === 'list') {
    const v = parse('forward list', rest, {});
    const store = HookwatchStore.open(databasePath(dataDirOf(v, io.env)), { mustExist: true });
    try {
      const summary = new Map(store.hub.forwardSummary().map((s) => [s.destinationId, s]));
      const ds = store.hub.listDestinations();
      if (ds.length === 0) {
        io.out('no forwarding destinations (hookwatch forward add URL)\n');
        return 0;
      }
      io.out(
        table(
          ['ID', 'URL', 'TYPES', 'DELIVERED', 'FAILED', 'PARKED', 'LAST (UTC)'],
          ds.map((d) => {
            const s = summary.get(d.id);
            return [
              String(d.id),
              terminalText(d.url, 80),
              terminalText(d.types.join(',') || 'all', 60),
              String(s?.delivered ?? 0),
              String(s?.failed ?? 0),
              String(s?.parked ?? 0),
              `${(isoOrNull(s?.lastAt ?? null) ?? '').replace('T', ' ').slice(0, 19)} ${s?.lastOutcome ?? ''}`.trim(),
            ];
          }),
        ),
      );
    } finally {
      store.close();
    }
    return 0;
  }
  if (sub === 'remove') {
    const [id, ...flags] = rest;
    if (id === undefined || !/^\d+$/.test(id)) throw new UsageError('forward remove needs a destination id (see hookwatch forward list)');
    const v = parse('forward remove', flags, {});
    const store = HookwatchStore.open(databasePath(dataDirOf(v, io.env)), { mustExist: true });
    try {
      if (!store.hub.removeDestination(Number(id))) throw new UsageError(`no forwarding destination ${id} (see hookwatch forward list)`);
      io.out(`forward ${id} removed; a running serve --hub stops it and deletes its consumer within seconds\n`);
    } finally {
      store.close();
    }
    return 0;
  }
  throw new UsageError('forward takes add URL [--types LIST], list, or remove ID');
}
