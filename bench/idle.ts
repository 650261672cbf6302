// Benchmark: an idle `hookwatch serve --no-tunnel`: its CPU and how often it wakes up (from /proc, Linux only).
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { messagePayload, round, startServerProcess, stopProcess } from './common.js';

const HOOKWATCH = fileURLToPath(new URL('../../bin/hookwatch.js', import.meta.url));
const CLOCK_TICKS = 100;

interface Sample {
  /** utime + stime of all threads, in clock ticks. */
  ticks: number;
  /** Context switches of the main (event-loop) thread: each voluntary one is a sleep, so a later wake-up. */
  mainVoluntary: number;
  /** Voluntary context switches summed over every thread (libuv pool, V8 helpers). */
  allVoluntary: number;
}

function sample(pid: number): Sample {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  const switches = (task: string) =>
    Number(/voluntary_ctxt_switches:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/task/${task}/status`, 'utf8'))![1]);
  let all = 0;
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    try {
      all += switches(task);
    } catch {
      /* a thread that ended meanwhile */
    }
  }
  return { ticks: Number(fields[11]) + Number(fields[12]), mainVoluntary: switches(String(pid)), allVoluntary: all };
}

export interface IdleResult {
  seconds: number;
  cpuPercent: number;
  wakeupsPerSecond: number;
  allThreadsWakeupsPerSecond: number;
}

async function idleOf(script: string, seconds: number, log: (l: string) => void, label: string): Promise<() => Promise<IdleResult>> {
  const dir = mkdtempSync(join(tmpdir(), 'hookwatch-idle-'));
  const hw = await startServerProcess(script, ['serve', '--data', dir, '--port', '0', '--no-tunnel']);
  // A little traffic first, so timers armed by events have run and the app has settled back to idle.
  for (let i = 0; i < 20; i++) {
    await fetch(hw.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: messagePayload(`idle-${i}`, i) });
  }
  await new Promise((r) => setTimeout(r, 3000));
  const pid = hw.child.pid!;
  const before = sample(pid);
  log(`idle (${label}): watching pid ${pid} for ${seconds} s…`);
  return async () => {
    const after = sample(pid);
    await stopProcess(hw.child);
    rmSync(dir, { recursive: true, force: true });
    return {
      seconds,
      cpuPercent: round((((after.ticks - before.ticks) / CLOCK_TICKS) * 100) / seconds, 3),
      wakeupsPerSecond: round((after.mainVoluntary - before.mainVoluntary) / seconds, 2),
      allThreadsWakeupsPerSecond: round((after.allVoluntary - before.allVoluntary) / seconds, 2),
    };
  };
}

/**
 * Watches an idle `serve` for `seconds`. With HOOKWATCH_BENCH_BEFORE=<path of an older bin/hookwatch.js>,
 * that build is watched side by side over the same seconds, for a before/after on the same machine load.
 */
export async function benchIdle(options: { log: (line: string) => void; seconds?: number }): Promise<Record<string, unknown>> {
  const seconds = options.seconds ?? 30;
  const beforeScript = process.env.HOOKWATCH_BENCH_BEFORE;
  const finishNow = await idleOf(HOOKWATCH, seconds, options.log, 'this build');
  const finishBefore = beforeScript ? await idleOf(beforeScript, seconds, options.log, beforeScript) : null;
  await new Promise((r) => setTimeout(r, seconds * 1000));
  // Read both at the end of the window (the older build started a moment later: its window is as long, shifted).
  const now = await finishNow();
  const before = finishBefore ? await finishBefore() : null;
  const loadAverage = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  const summary = [
    `| \`hookwatch serve --no-tunnel\` idle for ${seconds} s: main-thread wake-ups, CPU (load average ${loadAverage}) | ${now.wakeupsPerSecond}/s (all threads ${now.allThreadsWakeupsPerSecond}/s), ${now.cpuPercent} % CPU${before ? `; before: ${before.wakeupsPerSecond}/s (all threads ${before.allThreadsWakeupsPerSecond}/s), ${before.cpuPercent} %` : ''} | ≤ 1 wake-up/s | ${now.wakeupsPerSecond <= 1 ? '✓' : '✗'} |`,
  ];
  return { ...now, before, loadAverage, target: { wakeupsPerSecondAtMost: 1 }, met: now.wakeupsPerSecond <= 1, summary };
}
