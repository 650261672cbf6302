// Benchmark helpers: start the built CLI, wait for its lines, percentiles and process figures.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';

export function messagePayload(uid: string, n: number): string {
  // A realistic TimelinesAI message:received:new (about 800 bytes), with a unique uid per request.
  return JSON.stringify({
    event_type: 'message:received:new',
    chat: {
      full_name: `Customer ${n % 500}`,
      chat_url: `https://app.timelines.ai/chat/${4800000 + (n % 500)}/messages/`,
      chat_id: 4800000 + (n % 500),
      is_group: false,
      phone: `+1555${String(5500000 + (n % 500)).padStart(7, '0')}`,
      responsible_name: 'Alex Agent',
      responsible_email: 'alex.agent@example.com',
    },
    whatsapp_account: {
      full_name: 'Dana Owner',
      email: 'dana.owner@example.com',
      phone: `+1555555${String(100 + (n % 20)).padStart(4, '0')}`,
    },
    message: {
      text: `Hello, this is message ${n}: is my order ${n % 97} shipped yet? Thanks a lot for checking on it.`,
      direction: 'received',
      origin: 'WhatsApp',
      timestamp: '2025-03-02 15:20:11 +0000',
      received_timestamp: '2025-03-02 15:20:12 +0000',
      message_uid: uid,
      sender: { full_name: `Customer ${n % 500}`, phone: '+15555550123' },
      recipient: { full_name: 'Dana Owner', phone: '+15555550100' },
      attachments: [],
    },
  });
}

/** Starts a node script that prints `receiver: <url>` and `ready`; resolves with the URL. */
export function startServerProcess(
  script: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${out}`)), 20_000);
    const onData = (d: Buffer) => {
      out += d;
      const m = /receiver: (\S+)/.exec(out);
      if (m && /ready/.test(out)) {
        clearTimeout(timer);
        child.stdout!.off('data', onData);
        resolve({ child, url: m[1]! });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (d) => (out += d));
    child.on('exit', (code) => reject(new Error(`server exited ${code}: ${out}`)));
  });
}

export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export function round(n: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/**
 * The fields of a Linux /proc `stat` file after the command's name (so utime is [11], stime [12], nice
 * [16]); null where there is none (not Linux, or a process or thread that has ended).
 */
export function procStatFields(path: string): string[] | null {
  try {
    return readFileSync(path, 'utf8').split(') ')[1]!.split(' ');
  } catch {
    return null;
  }
}

/** utime + stime from procStatFields, in µs (clock ticks of 10 ms). */
export function cpuMicrosOf(fields: readonly string[]): number {
  return ((Number(fields[11]) + Number(fields[12])) * 1e6) / 100;
}

/** utime + stime of a /proc `stat` file, in µs; null where there is none. */
export function procCpuMicros(path: string): number | null {
  const fields = procStatFields(path);
  return fields === null ? null : cpuMicrosOf(fields);
}
