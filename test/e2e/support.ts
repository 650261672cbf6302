import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { HookwatchService } from '../../main/core/api/service.js';
import { HookwatchCore } from '../../main/core/core.js';
import type { DashboardServer } from '../../main/core/dashboard/server.js';
import { startDashboard } from '../../main/core/dashboard/start.js';
import { REPO, tempDir } from '../support/harness.js';

export const CHROMIUM_PATH = '/usr/bin/chromium';
export const HAVE_CHROMIUM = existsSync(CHROMIUM_PATH);
/** Said once when the browser tests cannot run here. */
export const NO_CHROMIUM = `skipped: ${CHROMIUM_PATH} is missing (apt-get install -y chromium; CI installs it)`;

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}

/** Builds the renderer from the current source into `outDir` with the repo's vite.config.ts. */
export function buildRenderer(outDir: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [join(REPO, 'node_modules/vite/bin/vite.js'), 'build', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'],
      {
        cwd: REPO,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`vite build failed (${code}):\n${out}`));
    });
  });
}

export interface DashboardStack {
  core: HookwatchCore;
  service: HookwatchService;
  dashboard: DashboardServer;
  dataDir: string;
  receiverUrl: string;
  logLines: string[];
  stop(): Promise<void>;
}

/** A real core (SQLite file, receiver on 127.0.0.1) with the API service and the dashboard server, in a fresh folder. */
export async function startDashboardStack(options: { rendererDir: string; dataDir?: string; batchMs?: number }): Promise<DashboardStack> {
  const tmp = options.dataDir ? null : tempDir('hookwatch-dash-');
  const dataDir = options.dataDir ?? tmp!.dir;
  const logLines: string[] = [];
  const core = await HookwatchCore.start({ dataDir, port: 0, durability: 'normal', log: (l) => logLines.push(l) });
  // The same one call `hookwatch serve` makes.
  const running = await startDashboard(core, { rendererDir: options.rendererDir, batchMs: options.batchMs, log: (l) => logLines.push(l) });
  const { service, server: dashboard } = running;
  return {
    core,
    service,
    dashboard,
    dataDir,
    receiverUrl: core.receiver.localUrl,
    logLines,
    async stop() {
      await running.close();
      await core.stop();
      tmp?.cleanup();
    },
  };
}

/** The page's global object, as the browser sees it (these tests compile without the DOM's types). */
declare const window: any;

const AXE_SCRIPT = readFileSync(join(REPO, 'node_modules/axe-core/axe.min.js'), 'utf8');

/**
 * axe-core's serious and critical violations on the page as it stands, one line each (impact, rule, its help,
 * where): the list every screen test expects to be empty. axe is injected once per page.
 */
export async function seriousAxeViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => typeof window.axe !== 'undefined'))) await page.addScriptTag({ content: AXE_SCRIPT });
  const result: { violations: Array<{ id: string; impact: string | null; help: string; nodes: Array<{ target: string[] }> }> } =
    await page.evaluate(() => window.axe.run(window.document, { resultTypes: ['violations'] }));
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id} (${v.help}) at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}
