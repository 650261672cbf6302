// Shared test harness: temp folders, a real core on a free port, JSON posts, and the real `hookwatch` command run or served as a child process.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { HookwatchCore, type CoreOptions } from '../../main/core/core.js';
import { providerTime } from './timelines-chats.js';

export const REPO = resolve(import.meta.dirname, '../..');
/** Vendor specs, vendor documents and sample payloads the tests read, kept in the repo (test/fixtures/README.md). */
export const FIXTURES = join(REPO, 'test/fixtures');
export const BIN = join(REPO, 'bin/hookwatch.js');

export function tempDir(prefix = 'hookwatch-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A real core (SQLite file + HTTP receiver on 127.0.0.1, free port) in a fresh temp folder. */
export async function startCore(options: { durability?: 'full' | 'normal'; receiver?: CoreOptions['receiver'] } = {}) {
  const tmp = tempDir();
  const core = await HookwatchCore.start({
    dataDir: tmp.dir,
    port: 0,
    durability: options.durability ?? 'normal',
    log: () => {},
    ...(options.receiver ? { receiver: options.receiver } : {}),
  });
  return {
    core,
    dataDir: tmp.dir,
    url: core.receiver.localUrl,
    async stop() {
      await core.stop();
      tmp.cleanup();
    },
  };
}

export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: any = null;
  try {
    json = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: res.status, json, text };
}

/** Runs the real `hookwatch` command to completion. */
export function runHookwatch(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr });
    });
  });
}

/**
 * Starts `hookwatch serve` as a child process and waits for its `receiver:` line. Without a
 * `--tunnel-host` it gets `--no-tunnel`: tests never reach the public tunnel service.
 */
export async function spawnServe(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ child: ChildProcessWithoutNullStreams; url: string; output: () => string }> {
  const all = args.includes('--tunnel-host') || args.includes('--no-tunnel') ? args : [...args, '--no-tunnel'];
  const child = spawn(process.execPath, [BIN, 'serve', ...all], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const url = await new Promise<string>((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      // Not ready in time: it must not keep running behind the failed test.
      child.kill('SIGKILL');
      reject(new Error(`serve did not start:\n${out}`));
    }, 20_000);
    const check = () => {
      const m = /^receiver: (\S+)$/m.exec(out);
      if (m && /^ready/m.test(out)) {
        clearTimeout(timer);
        resolvePromise(m[1]!);
      }
    };
    child.stdout.on('data', check);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code}:\n${out}`));
    });
  });
  return { child, url, output: () => out };
}

export function fixturePayloads(): Array<{ name: string; body: string }> {
  const dir = join(FIXTURES, 'payloads');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((name) => ({ name, body: readFileSync(join(dir, name), 'utf8') }));
}

/**
 * The fixture's `whatsapp:account:connected` or `…:disconnected` webhook, changed at `at` (its connected_on or
 * disconnected_on); for another number than the fixture's when `number` is given.
 */
export function accountWebhook(kind: 'connected' | 'disconnected', at: number, number?: { phone: string; name: string }) {
  const body = JSON.parse(fixturePayloads().find((f) => f.name === `tl_account_${kind}.json`)!.body) as {
    event_type: string;
    whatsapp_account: Record<string, unknown>;
  };
  const wa = body.whatsapp_account;
  if (number) Object.assign(wa, { phone: number.phone, id: `${number.phone.slice(1)}@s.whatsapp.net`, account_name: number.name });
  wa[kind === 'connected' ? 'connected_on' : 'disconnected_on'] = providerTime(at);
  return body;
}
