// Settings → Team hub through the API over real cores and a real nats-server: follow, publish and off applied at runtime; destinations; no credential in errors.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createHookwatchService } from '../../main/core/api/create.js';
import { HookwatchCore } from '../../main/core/core.js';
import { postJson, tempDir } from '../support/harness.js';
import { NatsServer, eventually, natsServerAvailable } from '../support/nats.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function core(dir = tempDir()): Promise<HookwatchCore> {
  const c = await HookwatchCore.start({ dataDir: dir.dir, port: 0, durability: 'normal', log: () => {} });
  cleanups.push(dir.cleanup, () => c.stop());
  return c;
}

function message(uid: string): string {
  return JSON.stringify({
    event_type: 'message:new',
    chat: { full_name: 'Sam Customer', chat_id: 4811201, is_group: false, phone: '+15555550123' },
    whatsapp_account: { full_name: 'Dana Owner', email: 'dana.owner@example.com', phone: '+15555550100' },
    message: { text: `hello ${uid}`, direction: 'received', message_uid: uid, timestamp: '2025-03-02 15:20:11 +0000' },
  });
}

describe.skipIf(!natsServerAvailable)('Settings → Team hub applied at runtime', () => {
  it('publish on one install, follow on another, then off: each change applies without a restart and is kept', async () => {
    const nats = await NatsServer.start();
    cleanups.push(() => nats.dispose());
    const hub = await core();
    const hubApi = createHookwatchService(hub).api;
    const folDir = tempDir();
    const fol = await core(folDir);
    const folApi = createHookwatchService(fol).api;

    expect(await hubApi.getTeamHub()).toMatchObject({ settings: { mode: 'off' }, status: null, fixedByCommandLine: false });
    const published = await hubApi.setTeamHub({ mode: 'publish', url: nats.url, credsFile: null, name: '', workspace: 'acme' });
    expect(published.status).toMatchObject({ role: 'hub', hub: `nats://127.0.0.1:${nats.port}` });
    const followed = await folApi.setTeamHub({ mode: 'follow', url: nats.url, credsFile: null, name: 'dana', workspace: '' });
    expect(followed.settings).toMatchObject({ mode: 'follow', name: 'dana' });
    await eventually('following', async () => (await folApi.getTeamHub()).status?.state === 'following');

    expect((await postJson(hub.receiver.localUrl, message('via-settings-1'))).status).toBe(200);
    await eventually('the follower has it', () => fol.store.listEvents({}).some((e) => e.messageUid === 'via-settings-1'));
    expect((await folApi.getHealth()).hub).toMatchObject({ role: 'follower', state: 'following' });

    // Off at runtime: the follower stops; what the hub stores next does not reach it.
    const off = await folApi.setTeamHub({ mode: 'off', url: nats.url, credsFile: null, name: 'dana', workspace: '' });
    expect(off.status).toBeNull();
    expect((await folApi.getHealth()).hub).toBeUndefined();
    expect((await postJson(hub.receiver.localUrl, message('after-off'))).status).toBe(200);
    await eventually('hub published it', () => hub.store.hub.backlog().count === 0);
    await new Promise((r) => setTimeout(r, 500));
    expect(fol.store.listEvents({}).some((e) => e.messageUid === 'after-off')).toBe(false);

    // The choice is kept: a restart with "follow" saved follows again and catches up.
    await folApi.setTeamHub({ mode: 'follow', url: nats.url, credsFile: null, name: 'dana', workspace: '' });
    await fol.stop();
    const again = await HookwatchCore.start({ dataDir: folDir.dir, port: 0, durability: 'normal', log: () => {} });
    cleanups.push(() => again.stop());
    await eventually('caught up after restart', () => again.store.listEvents({}).some((e) => e.messageUid === 'after-off'));
  }, 90_000);

  it('refuses what cannot work with a message that says what to change and never shows the password', async () => {
    const tmp = tempDir();
    cleanups.push(tmp.cleanup);
    const c = await core();
    const api = createHookwatchService(c).api;
    await expect(
      api.setTeamHub({ mode: 'publish', url: 'nats://dana:s3cret-pass@127.0.0.1:4222', credsFile: null, name: '', workspace: '' }),
    ).rejects.toThrow(/credentials file/);
    await expect(
      api.setTeamHub({ mode: 'publish', url: 'nats://dana:s3cret-pass@127.0.0.1:4222', credsFile: null, name: '', workspace: '' }),
    ).rejects.not.toThrow(/s3cret/);
    await expect(
      api.setTeamHub({ mode: 'follow', url: 'nats://127.0.0.1:4222', credsFile: null, name: '', workspace: '' }),
    ).rejects.toThrow(/name/);
    await expect(
      api.setTeamHub({ mode: 'follow', url: 'http://127.0.0.1:4222', credsFile: null, name: 'dana', workspace: '' }),
    ).rejects.toThrow(/nats:\/\/ or tls:\/\//);
    const missing = join(tmp.dir, 'missing.creds');
    await expect(
      api.setTeamHub({ mode: 'follow', url: 'nats://127.0.0.1:4222', credsFile: missing, name: 'dana', workspace: '' }),
    ).rejects.toThrow(/cannot read the hub credentials file/);
    const bad = join(tmp.dir, 'bad.creds');
    writeFileSync(bad, 'not-a-seed-and-no-colon-SUPERSECRET\n', { mode: 0o600 });
    const err = await api
      .setTeamHub({ mode: 'follow', url: 'nats://127.0.0.1:4222', credsFile: bad, name: 'dana', workspace: '' })
      .catch((e: Error) => e);
    expect(String(err)).toMatch(/not a NATS credentials file/);
    expect(String(err)).not.toMatch(/SUPERSECRET/);
    // Nothing was saved by a refused choice.
    expect((await api.getTeamHub()).settings.mode).toBe('off');
  });

  it('forwarding destinations: add, list, remove; bad URLs and types are refused', async () => {
    const c = await core();
    const api = createHookwatchService(c).api;
    const added = await api.addForwardDestination({
      url: 'https://n8n.example.com/webhook/abc',
      types: ['message:received:new', 'whatsapp:account:*'],
    });
    expect(added.destinations).toEqual([
      expect.objectContaining({ id: 1, url: 'https://n8n.example.com/webhook/abc', types: ['message:received:new', 'whatsapp:account:*'] }),
    ]);
    await expect(api.addForwardDestination({ url: 'ftp://example.com/x', types: [] })).rejects.toThrow(/http:\/\/ or https:\/\//);
    await expect(api.addForwardDestination({ url: 'https://example.com/x', types: ['not a type'] })).rejects.toThrow(/not an event type/);
    expect((await api.removeForwardDestination(1)).destinations).toEqual([]);
    await expect(api.removeForwardDestination(1)).rejects.toThrow(/no forwarding destination 1/);
  });
});
