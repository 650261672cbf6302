// The hookwatch CLI: commands, their help and exit codes, over the core.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HookwatchCore } from '../core.js';
import { canonicalEventType, EVENT_GROUP_NAMES, PROVIDER_IDS, TIMELINES_EVENT_TYPES } from '../events.js';
import { databasePath, defaultDataDir } from '../paths.js';
import { DEFAULT_PORT } from '../receiver/receiver.js';
import { pruneOld, readRetention, writeRetention } from '../retention.js';
import { HookwatchStore, StoreError, type EventFilter } from '../store/store.js';
import { parseProviderTime } from '../time.js';
import { alertLine, accountsOutput, alertsOutput } from './commands-alerts.js';
import { EnvTokenSource, RuntimeTokenSource, TIMELINES_TOKEN_ENV } from '../providers/timelines/token-source.js';
import { startDashboard, type RunningDashboard } from '../dashboard/start.js';
import { parseEventTypeList } from '../providers/timelines/event-types.js';
import { describeSyncReport } from '../providers/timelines/sync.js';
import { describeTokenCheck } from '../providers/timelines/token-check.js';
import { TunnelSettingsError } from '../tunnel/index.js';
import { dataDirOf, intFlag, parse, UsageError, type CliIo } from './args.js';
import { register } from './commands-register.js';
import { testEventCommand } from './commands-test.js';
import { deliveriesTable, eventsCsv, eventsJsonl, eventsTable, jsonLine, terminalText } from './format.js';

export type { CliIo } from './args.js';

const HELP = `hookwatch: watch TimelinesAI and WhatsAble webhooks

Usage:
  hookwatch serve [--data DIR] [--port N] [--no-tunnel] [--tunnel-host URL] [--subdomain NAME]
                  [--register [--events LIST]] [--dashboard-port N | --no-dashboard] [--verbose]
  hookwatch events [--data DIR] [--type T] [--provider P] [--account PHONE] [--chat ID]
                   [--search TEXT] [--since ISO|30m|2h|7d] [--limit N] [--format table|jsonl|csv]
  hookwatch deliveries [--data DIR] [--limit N] [--format table|jsonl]
  hookwatch accounts [--data DIR] [--format table|json]
  hookwatch alerts [--data DIR] [--limit N] [--format table|jsonl]
  hookwatch register [--data DIR] [--dry-run] [--events LIST] [--public-url URL]
                     (token in $HOOKWATCH_TIMELINES_TOKEN)
  hookwatch secret [--data DIR] [--rotate]
  hookwatch settings [--data DIR] [--retention-days N] [--delivery-log-days N]
  hookwatch prune [--data DIR]

Data folder: --data, else $HOOKWATCH_DATA, else the desktop app's folder (${defaultDataDir()}).
Event types: TimelinesAI's names (message:new, whatsapp:account:disconnected, ...) or a group:
  ${EVENT_GROUP_NAMES.join(', ')}.
`;

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'serve':
        return await serve(rest, io);
      case 'events':
        return events(rest, io);
      case 'deliveries':
        return deliveries(rest, io);
      case 'secret':
        return secret(rest, io);
      case 'settings':
        return settings(rest, io);
      case 'prune':
        return await prune(rest, io);
      case 'accounts':
        return accounts(rest, io);
      case 'alerts':
        return alerts(rest, io);
      case 'register':
        return await register(rest, io, HELP);
      case 'test':
        return await testEventCommand(rest, io);
      case '--version':
      case 'version':
        io.out(`${packageVersion()}\n`);
        return 0;
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.out(HELP);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(
          `unknown command '${command}' (commands: serve, events, deliveries, accounts, alerts, register, secret, settings, prune; see hookwatch --help)`,
        );
    }
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`hookwatch: ${err.message}\n`);
      return 2;
    }
    if (err instanceof StoreError) {
      io.err(`hookwatch: ${err.message}\n`);
      return 1;
    }
    io.err(`hookwatch: ${(err as Error).message}\n`);
    return 1;
  }
}

function openExisting(dataDir: string): HookwatchStore {
  return HookwatchStore.open(databasePath(dataDir), { mustExist: true });
}

async function serve(args: string[], io: CliIo): Promise<number> {
  const v = parse('serve', args, {
    port: { type: 'string' },
    'no-tunnel': { type: 'boolean' },
    'tunnel-host': { type: 'string' },
    subdomain: { type: 'string' },
    register: { type: 'boolean' },
    events: { type: 'string' },
    'dashboard-port': { type: 'string' },
    'no-dashboard': { type: 'boolean' },
    verbose: { type: 'boolean', short: 'v' },
    durability: { type: 'string' },
  });
  if (v.help) return help(io);
  const dataDir = dataDirOf(v, io.env);
  const port = intFlag('port', v.port, 0, 65535) ?? DEFAULT_PORT;
  const dashboardPort = intFlag('dashboard-port', v['dashboard-port'], 0, 65535) ?? 0;
  if (v.durability !== undefined && v.durability !== 'full' && v.durability !== 'normal') {
    throw new UsageError(`--durability must be full or normal, got '${v.durability}'`);
  }
  const hasToken = Boolean(io.env[TIMELINES_TOKEN_ENV]?.trim());
  if (v.register && !hasToken) {
    throw new UsageError(`--register needs a TimelinesAI token in ${TIMELINES_TOKEN_ENV} (TimelinesAI > Integrations > Public API)`);
  }
  if (v.register && v['no-tunnel']) throw new UsageError('--register needs the tunnel (a public URL to register); drop --no-tunnel');
  let eventTypes: string[] | undefined;
  try {
    eventTypes = v.events !== undefined ? parseEventTypeList(v.events) : undefined;
  } catch (err) {
    throw new UsageError(`--events: ${(err as Error).message}`);
  }
  let stored = 0;
  const tokenSource = new RuntimeTokenSource(new EnvTokenSource(io.env));
  let core: HookwatchCore;
  const url = (base: string) => `${base.replace(/\/+$/, '')}${core.receiver.webhookPath}`;
  try {
    core = await HookwatchCore.start({
      dataDir,
      port,
      ...(v['no-tunnel']
        ? {}
        : {
            tunnel: {
              enabled: true,
              ...(v['tunnel-host'] ? { host: v['tunnel-host'] } : {}),
              ...(v.subdomain !== undefined ? { subdomain: v.subdomain } : {}),
            },
          }),
      ...(v.register ? { register: eventTypes ? { eventTypes } : {} } : {}),
      setup: (c) => {
        core = c;
        c.alerts.onAlert((a) => io.out(alertLine(a)));
        c.onTunnelState((t) =>
          io.out(
            `tunnel: ${t.state}${t.url ? ` ${terminalText(t.url, 200)}` : ''}${t.reason ? ` (${terminalText(t.reason, 200)})` : ''}\n`,
          ),
        );
        c.onPublicUrl((base) => io.out(`public: ${terminalText(url(base), 400)}\n`));
        c.onRegistration((r) => {
          if (!r.ok) return io.out(`register: ${terminalText(r.error, 300)}\n`);
          for (const line of describeSyncReport(r.report)) io.out(`register: ${line}\n`);
        });
        c.onCommitted(({ events }) => {
          stored += events.filter((e) => !e.duplicate).length;
          if (v.verbose) {
            for (const e of events) {
              io.out(
                `event ${e.id} ${terminalText(e.type, 60)}${e.duplicate ? ` (duplicate, delivery ${e.deliveryCount})` : ''}${e.accountPhone ? ` account ${e.accountPhone}` : ''}\n`,
              );
            }
          }
        });
      },
      durability: (v.durability as 'full' | 'normal' | undefined) ?? 'full',
      // With a TimelinesAI token (the environment's, or one pasted in the dashboard for this run), account
      // states are also checked with the API, and registration can run.
      timelines: { tokenSource, ...(io.env.HOOKWATCH_TIMELINES_API_URL ? { baseUrl: io.env.HOOKWATCH_TIMELINES_API_URL } : {}) },
      log: (line) => io.err(`hookwatch: ${line}\n`),
    });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') {
      throw new Error(`port ${port} on 127.0.0.1 is already in use (another hookwatch serve?); choose another with --port N`);
    }
    if (code === 'EACCES') throw new Error(`not allowed to listen on port ${port}; choose a port above 1023 with --port N`);
    if (err instanceof TunnelSettingsError) throw new UsageError(err.message);
    throw err;
  }
  let dashboard: RunningDashboard | null = null;
  if (!v['no-dashboard']) {
    try {
      dashboard = await startDashboard(core, {
        port: dashboardPort,
        log: (line) => io.err(`hookwatch: ${line}\n`),
        tokenStore: {
          storage: 'this-run',
          save: async (token) => {
            tokenSource.set(token);
            return { ok: true };
          },
        },
      });
    } catch (err) {
      await core.stop();
      if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
        throw new Error(`dashboard port ${dashboardPort} on 127.0.0.1 is already in use; choose another with --dashboard-port N`);
      }
      throw err;
    }
  }
  io.out(`data: ${dataDir}\n`);
  io.out(`receiver: ${core.receiver.localUrl}\n`);
  // The URL carries this run's access token: it is for the person at this terminal, never a log line.
  if (dashboard) io.out(`dashboard: ${dashboard.url}\n`);
  if (v['no-tunnel']) io.out('tunnel: off (--no-tunnel)\n');
  io.out('ready (Ctrl-C stops)\n');
  if (hasToken) void core.checkTimelinesToken().then((c) => c && io.out(`timelines: ${terminalText(describeTokenCheck(c), 400)}\n`));
  const signal = await io.stopSignal;
  io.out(`stopping (${signal}): finishing requests in flight\n`);
  await dashboard?.close();
  await core.stop();
  io.out(`stopped; ${stored} new events stored this run\n`);
  return 0;
}

function help(io: CliIo): number {
  io.out(HELP);
  return 0;
}

export function parseSince(raw: string, now = Date.now()): number {
  const rel = /^(\d+)\s*(m|h|d)$/.exec(raw.trim());
  if (rel) return now - Number(rel[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[rel[2] as 'm' | 'h' | 'd'];
  const t = parseProviderTime(raw);
  if (t === null || /^\d+$/.test(raw.trim())) {
    throw new UsageError(`--since takes an ISO time (2025-03-02T15:00:00Z) or an age like 30m, 2h, 7d; got '${raw}'`);
  }
  return t;
}

const KNOWN_TYPES = new Set<string>([...TIMELINES_EVENT_TYPES, ...EVENT_GROUP_NAMES]);

function events(args: string[], io: CliIo): number {
  const v = parse('events', args, {
    type: { type: 'string' },
    provider: { type: 'string' },
    account: { type: 'string' },
    chat: { type: 'string' },
    search: { type: 'string' },
    since: { type: 'string' },
    limit: { type: 'string' },
    format: { type: 'string' },
  });
  if (v.help) return help(io);
  const format = v.format ?? 'table';
  if (!['table', 'jsonl', 'csv'].includes(format)) throw new UsageError(`--format must be table, jsonl or csv, got '${format}'`);
  const filter: EventFilter = { limit: intFlag('limit', v.limit, 1, 1_000_000) ?? (format === 'table' ? 50 : 1_000_000) };
  if (v.type !== undefined) {
    const type = canonicalEventType(v.type);
    // Unknown event types are stored as sent, so an unfamiliar name is allowed if it looks like one.
    if (!KNOWN_TYPES.has(type) && !/^[a-z0-9_]+(:[a-z0-9_]+)+$/.test(type)) {
      throw new UsageError(`--type '${v.type}' is not an event type or a group (${EVENT_GROUP_NAMES.join(', ')})`);
    }
    filter.type = type;
  }
  if (v.provider !== undefined) {
    if (!(PROVIDER_IDS as readonly string[]).includes(v.provider))
      throw new UsageError(`--provider must be one of ${PROVIDER_IDS.join(', ')}`);
    filter.provider = v.provider;
  }
  if (v.account !== undefined) filter.account = v.account;
  if (v.chat !== undefined) filter.chat = v.chat;
  if (v.search !== undefined) filter.search = v.search;
  if (v.since !== undefined) filter.since = parseSince(v.since);

  const store = openExisting(dataDirOf(v, io.env));
  try {
    const rows = store.listEvents(filter);
    if (format === 'jsonl') {
      io.out(eventsJsonl(rows));
    } else if (format === 'csv') {
      io.out(eventsCsv(rows));
    } else {
      io.out(rows.length ? eventsTable(rows) : 'no events match\n');
    }
  } finally {
    store.close();
  }
  return 0;
}

function deliveries(args: string[], io: CliIo): number {
  const v = parse('deliveries', args, { limit: { type: 'string' }, format: { type: 'string' } });
  if (v.help) return help(io);
  const format = v.format ?? 'table';
  if (!['table', 'jsonl'].includes(format)) throw new UsageError(`--format must be table or jsonl, got '${format}'`);
  const store = openExisting(dataDirOf(v, io.env));
  try {
    const rows = store.listDeliveries({ limit: intFlag('limit', v.limit, 1, 100_000) ?? 50 });
    if (format === 'jsonl') for (const d of rows) io.out(jsonLine({ ...d, receivedAt: new Date(d.receivedAt).toISOString() }) + '\n');
    else io.out(rows.length ? deliveriesTable(rows) : 'no deliveries yet\n');
  } finally {
    store.close();
  }
  return 0;
}

function accounts(args: string[], io: CliIo): number {
  const v = parse('accounts', args, { format: { type: 'string' } });
  if (v.help) return help(io);
  const format = v.format ?? 'table';
  if (format !== 'table' && format !== 'json') throw new UsageError(`--format must be table or json, got '${format}'`);
  const store = openExisting(dataDirOf(v, io.env));
  try {
    io.out(accountsOutput(store, format));
  } finally {
    store.close();
  }
  return 0;
}

function alerts(args: string[], io: CliIo): number {
  const v = parse('alerts', args, { format: { type: 'string' }, limit: { type: 'string' } });
  if (v.help) return help(io);
  const format = v.format ?? 'table';
  if (format !== 'table' && format !== 'jsonl') throw new UsageError(`--format must be table or jsonl, got '${format}'`);
  const store = openExisting(dataDirOf(v, io.env));
  try {
    io.out(alertsOutput(store.listAlerts({ limit: intFlag('limit', v.limit, 1, 100_000) ?? (format === 'table' ? 50 : 100_000) }), format));
  } finally {
    store.close();
  }
  return 0;
}

function secret(args: string[], io: CliIo): number {
  const v = parse('secret', args, { rotate: { type: 'boolean' } });
  if (v.help) return help(io);
  const dataDir = dataDirOf(v, io.env);
  const store = v.rotate ? HookwatchStore.open(databasePath(dataDir)) : openExisting(dataDir);
  try {
    const value = v.rotate ? store.rotateWebhookSecret() : store.webhookSecret();
    io.out(`webhook path: /hooks/${value}\n`);
    if (v.rotate) {
      io.out('the old URL stopped working now; a running `hookwatch serve` picks up the new one at its next request.\n');
      io.out('update the URL registered with your provider (TimelinesAI webhooks, WhatsAble webhooks).\n');
    }
  } finally {
    store.close();
  }
  return 0;
}

function settings(args: string[], io: CliIo): number {
  const v = parse('settings', args, { 'retention-days': { type: 'string' }, 'delivery-log-days': { type: 'string' } });
  if (v.help) return help(io);
  const eventDays = intFlag('retention-days', v['retention-days'], 0, 36500);
  const deliveryLogDays = intFlag('delivery-log-days', v['delivery-log-days'], 0, 36500);
  const dataDir = dataDirOf(v, io.env);
  const changing = eventDays !== undefined || deliveryLogDays !== undefined;
  const store = changing ? HookwatchStore.open(databasePath(dataDir)) : openExisting(dataDir);
  try {
    const r = changing ? writeRetention(store, { eventDays, deliveryLogDays }) : readRetention(store);
    io.out(`retention-days: ${r.eventDays}${r.eventDays === 0 ? ' (keep forever)' : ''}\n`);
    io.out(`delivery-log-days: ${r.deliveryLogDays}${r.deliveryLogDays === 0 ? ' (keep forever)' : ''}\n`);
  } finally {
    store.close();
  }
  return 0;
}

async function prune(args: string[], io: CliIo): Promise<number> {
  const v = parse('prune', args, {});
  if (v.help) return help(io);
  const store = openExisting(dataDirOf(v, io.env));
  try {
    const r = readRetention(store);
    io.out(`pruning events older than ${r.eventDays || '∞'} days and delivery-log rows older than ${r.deliveryLogDays || '∞'} days\n`);
    let lastReport = 0;
    const total = await pruneOld(store, Date.now(), (n) => {
      if (Date.now() - lastReport > 1000) {
        lastReport = Date.now();
        io.err(`… ${n.events} events, ${n.deliveries} delivery-log rows deleted so far\n`);
      }
    });
    io.out(`deleted ${total.events} events and ${total.deliveries} delivery-log rows\n`);
  } finally {
    store.close();
  }
  return 0;
}

export function packageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
    dir = dirname(dir);
  }
  return 'unknown';
}
