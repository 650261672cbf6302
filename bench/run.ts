// `npm run bench`: measures against the targets in the issues and writes bench/results.json,
// bench/results.md and the summary in README.md. Not part of the tests: these machines are shared
// and noisy, so figures are compared as ratios measured in the same run.
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { benchAlerts } from './alerts.js';
import { benchCatchup } from './catchup.js';
import { benchDashboard } from './dashboard.js';
import { benchHistory } from './history.js';
import { benchHub } from './hub.js';
import { benchIdle } from './idle.js';
import { benchIngest } from './ingest.js';
import { benchTunnel } from './tunnel.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const only = process.argv.slice(2);
const want = (name: string) => only.length === 0 || only.includes(name);
const log = (line: string) => process.stderr.write(`${line}\n`);

const results: Record<string, unknown> = {
  ranAt: new Date().toISOString(),
  machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version },
};

if (want('ingest')) {
  log('ingest: 5 rounds of 20k POSTs, 32 in flight, bare node:http then Hookwatch, then the writer thread…');
  results.ingest = await benchIngest();
}
if (want('idle')) {
  log('idle: CPU and wake-ups of an idle hookwatch serve --no-tunnel over 30 s…');
  results.idle = await benchIdle({ log });
}
if (want('history')) {
  log('history: seeding 1M events…');
  results.history = await benchHistory(Number(process.env.HOOKWATCH_BENCH_EVENTS ?? 1_000_000), log);
}

if (want('tunnel')) {
  log('tunnel: small POSTs through a local localtunnel server versus direct, and recovery after the server restarts…');
  results.tunnel = await benchTunnel();
}

if (want('alerts')) {
  log('alerts: POST of an account event to the notification call; memory of hookwatch serve idle and after 100k events…');
  results.alerts = await benchAlerts({ log });
}

if (want('dashboard')) {
  log('dashboard: first feed render over 1M events and a 1000 events/s burst, in Chromium…');
  results.dashboard = await benchDashboard({ log });
}

if (want('catchup')) {
  log('catch-up: 10,000 messages across 200 chats from the API stand-in at 30 req/s, and the receiver p99 while it runs…');
  results.catchup = await benchCatchup({ log });
}

if (only.includes('hub')) {
  // Only on request (`npm run bench -- hub`): it starts nats-server processes and a 3-node cluster.
  log('hub: real nats-server: ingest with publishing, follower catch-up of 100k events, latency, a 3-node cluster losing a node…');
  results.hub = await benchHub({ log });
}

const previous = (() => {
  try {
    return JSON.parse(readFileSync(`${ROOT}bench/results.json`, 'utf8')) as Record<string, unknown>;
  } catch {
    return {};
  }
})();
const merged = { ...previous, ...results };
writeFileSync(`${ROOT}bench/results.json`, JSON.stringify(merged, null, 2) + '\n');
const md = summary(merged);
writeFileSync(`${ROOT}bench/results.md`, md);
const readme = readFileSync(`${ROOT}README.md`, 'utf8');
// Laid out by Prettier as the lint's `prettier --check` expects, so a bench run leaves the tree lint-clean.
const { format } = await import('prettier');
writeFileSync(
  `${ROOT}README.md`,
  await format(
    readme.replace(
      /<!-- bench-summary:start -->[\s\S]*<!-- bench-summary:end -->/,
      `<!-- bench-summary:start -->\n${md}<!-- bench-summary:end -->`,
    ),
    { filepath: `${ROOT}README.md` },
  ),
);
process.stdout.write(md);

function summary(r: Record<string, any>): string {
  const lines: string[] = [];
  const m = r.machine ?? {};
  lines.push(`Last run ${r.ranAt} on ${m.cpus} × ${m.cpuModel}, Node ${m.node}.`, '');
  lines.push('| measure | result | target | met |', '| --- | --- | --- | --- |');
  if (r.ingest) {
    const i = r.ingest;
    const rounds = i.ratios ? ` (median of ${i.ratios.length} rounds: ${i.ratios.join(', ')})` : '';
    lines.push(
      `| ingest, ${i.requests} POSTs, ${i.inFlight} in flight${i.loadAverage ? ` (load average ${i.loadAverage})` : ''} | ${i.hookwatch.perSecond} events/s (bare node:http ${i.bare.perSecond}/s) | ratio ≥ 0.45 (0.5 stretch) | ${i.ratio}${rounds} ${i.ratio >= 0.45 ? '✓' : '✗'} |`,
    );
    lines.push(
      `| ingest latency p50 / p99 | ${i.hookwatch.p50Ms} / ${i.hookwatch.p99Ms} ms | p99 < 20 ms | ${i.hookwatch.p99Ms < 20 ? '✓' : '✗'} |`,
    );
    if (i.hookwatch.serverCpuUsPerRequest != null) {
      lines.push(
        `| ingest: CPU per request (server: all threads, from /proc; client: autocannon, on the same cores) | Hookwatch ${i.hookwatch.serverCpuUsPerRequest} µs${i.hookwatch.serverMainThreadCpuUsPerRequest != null ? ` (main thread ${i.hookwatch.serverMainThreadCpuUsPerRequest} µs)` : ''}, bare node:http ${i.bare.serverCpuUsPerRequest} µs; client ${i.hookwatch.clientCpuUsPerRequest} / ${i.bare.clientCpuUsPerRequest} µs | ≤ 70 µs (server, all threads) | ${i.hookwatch.serverCpuUsPerRequest <= 70 ? '✓' : '✗'} |`,
      );
    }
    if (i.walMiBAfterRounds) {
      lines.push(
        `| ingest: write-ahead log after each round (checkpoints keep it bounded) | ${i.walMiBAfterRounds.join(' / ')} MiB | report | |`,
      );
    }
    if (i.before) {
      lines.push(
        `| ingest: the build before these changes, in the same rounds | ratio ${i.before.ratio} (${i.before.ratios.join(', ')}), ${i.before.serverCpuUsPerRequest} µs CPU per request${i.before.serverMainThreadCpuUsPerRequest != null ? ` (main thread ${i.before.serverMainThreadCpuUsPerRequest} µs)` : ''}, p99 ${i.before.p99Ms} ms | compare | |`,
      );
    }
    if (i.hookwatchWriterThread) {
      lines.push(
        `| ingest with the writer thread (HOOKWATCH_WRITER=thread) | ${i.hookwatchWriterThread.perSecond} events/s, p50 / p99 ${i.hookwatchWriterThread.p50Ms} / ${i.hookwatchWriterThread.p99Ms} ms${i.hookwatchWriterThread.serverCpuUsPerRequest != null ? `, ${i.hookwatchWriterThread.serverCpuUsPerRequest} µs CPU per request` : ''} | compare | |`,
      );
    }
    lines.push(
      `| acknowledged events durable | ${i.storedAfterRun} stored of ${i.acknowledged} acknowledged (${i.durability}) | all | ${i.everyAcknowledgedEventDurable ? '✓' : '✗'} |`,
    );
  }
  if (r.history) {
    const h = r.history;
    const q = h.queries;
    lines.push(
      `| history: newest page, ${h.events.toLocaleString('en')} events | ${q.newestPage.p95Ms} ms p95 | < 5 ms | ${q.newestPage.p95Ms < 5 ? '✓' : '✗'} |`,
    );
    lines.push(`| history: filter by account | ${q.byAccount.p95Ms} ms p95 | < 10 ms | ${q.byAccount.p95Ms < 10 ? '✓' : '✗'} |`);
    const s = Math.max(q.searchCommonWord.p95Ms, q.searchRareWord.p95Ms, q.searchTwoWords.p95Ms);
    lines.push(
      `| history: full-text search (common, rare, two words) | ${q.searchCommonWord.p95Ms} / ${q.searchRareWord.p95Ms} / ${q.searchTwoWords.p95Ms} ms p95 | < 50 ms | ${s < 50 ? '✓' : '✗'} |`,
    );
    lines.push(`| history: database size | ${h.databaseMiB} MiB (${h.bytesPerEvent} bytes/event, raw request included) | report | |`);
  }
  if (r.tunnel && !r.tunnel.skipped) {
    const t = r.tunnel;
    lines.push(
      `| tunnel: small POSTs per second, direct / through a local localtunnel server | ${t.postsPerSecond.direct} / ${t.postsPerSecond.tunnel} (${Math.round(t.postsPerSecond.tunnelShareOfDirect * 100)} %) | report | |`,
    );
    lines.push(
      `| tunnel: server back → tunnel up again, its probe passed (same URL kept: ${t.recovery.sameUrlKept ? 'yes' : `no, ${t.recovery.newUrlsAnnounced} new`}) | ${t.recovery.serverBackToUpMs} ms (with recheck() at once: ${t.recovery.serverBackToUpWithRecheckMs} ms) | report | |`,
    );
  } else if (r.tunnel?.skipped) {
    lines.push(`| tunnel | skipped: ${r.tunnel.skipped} | | |`);
  }
  for (const [name, value] of Object.entries(r)) {
    if (['ranAt', 'machine', 'ingest', 'history', 'tunnel'].includes(name) || typeof value !== 'object' || value === null) continue;
    const v = value as { summary?: string[] };
    if (Array.isArray(v.summary)) lines.push(...v.summary);
  }
  return lines.join('\n') + '\n';
}
