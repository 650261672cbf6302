// The preload with the `electron` module faked: what the page gets as window.hookwatch.
//
// It is compiled here with its own tsconfig (the real build step) and run the way Electron runs a
// sandboxed preload: CommonJS, wrapped in a function whose `require` knows only Electron's renderer
// modules. So this also proves it needs nothing else at run time.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { electronModule, fake, fakeEvent, resetFakeElectron } from './fake-electron.js';
import type { HookwatchBridge, HookwatchNotification } from '../../main/contract/api.js';
import { API_EVENT_CHANNEL, API_INVOKE_CHANNEL } from '../../main/shell/ipc-bridge.js';
import { REPO, tempDir } from '../support/harness.js';

const SANDBOX_MODULES = new Set(['electron', 'events', 'timers', 'url']);
let compiled = '';
const out = tempDir('hookwatch-preload-');

beforeAll(() => {
  const tsc = createRequire(join(REPO, 'package.json')).resolve('typescript/bin/tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', join(REPO, 'preload/tsconfig.json'), '--outDir', out.dir, '--sourceMap', 'false'], {
    encoding: 'utf8',
  });
  expect(r.stdout + r.stderr).toBe('');
  expect(r.status).toBe(0);
  compiled = readFileSync(join(out.dir, 'preload/index.cjs'), 'utf8');
}, 60_000);
afterAll(() => out.cleanup());

function loadPreload(): HookwatchBridge {
  resetFakeElectron();
  const electron = electronModule();
  const sandboxRequire = (name: string) => {
    if (!SANDBOX_MODULES.has(name)) throw new Error(`module not found: ${name} (a sandboxed preload cannot load it)`);
    if (name !== 'electron') throw new Error(`the fake sandbox has no ${name}`);
    return electron;
  };
  const module = { exports: {} };
  new Function('require', 'module', 'exports', compiled)(sandboxRequire, module, module.exports);
  return fake.exposed.get('hookwatch') as HookwatchBridge;
}

describe('preload (Electron is faked)', () => {
  let bridge: HookwatchBridge;
  beforeEach(() => {
    bridge = loadPreload();
  });

  it('Electron is faked: exposes exactly one object, window.hookwatch, with invoke and subscribe', () => {
    expect([...fake.exposed.keys()]).toEqual(['hookwatch']);
    expect(Object.keys(bridge).sort()).toEqual(['invoke', 'subscribe']);
  });

  it('Electron is faked: invoke sends (method, args) on the one invoke channel main listens on, and unwraps the answer', async () => {
    const calls: unknown[][] = [];
    fake.ipcRenderer.invoke = async (...args: unknown[]) => {
      calls.push(args);
      return { ok: true, result: { events: [], nextBeforeId: null } };
    };
    expect(await bridge.invoke('listEvents', [{ limit: 5 }])).toEqual({ events: [], nextBeforeId: null });
    expect(calls).toEqual([[API_INVOKE_CHANNEL, 'listEvents', [{ limit: 5 }]]]);
  });

  it('Electron is faked: a refused call becomes an Error with Hookwatch’s message', async () => {
    fake.ipcRenderer.invoke = async () => ({
      ok: false,
      status: 400,
      error: { code: 'bad-input', method: 'searchEvents', message: 'type at least one letter' },
    });
    // The reason alone, as a screen shows it: the method travels beside the message, never in front of it.
    const refused = await bridge.invoke('searchEvents', ['', {}]).catch((e: unknown) => e as Error);
    expect(refused).toBeInstanceOf(Error);
    expect((refused as Error).message).toBe('type at least one letter');
    fake.ipcRenderer.invoke = async () => 'something else';
    await expect(bridge.invoke('listEvents', [{}])).rejects.toThrow(/unexpected form/);
    await expect(bridge.invoke(42 as never, [])).rejects.toThrow(TypeError);
    await expect(bridge.invoke('listEvents', 'x' as never)).rejects.toThrow(TypeError);
  });

  it('Electron is faked: subscribe hands the page the notification, never the IPC event, and can stop', () => {
    const got: unknown[] = [];
    const stop = bridge.subscribe((n) => got.push(n));
    const n: HookwatchNotification = { kind: 'deliveries', data: { deliveries: [] } };
    const ipcEvent = { ...fakeEvent(), sender: { send() {} } };
    fake.ipcRenderer.emit(API_EVENT_CHANNEL, ipcEvent, n);
    expect(got).toEqual([n]);
    stop();
    fake.ipcRenderer.emit(API_EVENT_CHANNEL, ipcEvent, n);
    expect(got).toHaveLength(1);
    expect(fake.ipcRenderer.listenerCount(API_EVENT_CHANNEL)).toBe(0);
  });

  it('its channel names are the ones main uses (a sandboxed preload cannot import them)', () => {
    const source = readFileSync(join(REPO, 'preload/index.cts'), 'utf8');
    expect(source).toContain(`const API_INVOKE_CHANNEL = '${API_INVOKE_CHANNEL}';`);
    expect(source).toContain(`const API_EVENT_CHANNEL = '${API_EVENT_CHANNEL}';`);
    // Only types may come from our own modules: a run-time import would fail in the sandbox.
    const imports = [...source.matchAll(/^import\s+(type\s+)?[^;]*?from\s+'([^']+)'/gm)].map((m) => ({
      typeOnly: Boolean(m[1]),
      from: m[2],
    }));
    expect(imports.filter((i) => !i.typeOnly).map((i) => i.from)).toEqual(['electron']);
  });
});
