// The browser tests' shared set-up: Chromium, the renderer built from source, a real core with the dashboard server, axe-core, and useDashboard() to tie them to a test file.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import type { HookwatchService } from '../../main/core/api/service.js';
import { HookwatchCore } from '../../main/core/core.js';
import type { DashboardServer } from '../../main/core/dashboard/server.js';
import { startDashboard } from '../../main/core/dashboard/start.js';
import { REPO, tempDir } from '../support/harness.js';

/** Where the screen tests save their PNGs (gitignored), to look at when a screen changes. */
export const SCREENSHOTS = join(REPO, 'test-artifacts', 'screenshots');

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

export type ColorScheme = 'light' | 'dark';

export interface Viewport {
  width: number;
  height: number;
}

/** Registers a cleanup. Cleanups run last in, first out, and each runs even when an earlier one throws. */
export type Defer = (cleanup: () => unknown) => void;

export interface DashboardOptions {
  /** The dashboard's notification batching window in ms (the dashboard's own default when left out). */
  batchMs?: number;
  /** The core's data folder; a fresh temp folder, removed afterwards, when left out. */
  dataDir?: string;
  /** The folder made for the file's PNGs (SCREENSHOTS when left out), or false when the file saves none. */
  screenshots?: string | false;
  /** false: no shared stack; the file starts its own (per test) on the renderer built into `rendererDir`. */
  stack?: boolean;
  /** false: no Chromium, for files that speak HTTP to the dashboard themselves. */
  browser?: boolean;
  /** Extra set-up that the stack does not need (a nats-server, a hub core): started before the stack, undone after it stops. */
  before?(defer: Defer): Promise<void>;
  /** Data put into the running stack before Chromium starts; what it defers is undone before the stack stops. */
  seed?(stack: DashboardStack, defer: Defer): Promise<void>;
  /** The set-up's time limit in ms (vitest's hook limit when left out). */
  timeout?: number;
}

export interface OpenedPage {
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

export interface Dashboard {
  /** The running stack; read inside tests and hooks (it exists once the set-up ran). */
  readonly stack: DashboardStack;
  /** The launched Chromium; read inside tests and hooks. */
  readonly browser: Browser;
  /** The folder the renderer was built into. */
  readonly rendererDir: string;
  /** Adds a cleanup to the file's list, for what a test file's own beforeAll starts (such as one page kept for every test). */
  defer: Defer;
  /**
   * A new context and page in that colour scheme and viewport (no scheme: Chromium's default), CSP bypassed so
   * axe can be injected (pass `{ bypassCSP: false }` where the page's own CSP is under test). The caller closes it.
   */
  openPage(scheme: ColorScheme | null, viewport: Viewport, options?: BrowserContextOptions): Promise<OpenedPage>;
  /** Runs `run` on a page from openPage and closes its context afterwards, also when `run` fails. */
  withPage<T>(
    scheme: ColorScheme | null,
    viewport: Viewport,
    run: (page: Page, context: BrowserContext) => Promise<T>,
    options?: BrowserContextOptions,
  ): Promise<T>;
}

/**
 * Registers the file's (or the describe block's) beforeAll and afterAll: build the renderer into a temp folder,
 * start the stack, seed it, launch Chromium; then undo all of it. Call it inside the describe block, so a
 * skipped block starts nothing.
 */
export function useDashboard(options: DashboardOptions = {}): Dashboard {
  const cleanups: Array<() => unknown> = [];
  let finished = false;
  let stack: DashboardStack | undefined;
  let browser: Browser | undefined;
  let rendererDir: string | undefined;

  const defer: Defer = (cleanup) => {
    // A set-up that outlived its time limit goes on after the cleanups ran: what it still starts is closed at once.
    if (finished)
      void Promise.resolve()
        .then(cleanup)
        .catch((e) => console.error('e2e: a late cleanup failed:', e));
    else cleanups.push(cleanup);
  };

  beforeAll(async () => {
    if (options.screenshots !== false) mkdirSync(options.screenshots ?? SCREENSHOTS, { recursive: true });
    const renderer = tempDir('hookwatch-renderer-');
    defer(() => renderer.cleanup());
    await buildRenderer(renderer.dir);
    rendererDir = renderer.dir;
    if (finished) return;
    await options.before?.(defer);
    if (options.stack !== false && !finished) {
      const started = await startDashboardStack({ rendererDir: renderer.dir, dataDir: options.dataDir, batchMs: options.batchMs });
      defer(() => started.stop());
      stack = started;
      await options.seed?.(started, defer);
    }
    if (options.browser !== false && !finished) {
      const launched = await launchChromium();
      defer(() => launched.close());
      browser = launched;
    }
  }, options.timeout);

  // vitest runs afterAll also when beforeAll failed, so what a failed set-up started is closed here too.
  afterAll(async () => {
    finished = true;
    const errors: unknown[] = [];
    for (let cleanup = cleanups.pop(); cleanup; cleanup = cleanups.pop()) {
      try {
        await cleanup();
      } catch (e) {
        errors.push(e);
      }
    }
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new AggregateError(errors, `${errors.length} cleanups failed: ${errors.map(String).join('; ')}`);
  });

  const dashboard: Dashboard = {
    get stack() {
      if (!stack) throw new Error('the dashboard stack is not running: read it inside a test or hook, of a file that starts one');
      return stack;
    },
    get browser() {
      if (!browser) throw new Error('Chromium is not running: read it inside a test or hook, of a file that launches it');
      return browser;
    },
    get rendererDir() {
      if (!rendererDir) throw new Error('the renderer is not built yet: read rendererDir inside a test or hook');
      return rendererDir;
    },
    defer,
    async openPage(scheme, viewport, contextOptions = {}) {
      const context = await dashboard.browser.newContext({
        viewport,
        ...(scheme ? { colorScheme: scheme } : {}),
        bypassCSP: true,
        ...contextOptions,
      });
      try {
        const page = await context.newPage();
        if (scheme) await page.emulateMedia({ colorScheme: scheme });
        return { context, page, close: () => context.close() };
      } catch (e) {
        await context.close().catch(() => {});
        throw e;
      }
    },
    async withPage(scheme, viewport, run, contextOptions) {
      const { context, page } = await dashboard.openPage(scheme, viewport, contextOptions);
      let result: Awaited<ReturnType<typeof run>>;
      try {
        result = await run(page, context);
      } catch (e) {
        // The test's own failure is the one to report, not a close that failed after it.
        await context.close().catch(() => {});
        throw e;
      }
      await context.close();
      return result;
    },
  };
  return dashboard;
}
