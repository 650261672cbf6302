// Benchmark: the dashboard in Chromium over a million events (first paint, streaming while scrolling).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Agent, request } from 'node:http';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createHookwatchService } from '../main/core/api/create.js';
import type { HookwatchService } from '../main/core/api/service.js';
import { HookwatchCore } from '../main/core/core.js';
import { startDashboardServer } from '../main/core/dashboard/server.js';
import { databasePath } from '../main/core/paths.js';
import { HookwatchStore } from '../main/core/store/store.js';
import { messagePayload, percentile, round } from './common.js';

/**
 * The dashboard in real Chromium over a million stored events:
 * - first render of the live feed (navigation start → first rows painted; target < 300 ms),
 * - a burst of 1000 events/s for 10 s while the feed is scrolled up and down (target: no long task over
 *   100 ms, and the page keeps scrolling),
 * - and, for the record, the API calls behind the screens on the same database (feed page, search,
 *   health over 10 days of delivery log) and POST → row-visible latency.
 */

// Functions given to page.evaluate run in the page; this program is compiled without the DOM library.
declare const document: any;
declare const window: any;
declare const PerformanceObserver: any;
declare function requestAnimationFrame(cb: (t: number) => void): number;

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
];

function buildRenderer(outDir: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'],
      { cwd: ROOT, stdio: 'ignore' },
    );
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`vite build failed with ${code}`));
    });
  });
}

async function timeAsync(fn: () => Promise<unknown>, runs: number): Promise<{ medianMs: number; p95Ms: number; firstMs: number }> {
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    ms.push(performance.now() - t);
  }
  const first = ms[0]!;
  ms.sort((a, b) => a - b);
  return { firstMs: round(first, 1), medianMs: round(percentile(ms, 50), 1), p95Ms: round(percentile(ms, 95), 1) };
}

/** Navigation start → first feed rows painted, and the load event, from the page's own clock. */
async function firstRender(page: Page, url: string): Promise<{ rowsPaintedMs: number; loadEventMs: number; domContentLoadedMs: number }> {
  // Through about:blank: going to the same URL again would only be a same-document hash change.
  await page.goto('about:blank');
  await page.goto(url);
  await page.waitForFunction(() => window.performance.getEntriesByName('hookwatch:feed-rows-painted').length > 0, null, {
    timeout: 30_000,
  });
  await page.waitForFunction(() => window.performance.getEntriesByType('navigation')[0]?.loadEventEnd > 0, null, { timeout: 30_000 });
  return page.evaluate(() => {
    const nav = window.performance.getEntriesByType('navigation')[0];
    const painted = window.performance.getEntriesByName('hookwatch:feed-rows-painted')[0];
    return { rowsPaintedMs: painted.startTime, loadEventMs: nav.loadEventEnd, domContentLoadedMs: nav.domContentLoadedEventEnd };
  });
}

export async function benchDashboard(options: { events?: number; log?: (line: string) => void } = {}): Promise<object> {
  const total = options.events ?? Number(process.env.HOOKWATCH_BENCH_EVENTS ?? 1_000_000);
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  if (!existsSync(CHROMIUM)) {
    const reason = `${CHROMIUM} is missing (apt-get install -y chromium)`;
    return { skipped: reason, summary: [`| dashboard in Chromium | skipped: ${reason} | | |`] };
  }
  const dir = mkdtempSync(join(tmpdir(), 'hookwatch-dash-bench-'));
  let browser: Browser | null = null;
  let core: HookwatchCore | null = null;
  let service: HookwatchService | null = null;
  let dashboard: Awaited<ReturnType<typeof startDashboardServer>> | null = null;
  try {
    let rendererDir = join(ROOT, 'dist/renderer');
    if (!existsSync(join(rendererDir, 'index.html'))) {
      rendererDir = join(dir, 'renderer');
      log('dashboard: dist/renderer is missing; building the renderer');
      await buildRenderer(rendererDir);
    }

    log(`dashboard: seeding ${total.toLocaleString('en')} events in one transaction…`);
    const seedStarted = performance.now();
    const dataDir = join(dir, 'data');
    {
      const { mkdirSync } = await import('node:fs');
      mkdirSync(dataDir, { recursive: true });
      const store = HookwatchStore.open(databasePath(dataDir), { durability: 'normal' });
      // One message a second ending now, so the health window (10 days) holds 864,000 deliveries.
      store.seedSyntheticMessages(total);
      store.checkpointAndAnalyze();
      store.close();
    }
    const seedSeconds = round((performance.now() - seedStarted) / 1000, 1);
    log(`dashboard: seeded in ${seedSeconds} s; starting the core and the dashboard`);

    const coreStarted = performance.now();
    core = await HookwatchCore.start({ dataDir, port: 0, durability: 'normal', log: () => {} });
    service = createHookwatchService(core);
    dashboard = await startDashboardServer({ api: service.api, notifications: service, port: 0, rendererDir, log: () => {} });
    const coreStartSeconds = round((performance.now() - coreStarted) / 1000, 1);

    // The API behind the screens, on this database (in-process, without HTTP).
    const api = service.api;
    const apiTimes = {
      feedFirstPage: await timeAsync(() => api.listEvents({ limit: 100 }), 20),
      feedByAccount: await timeAsync(() => api.listEvents({ account: '+15555550105', limit: 100 }), 20),
      searchRare: await timeAsync(() => api.searchEvents('zanzibar', { limit: 100 }), 20),
      filterOptions: await timeAsync(() => api.getFilterOptions(), 10),
      health: await timeAsync(() => api.getHealth(), 10),
    };
    log(
      `dashboard: health over ${total.toLocaleString('en')} deliveries: first ${apiTimes.health.firstMs} ms, then ${apiTimes.health.medianMs} ms`,
    );

    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const feedUrl = `${dashboard.url}#/feed`;

    // First render: a cold load, then warm reloads (the browser cache holds the scripts, as for a user).
    const renders: Array<{ rowsPaintedMs: number; loadEventMs: number; domContentLoadedMs: number }> = [];
    for (let i = 0; i < 6; i++) renders.push(await firstRender(page, feedUrl));
    const warm = renders
      .slice(1)
      .map((r) => r.rowsPaintedMs)
      .sort((a, b) => a - b);
    const firstRenderFigures = {
      coldMs: round(renders[0]!.rowsPaintedMs, 1),
      warmMedianMs: round(percentile(warm, 50), 1),
      warmMaxMs: round(warm[warm.length - 1]!, 1),
      afterLoadEventMs: round(
        percentile(
          renders
            .slice(1)
            .map((r) => Math.max(0, r.rowsPaintedMs - r.loadEventMs))
            .sort((a, b) => a - b),
          50,
        ),
        1,
      ),
      afterDomContentLoadedMs: round(
        percentile(
          renders
            .slice(1)
            .map((r) => Math.max(0, r.rowsPaintedMs - r.domContentLoadedMs))
            .sort((a, b) => a - b),
          50,
        ),
        1,
      ),
    };
    log(
      `dashboard: first feed render ${firstRenderFigures.coldMs} ms cold, ${firstRenderFigures.warmMedianMs} ms warm (navigation start → rows painted)`,
    );

    // POST → row on screen, one event at a time, the page at the top of the feed.
    const agent = new Agent({ keepAlive: true, maxSockets: 64 });
    const receiver = new URL(core.receiver.localUrl);
    const post = (body: string) =>
      new Promise<number>((resolve, reject) => {
        const req = request(
          {
            host: receiver.hostname,
            port: receiver.port,
            path: receiver.pathname,
            method: 'POST',
            agent,
            headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
          },
          (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          },
        );
        req.on('error', reject);
        req.end(body);
      });
    // Timed by the page itself (a MutationObserver on the list, Date.now on the same machine clock), not by
    // the driver's polling, which only looks every 100 ms or so.
    const visible: number[] = [];
    for (let i = 0; i < 20; i++) {
      const marker = `latency-probe-${i}-${Date.now()}`;
      await page.evaluate((m: string) => {
        const list = document.querySelector('[data-testid="feed-list"]');
        (window as any).__seen = new Promise<number>((resolve) => {
          const observer = new window.MutationObserver(() => {
            if (list.textContent.includes(m)) {
              observer.disconnect();
              resolve(Date.now());
            }
          });
          observer.observe(list, { childList: true, subtree: true, characterData: true });
        });
      }, marker);
      const t = Date.now();
      await post(messagePayload(marker, i).replace('Hello, this is message', marker));
      const seenAt = await page.evaluate(() =>
        Promise.race([(window as any).__seen, new Promise((r) => window.setTimeout(() => r(null), 10_000))]),
      );
      if (typeof seenAt !== 'number') throw new Error(`event ${marker} did not appear in the feed within 10 s`);
      visible.push(seenAt - t);
    }
    visible.sort((a, b) => a - b);

    // The burst: 1000 events/s for 10 s while the feed is scrolled down and back up every 250 ms.
    await page.evaluate(() => {
      const w = window as any;
      w.__bench = {
        longTasks: [] as number[],
        longFrames: [] as number[],
        frames: [] as number[],
        scrolls: 0,
        moves: 0,
        lastTop: 0,
        running: true,
      };
      new PerformanceObserver((list: any) => {
        for (const e of list.getEntries()) w.__bench.longTasks.push(e.duration);
      }).observe({ type: 'longtask', buffered: false });
      // Long animation frames (script + style + layout + paint of one frame over 50 ms), where supported.
      try {
        new PerformanceObserver((list: any) => {
          for (const e of list.getEntries()) w.__bench.longFrames.push(e.duration);
        }).observe({ type: 'long-animation-frame', buffered: false });
      } catch {
        /* not supported */
      }
      const list = document.querySelector('[data-testid="feed-list"]');
      list.addEventListener('scroll', () => {
        w.__bench.scrolls++;
        // Scrolling is asynchronous: count the scroll events that moved the list the other way from the last move.
        const top = list.scrollTop;
        const direction = Math.sign(top - w.__bench.lastTop);
        if (direction !== 0 && direction !== w.__bench.lastDirection) w.__bench.moves++;
        if (direction !== 0) w.__bench.lastDirection = direction;
        w.__bench.lastTop = top;
      });
      let last = 0;
      const frame = (t: number) => {
        if (last) w.__bench.frames.push(t - last);
        last = t;
        if (w.__bench.running) requestAnimationFrame(frame);
      };
      requestAnimationFrame(frame);
    });
    const list = page.getByTestId('feed-list');
    const box = (await list.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    const rate = 1000;
    const seconds = 10;
    let sent = 0;
    let failed = 0;
    const inFlight = new Set<Promise<unknown>>();
    const burstStarted = performance.now();
    let wheelDown = true;
    let nextWheel = burstStarted;
    let wheels = 0;
    for (let tick = 0; tick < rate * seconds;) {
      const due = Math.min(rate * seconds, Math.floor(((performance.now() - burstStarted) / 1000) * rate));
      for (; tick < due; tick++) {
        const p = post(messagePayload(`burst-${tick}`, tick))
          .then((s) => {
            if (s === 200) sent++;
            else failed++;
          })
          .catch(() => failed++)
          .finally(() => inFlight.delete(p));
        inFlight.add(p);
      }
      if (performance.now() >= nextWheel) {
        nextWheel += 250;
        await page.mouse.wheel(0, wheelDown ? 1500 : -1500);
        wheels++;
        wheelDown = !wheelDown;
      }
      await new Promise((r) => setTimeout(r, 5));
    }
    await Promise.all(inFlight);
    const burstSeconds = (performance.now() - burstStarted) / 1000;
    await new Promise((r) => setTimeout(r, 1000));
    const observed = await page.evaluate(() => {
      const b = (window as any).__bench;
      b.running = false;
      return {
        longTasks: [...b.longTasks] as number[],
        longFrames: [...b.longFrames] as number[],
        frames: b.frames as number[],
        scrolls: b.scrolls as number,
        moves: b.moves as number,
      };
    });
    // The instrument itself: a deliberate 150 ms task must be reported, or "no long task" would mean nothing.
    // (in a task of the page's own: code run by the test driver is not counted as a page task)
    await page.evaluate(() =>
      window.setTimeout(() => {
        const t = window.performance.now();
        while (window.performance.now() - t < 150) {
          /* busy */
        }
      }, 0),
    );
    await new Promise((r) => setTimeout(r, 300));
    const observerWorks = await page.evaluate(() => (window as any).__bench.longTasks.some((d: number) => d >= 140));
    // Back at the top, everything that arrived is in the feed.
    await list.evaluate((el: any) => {
      el.scrollTop = 0;
      el.dispatchEvent(new window.Event('scroll'));
    });
    const pill = page.getByTestId('new-pill');
    if (await pill.count()) await pill.click();
    const newest = core.store.listEvents({ limit: 1 })[0]!.id;
    await page.locator(`[data-event-id="${newest}"]`).waitFor({ timeout: 15_000 });
    agent.destroy();

    // Each wheel turn reverses the direction; the page kept scrolling if (almost) every turn moved the list.
    const wheelsThatScrolled = Math.min(wheels, observed.moves);
    const frames = [...observed.frames].sort((a, b) => a - b);
    const longestTask = observed.longTasks.length ? Math.max(...observed.longTasks) : 0;
    const burst = {
      targetPerSecond: rate,
      seconds,
      posted: sent,
      failed,
      achievedPerSecond: Math.round(sent / burstSeconds),
      longTasks: observed.longTasks.length,
      longestTaskMs: round(longestTask, 1),
      longTasksOver100Ms: observed.longTasks.filter((d) => d > 100).length,
      longAnimationFrames: observed.longFrames.length,
      longestAnimationFrameMs: round(observed.longFrames.length ? Math.max(...observed.longFrames) : 0, 1),
      frameP50Ms: round(percentile(frames, 50), 1),
      frameP99Ms: round(percentile(frames, 99), 1),
      frameMaxMs: round(frames[frames.length - 1] ?? 0, 1),
      scrollEvents: observed.scrolls,
      wheels,
      wheelsThatScrolled,
      longTaskObserverVerified: observerWorks,
      caughtUp: true,
    };
    log(
      `dashboard: burst ${burst.achievedPerSecond}/s, longest task ${burst.longestTaskMs} ms, ${wheelsThatScrolled}/${wheels} wheel turns scrolled, frames p99 ${burst.frameP99Ms} ms`,
    );

    // "Under 300 ms after the page loads": from the load event to the first rows painted. From navigation
    // start is reported beside it (it adds this machine's script compile time, large on a cold cache).
    const firstRenderMet = firstRenderFigures.afterLoadEventMs < 300;
    const burstMet = observerWorks && burst.longTasksOver100Ms === 0 && wheels > 0 && wheelsThatScrolled >= wheels - 1;
    return {
      events: total,
      seedSeconds,
      coreStartSeconds,
      api: apiTimes,
      firstRender: firstRenderFigures,
      postToRowVisible: { p50Ms: round(percentile(visible, 50), 1), maxMs: round(visible[visible.length - 1]!, 1) },
      burst,
      targets: { firstRenderMs: 300, longestTaskMs: 100 },
      met: firstRenderMet && burstMet,
      summary: [
        `| dashboard: first feed render over ${total.toLocaleString('en')} events (load event → rows painted) | ${firstRenderFigures.afterLoadEventMs} ms (from navigation start: ${firstRenderFigures.warmMedianMs} ms, cold cache ${firstRenderFigures.coldMs} ms) | < 300 ms | ${firstRenderMet ? '✓' : '✗'} |`,
        `| dashboard: burst ${burst.achievedPerSecond}/s for ${seconds} s, scrolling | longest task ${burst.longestTaskMs} ms (${burst.longTasks} over 50 ms), frames p99 ${burst.frameP99Ms} ms, ${burst.wheelsThatScrolled} of ${burst.wheels} wheel turns scrolled | no task > 100 ms, still scrolling | ${burstMet ? '✓' : '✗'} |`,
        `| dashboard: POST → row visible | ${round(percentile(visible, 50), 1)} ms p50, ${round(visible[visible.length - 1]!, 1)} ms max | < 1 s | ${visible[visible.length - 1]! < 1000 ? '✓' : '✗'} |`,
        `| dashboard: health over 10 days (${Math.min(total, 864_000).toLocaleString('en')} deliveries) | first ${apiTimes.health.firstMs} ms, then ${apiTimes.health.medianMs} ms | report | |`,
      ],
    };
  } finally {
    await browser?.close().catch(() => {});
    await dashboard?.close().catch(() => {});
    service?.close();
    await core?.stop().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  }
}
