// The `open` and `dashboard` commands: the dashboard's stable address (fixed port, kept token), printed and opened.
import { spawn } from 'node:child_process';
import { databasePath } from '../paths.js';
import { DEFAULT_DASHBOARD_PORT, dashboardToken } from '../dashboard/start.js';
import { HookwatchStore } from '../store/store.js';
import { dataDirOf, intFlag, parse, UsageError, type CliIo } from './args.js';

function urlOf(store: HookwatchStore, env: NodeJS.ProcessEnv): string {
  const fromEnv = env.HOOKWATCH_DASHBOARD_PORT;
  const port = fromEnv && /^\d+$/.test(fromEnv) ? Number(fromEnv) : (store.meta.get('dashboardPort') ?? DEFAULT_DASHBOARD_PORT);
  return `http://127.0.0.1:${port}/?token=${dashboardToken(store)}`;
}

/** The platform's "open this URL" program, or null where there is no desktop to open it on. */
function opener(env: NodeJS.ProcessEnv): { cmd: string; args: string[] } | null {
  if (process.platform === 'darwin') return { cmd: 'open', args: [] };
  if (process.platform === 'win32') return { cmd: 'cmd', args: ['/c', 'start', '""'] };
  return env.DISPLAY || env.WAYLAND_DISPLAY ? { cmd: 'xdg-open', args: [] } : null;
}

export function open(args: string[], io: CliIo): number {
  const v = parse('open', args, { 'print-only': { type: 'boolean', help: 'print the URL, do not start a browser' } });
  const store = HookwatchStore.open(databasePath(dataDirOf(v, io.env)));
  let url: string;
  try {
    url = urlOf(store, io.env);
  } finally {
    store.close();
  }
  // The URL carries the dashboard token: it is for the person at this terminal, never a log line.
  io.out(`${url}\n`);
  const o = v['print-only'] ? null : opener(io.env);
  if (o) {
    try {
      const child = spawn(o.cmd, [...o.args, url], { detached: true, stdio: 'ignore' });
      // No opener installed, or no browser: the URL is printed above, which is all that is needed.
      child.on('error', () => {});
      child.unref();
    } catch {
      // Same: never fail for want of a desktop.
    }
  }
  return 0;
}

export function dashboard(args: string[], io: CliIo): number {
  const v = parse('dashboard', args, {
    'rotate-token': { type: 'boolean', help: 'make a new dashboard token: old bookmarks and open tabs stop working' },
    port: { type: 'string', arg: 'N', help: `keep this dashboard port, 1 to 65535 (default ${DEFAULT_DASHBOARD_PORT})` },
  });
  const port = intFlag('port', v.port, 1, 65535);
  if (v.port !== undefined && port === undefined) throw new UsageError('--port needs a number');
  const store = HookwatchStore.open(databasePath(dataDirOf(v, io.env)));
  try {
    if (port !== undefined) store.meta.set('dashboardPort', port);
    if (v['rotate-token']) dashboardToken(store, true);
    io.out(`dashboard: ${urlOf(store, io.env)}\n`);
    if (v['rotate-token'] || port !== undefined) io.out('a running `hookwatch serve` uses the new address from its next start.\n');
  } finally {
    store.close();
  }
  return 0;
}
