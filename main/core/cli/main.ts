// The hookwatch CLI: commands, their help and exit codes, over the core.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HookwatchCore } from '../core.js';
import { canonicalEventType, EVENT_GROUP_NAMES, PROVIDER_IDS, TIMELINES_EVENT_TYPES } from '../events.js';
import { databasePath, defaultDataDir } from '../paths.js';
import { DEFAULT_PORT } from '../receiver/receiver.js';
import { pruneOld, readRetention, writeRetention } from '../retention.js';
import { HookwatchStore, StoreError, type EventFilter, type StoredEvent } from '../store/store.js';
import { parseProviderTime } from '../time.js';
import { alertLine, accountsOutput, alertsOutput, incidentsOutput } from './commands-alerts.js';
import { EnvTokenSource, RuntimeTokenSource, TIMELINES_TOKEN_ENV } from '../providers/timelines/token-source.js';
import { dashboardPortOf, dashboardToken, startDashboard, type RunningDashboard } from '../dashboard/start.js';
import { parseEventTypeList } from '../providers/timelines/event-types.js';
import { describeSyncReport } from '../providers/timelines/sync.js';
import { describeTokenCheck } from '../providers/timelines/token-check.js';
import { TunnelSettingsError } from '../tunnel/index.js';
import {
  choiceFlag,
  COMMANDS,
  dataDirOf,
  HelpRequested,
  intFlag,
  parse,
  registerCommand,
  terminalWidth,
  UsageError,
  type CliIo,
} from './args.js';
import { status } from './commands-status.js';
import { dashboard, open } from './commands-dashboard.js';
import { register } from './commands-register.js';
import { follow as followHub, forward, HUB_HELP, hubDashboardOption, hubServeLine, takeHubFlags } from './commands-hub.js';
import { testEventCommand } from './commands-test.js';
import { catchupCommand, CATCHUP_SERVE_FLAGS, catchupServeLimits } from './commands-catchup.js';
import { deliveriesTable, eventsCsv, eventsJsonl, eventsTable, jsonLine, terminalText } from './format.js';

export type { CliIo } from './args.js';

const HELP = `hookwatch: watch TimelinesAI and WhatsAble webhooks

Usage:
  hookwatch serve [--data DIR] [--port N] [--no-tunnel] [--tunnel-host URL] [--subdomain NAME]
                  [--register [--events LIST]] [--dashboard-port N | --no-dashboard] [--verbose]
                  [--catchup-days N] [--catchup-chats N]
  hookwatch events [--data DIR] [--type T] [--provider P] [--account PHONE] [--chat ID]
                   [--search TEXT] [--since ISO|30m|2h|7d] [--limit N] [--format table|jsonl|csv]
  hookwatch deliveries [--data DIR] [--limit N] [--format table|jsonl]
  hookwatch accounts [--data DIR] [--format table|json]
  hookwatch alerts [--data DIR] [--all] [--state open|resolved|all] [--limit N] [--format table|jsonl]
  hookwatch status [--data DIR] [--format text|json]
  hookwatch open [--data DIR] [--print-only]
  hookwatch dashboard [--data DIR] [--rotate-token] [--port N]
  hookwatch register [--data DIR] [--dry-run] [--events LIST] [--public-url URL]
                     (token in $HOOKWATCH_TIMELINES_TOKEN)
  hookwatch catch-up [--data DIR] [--since ISO|30m|2h|7d] [--days N] [--chats N]
                     (token in $HOOKWATCH_TIMELINES_TOKEN)
  hookwatch secret [--data DIR] [--rotate]
  hookwatch settings [--data DIR] [--retention-days N] [--delivery-log-days N]
  hookwatch prune [--data DIR]
${HUB_HELP}
Data folder: --data, else $HOOKWATCH_DATA, else the desktop app's folder (${defaultDataDir()}).
Event types: TimelinesAI's names (message:new, whatsapp:account:disconnected, ...) or a group:
  ${EVENT_GROUP_NAMES.join(', ')}.
`;

// The command table: one line per command (other commands register themselves the same way in their own files).
registerCommand('serve', 'receive webhooks, keep them, raise alerts, serve the dashboard', (args, io) => {
  const hub = takeHubFlags(args, io);
  return serve(hub.args, io, hub.hub);
});
registerCommand('follow', 'follow a team hub: keep its events in a local folder, with your own alerts', followHub);
registerCommand('forward', 'forward events to HTTP destinations (add URL [--types LIST] | list | remove ID)', forward);
registerCommand('events', 'list stored events, newest first (or follow new ones)', events);
registerCommand('deliveries', 'list the requests the receiver answered', deliveries);
registerCommand('accounts', 'list WhatsApp numbers and their state', accounts);
registerCommand('alerts', 'list incidents (--all: every alert)', alerts);
registerCommand('status', 'the overall state on one screen; exit 0 all well, 1 something down, 2 cannot tell', status);
registerCommand('open', 'print the dashboard’s address and open it in a browser where there is a desktop', open);
registerCommand('dashboard', 'show the dashboard’s address; --rotate-token, --port N', dashboard);
registerCommand('register', 'register our webhook URL with TimelinesAI', register);
registerCommand('secret', 'show (or rotate) the webhook path secret', secret);
registerCommand('settings', 'show or change retention', settings);
registerCommand('prune', 'delete events and delivery-log rows past retention', prune);
registerCommand('test', 'send a marked test event through the public URL and report each hop', testEventCommand);
registerCommand('catch-up', 'recover from the TimelinesAI API the messages missed while Hookwatch was not receiving', catchupCommand);

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    const entry = command === undefined ? undefined : COMMANDS.get(command);
    if (entry) return await entry.run(rest, io);
    switch (command) {
      case '--version':
      case 'version':
        io.out(`${packageVersion()}\n`);
        return 0;
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.out(HELP + commandList());
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command '${command}' (commands: ${[...COMMANDS.keys()].join(', ')}; see hookwatch --help)`);
    }
  } catch (err) {
    if (err instanceof HelpRequested) {
      io.out(err.message);
      return 0;
    }
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

async function serve(args: string[], io: CliIo, hub?: Parameters<typeof HookwatchCore.start>[0]['hub']): Promise<number> {
  const v = parse('serve', args, {
    port: { type: 'string', arg: 'N', help: `receiver port on 127.0.0.1, 0 to 65535 (default ${DEFAULT_PORT}; 0: any free port)` },
    'no-tunnel': { type: 'boolean', help: 'no public URL (only local requests reach the receiver)' },
    'tunnel-host': { type: 'string', arg: 'URL', help: 'the localtunnel server to use' },
    subdomain: { type: 'string', arg: 'NAME', help: 'ask the tunnel server for this subdomain' },
    register: { type: 'boolean', help: 'register the public URL with TimelinesAI (token in $HOOKWATCH_TIMELINES_TOKEN)' },
    events: { type: 'string', arg: 'LIST', help: 'with --register: event types or groups, comma-separated' },
    'dashboard-port': {
      type: 'string',
      arg: 'N',
      help: 'dashboard port on 127.0.0.1, 0 to 65535 (else $HOOKWATCH_DASHBOARD_PORT, else the setting, else 8790)',
    },
    'no-dashboard': { type: 'boolean', help: 'no dashboard' },
    verbose: { type: 'boolean', short: 'v', help: 'one line per stored event' },
    durability: {
      type: 'string',
      arg: 'full|normal',
      help: 'full: fsync every commit (default); normal: faster, may lose the last commits on power loss',
    },
    ...CATCHUP_SERVE_FLAGS,
  });
  const dataDir = dataDirOf(v, io.env);
  const port = intFlag('port', v.port, 0, 65535) ?? DEFAULT_PORT;
  const dashboardFlag = intFlag('dashboard-port', v['dashboard-port'], 0, 65535);
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
  const catchupLimits = catchupServeLimits(v);
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
      ...(hub ? { hub } : {}),
      catchup: { limits: catchupLimits },
      setup: (c) => {
        core = c;
        c.catchup?.saveLimits(catchupLimits);
        // One line per gap: "catch-up: offline 23:10–07:45 UTC, 37 messages recovered from 5 chats".
        c.catchup?.onOutcome((_o, line) => io.out(`${terminalText(line, 400)}\n`));
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
  let dashboardPort: number | undefined = dashboardFlag;
  if (!v['no-dashboard']) {
    try {
      // A fixed port and a kept token: bookmarks and open tabs survive restarts (`hookwatch open` prints the URL).
      const chosen = dashboardPortOf(dashboardFlag, io.env, core.store);
      dashboardPort = chosen.port;
      dashboard = await startDashboard(core, {
        ...hubDashboardOption(core),
        port: chosen.port,
        fallbackToFreePort: !chosen.explicit,
        token: dashboardToken(core.store),
        log: (line) => (line.startsWith('dashboard port ') ? io.out(`${line}\n`) : io.err(`hookwatch: ${line}\n`)),
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
  if (hubServeLine(core)) io.out(hubServeLine(core)!);
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

function commandList(): string {
  const w = Math.max(...[...COMMANDS.keys()].map((k) => k.length));
  return `\nCommands (hookwatch <command> --help for its flags):\n${[...COMMANDS.values()].map((c) => `  ${c.name.padEnd(w)}  ${c.summary}`).join('\n')}\n`;
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

async function events(args: string[], io: CliIo): Promise<number> {
  const v = parse('events', args, {
    type: { type: 'string', arg: 'T', help: `an event type (message:new, ...) or a group: ${EVENT_GROUP_NAMES.join(', ')}` },
    provider: { type: 'string', arg: 'P', help: `one of ${PROVIDER_IDS.join(', ')}` },
    account: { type: 'string', arg: 'PHONE', help: 'the WhatsApp number (or account id)' },
    chat: { type: 'string', arg: 'ID', help: 'a chat id' },
    search: { type: 'string', arg: 'TEXT', help: 'words in the message text, names, phones' },
    since: { type: 'string', arg: 'ISO|30m|2h|7d', help: 'only events from then on' },
    limit: { type: 'string', arg: 'N', help: 'at most N events, 1 to 1000000 (table: 50)' },
    format: { type: 'string', arg: 'table|jsonl|csv', help: 'output format (default table, cut to the terminal width)' },
    follow: { type: 'boolean', short: 'f', help: 'after the list, print new events as they are stored until Ctrl-C' },
  });
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
      io.out(rows.length ? eventsTable(rows, terminalWidth(io.env)) : v.follow ? '' : 'no events match\n');
    }
    if (v.follow) await follow(store, filter, rows[0]?.id ?? store.maxEventId(), format, io);
  } finally {
    store.close();
  }
  return 0;
}

/** How often `events --follow` looks for new rows: the store is a file, so it is polled by id. */
const FOLLOW_INTERVAL_MS = 500;

/** Prints events stored after `lastId` (matching `filter`) until the user stops the process. */
async function follow(store: HookwatchStore, filter: EventFilter, lastId: number, format: string, io: CliIo): Promise<void> {
  let stopped = false;
  void io.stopSignal.then(() => (stopped = true));
  const width = terminalWidth(io.env);
  while (!stopped) {
    const max = store.maxEventId();
    if (max > lastId) {
      // Newest first, page by page, down to what was already printed.
      const fresh: StoredEvent[] = [];
      let before = max + 1;
      for (;;) {
        const page = store.listEvents({ ...filter, since: filter.since, beforeId: before, limit: 500 }).filter((e) => e.id > lastId);
        fresh.push(...page);
        if (page.length < 500) break;
        before = page[page.length - 1]!.id;
      }
      fresh.reverse();
      lastId = max;
      if (fresh.length) {
        if (format === 'jsonl') io.out(eventsJsonl(fresh));
        else if (format === 'csv') io.out(eventsCsv(fresh).split('\n').slice(1).join('\n'));
        else io.out(eventsTable(fresh, width).split('\n').slice(1).join('\n'));
      }
    }
    await Promise.race([io.stopSignal, new Promise((r) => setTimeout(r, FOLLOW_INTERVAL_MS))]);
  }
}

function deliveries(args: string[], io: CliIo): number {
  const v = parse('deliveries', args, {
    limit: { type: 'string', arg: 'N', help: 'at most N rows, 1 to 100000 (default 50)' },
    format: { type: 'string', arg: 'table|jsonl', help: 'output format (default table)' },
  });
  const format = v.format ?? 'table';
  if (!['table', 'jsonl'].includes(format)) throw new UsageError(`--format must be table or jsonl, got '${format}'`);
  const store = openExisting(dataDirOf(v, io.env));
  try {
    const rows = store.listDeliveries({ limit: intFlag('limit', v.limit, 1, 100_000) ?? 50 });
    if (format === 'jsonl') for (const d of rows) io.out(jsonLine({ ...d, receivedAt: new Date(d.receivedAt).toISOString() }) + '\n');
    else io.out(rows.length ? deliveriesTable(rows, terminalWidth(io.env)) : 'no deliveries yet\n');
  } finally {
    store.close();
  }
  return 0;
}

function accounts(args: string[], io: CliIo): number {
  const v = parse('accounts', args, { format: { type: 'string', arg: 'table|json', help: 'output format (default table)' } });
  const format = v.format ?? 'table';
  if (format !== 'table' && format !== 'json') throw new UsageError(`--format must be table or json, got '${format}'`);
  const store = openExisting(dataDirOf(v, io.env));
  try {
    io.out(accountsOutput(store, format, terminalWidth(io.env)));
  } finally {
    store.close();
  }
  return 0;
}

function alerts(args: string[], io: CliIo): number {
  const v = parse('alerts', args, {
    all: { type: 'boolean', help: 'every alert (each transition), not incidents' },
    state: { type: 'string', arg: 'open|resolved|all', help: 'which incidents (default all)' },
    format: { type: 'string', arg: 'table|jsonl', help: 'output format (default table)' },
    limit: { type: 'string', arg: 'N', help: 'at most N rows, 1 to 100000 (table: 50)' },
  });
  const format = choiceFlag('format', v.format, ['table', 'jsonl'] as const, 'table');
  const state = choiceFlag('state', v.state, ['open', 'resolved', 'all'] as const, 'all');
  const limit = intFlag('limit', v.limit, 1, 100_000) ?? (format === 'table' ? 50 : 100_000);
  const store = openExisting(dataDirOf(v, io.env));
  try {
    if (v.all) io.out(alertsOutput(store.listAlerts({ limit }), format, terminalWidth(io.env)));
    else io.out(incidentsOutput(store.incidents.list({ state, limit }), format, terminalWidth(io.env)));
  } finally {
    store.close();
  }
  return 0;
}

function secret(args: string[], io: CliIo): number {
  const v = parse('secret', args, { rotate: { type: 'boolean', help: 'make a new secret: the old webhook URL stops working' } });
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
  const v = parse('settings', args, {
    'retention-days': { type: 'string', arg: 'N', help: 'keep events N days, 0 to 36500 (0: forever)' },
    'delivery-log-days': { type: 'string', arg: 'N', help: 'keep delivery-log rows N days, 0 to 36500 (0: forever)' },
  });
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
