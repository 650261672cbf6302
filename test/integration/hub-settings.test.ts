// Settings → Team hub through the API over real cores and a real nats-server: follow, publish and off applied at runtime; TLS files; destinations; no credential in errors.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createHookwatchService } from '../../main/core/api/create.js';
import { UsageError, type CliIo } from '../../main/core/cli/args.js';
import { forward } from '../../main/core/cli/commands-hub.js';
import { postJson } from '../support/harness.js';
import { hubTestBed } from '../support/hub.js';
import { eventually, natsServerAvailable } from '../support/nats.js';
import { timelinesMessage } from '../support/payloads.js';
import { haveOpenssl, makeCertificates } from '../support/tls.js';

const bed = hubTestBed();

/** The TimelinesAI message the hub receives: uid and text vary, the chat and the number stay. */
const message = (uid: string) => timelinesMessage(uid, `hello ${uid}`);

describe.skipIf(!natsServerAvailable)('Settings → Team hub applied at runtime', () => {
  it('publish on one install, follow on another, then off: each change applies without a restart and is kept', async () => {
    const nats = await bed.nats();
    const hub = await bed.core();
    const hubApi = createHookwatchService(hub).api;
    const folDir = bed.tempDir();
    const fol = await bed.core({}, folDir);
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
    const again = await bed.core({}, folDir);
    await eventually('caught up after restart', () => again.store.listEvents({}).some((e) => e.messageUid === 'after-off'));
  }, 90_000);

  it('refuses what cannot work with a message that says what to change and never shows the password', async () => {
    const tmp = bed.tempDir();
    const c = await bed.core();
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
    const missing = join(tmp, 'missing.creds');
    await expect(
      api.setTeamHub({ mode: 'follow', url: 'nats://127.0.0.1:4222', credsFile: missing, name: 'dana', workspace: '' }),
    ).rejects.toThrow(/cannot read the hub credentials file/);
    const bad = join(tmp, 'bad.creds');
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
    const c = await bed.core();
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

  it('forward add on the command line refuses the same destinations as Settings, in the same words', async () => {
    const dir = bed.tempDir();
    const api = createHookwatchService(await bed.core()).api;
    const io: CliIo = { out: () => {}, err: () => {}, env: {}, stopSignal: new Promise(() => {}) };
    const cases: Array<{ url: string; types: string[] }> = [
      { url: 'ftp://example.com/x', types: [] },
      { url: 'not a url\u001b[31m', types: [] },
      { url: 'https://example.com/x', types: ['message:received:new', 'Not A Type'] },
    ];
    for (const c of cases) {
      const ui = await api.addForwardDestination(c).then(
        () => '',
        (e: Error) => e.message,
      );
      expect(ui).not.toBe('');
      expect(ui).not.toContain('\u001b');
      const cliArgs = ['add', c.url, ...(c.types.length ? ['--types', c.types.join(',')] : []), '--data', dir];
      expect(() => forward(cliArgs, io)).toThrow(new UsageError(`forward add: ${ui}`));
    }
    expect((await api.getTeamHub()).destinations).toEqual([]);
  });

  it.skipIf(!haveOpenssl)(
    'TLS files chosen in Settings: a follower with a private CA and a client certificate connects and is kept across a restart; a wrong CA is refused with what to do',
    async () => {
      const tmp = bed.tempDir();
      const c = makeCertificates(tmp);
      const nats = await bed.nats({
        config: `tls { cert_file: "${c.serverCert}", key_file: "${c.serverKey}", ca_file: "${c.ca}", verify: true, timeout: 5 }\n`,
      });
      const url = `tls://127.0.0.1:${nats.port}`;
      const tls = { caFile: c.ca, certFile: c.clientCert, keyFile: c.clientKey };

      // Both ends set up from Settings alone: the hub publishes over mutual TLS, the follower follows it.
      const hub = await bed.core();
      const hubApi = createHookwatchService(hub).api;
      await hubApi.setTeamHub({ mode: 'publish', url, credsFile: null, name: '', workspace: 'acme', ...tls });
      const folDir = bed.tempDir();
      const fol = await bed.core({}, folDir);
      const folApi = createHookwatchService(fol).api;
      const saved = await folApi.setTeamHub({ mode: 'follow', url, credsFile: null, name: 'dana', workspace: '', ...tls });
      expect(saved.settings).toMatchObject(tls);
      await eventually('following over TLS', async () => (await folApi.getTeamHub()).status?.state === 'following', 30_000);
      expect((await postJson(hub.receiver.localUrl, message('tls-settings-1'))).status).toBe(200);
      await eventually('the follower has it', () => fol.store.listEvents({}).some((e) => e.messageUid === 'tls-settings-1'), 30_000);

      // Kept: a restart with nothing on the command line follows over TLS again and catches up.
      await fol.stop();
      expect((await postJson(hub.receiver.localUrl, message('tls-settings-2'))).status).toBe(200);
      const again = await bed.core({}, folDir);
      expect((await createHookwatchService(again).api.getTeamHub()).settings).toMatchObject({ mode: 'follow', ...tls });
      await eventually('caught up after restart', () => again.store.listEvents({}).some((e) => e.messageUid === 'tls-settings-2'), 30_000);

      // A CA that did not sign the hub's certificate: saved (the file is a fine certificate), but the
      // connection is refused, and the page's status says so and what to choose instead.
      const wrong = await bed.core();
      const wrongApi = createHookwatchService(wrong).api;
      await wrongApi.setTeamHub({ mode: 'follow', url, credsFile: null, name: 'erin', workspace: '', ...tls, caFile: c.otherCa });
      let lastError = '';
      await eventually('the wrong CA reported', async () => {
        lastError = (await wrongApi.getTeamHub()).status?.lastError ?? '';
        return lastError !== '';
      });
      expect((await wrongApi.getTeamHub()).status?.state).not.toBe('following');
      expect(lastError).toMatch(/cannot connect to the hub tls:\/\/127\.0\.0\.1:\d+/);
      expect(lastError).toMatch(/hub's certificate is not signed by the CA in .*other-ca\.pem/);
      expect(lastError).toMatch(/choose the CA file that signed it/);
      expect(wrong.store.listEvents({}).length).toBe(0);
      // Corrected in Settings: the follower that never connected stops, the new one follows and catches up.
      await wrongApi.setTeamHub({ mode: 'follow', url, credsFile: null, name: 'erin', workspace: '', ...tls });
      await eventually('the corrected CA follows', () => wrong.store.listEvents({}).some((e) => e.messageUid === 'tls-settings-2'), 30_000);
      expect((await wrongApi.getTeamHub()).status).toMatchObject({ state: 'following', lastError: null });
    },
    90_000,
  );

  it.skipIf(!haveOpenssl)('TLS files that cannot work are refused on save with the reason, never with what is in them', async () => {
    const tmp = bed.tempDir();
    const c = makeCertificates(tmp);
    const api = createHookwatchService(await bed.core()).api;
    const base = { mode: 'follow' as const, url: 'tls://127.0.0.1:4222', credsFile: null, name: 'dana', workspace: '' };
    const refusal = async (files: { caFile?: string | null; certFile?: string | null; keyFile?: string | null }) => {
      const err = await api.setTeamHub({ ...base, ...files }).then(
        () => null,
        (e: Error) => e,
      );
      expect(err, 'the choice should have been refused').toBeInstanceOf(Error);
      return err!.message;
    };
    const keyBody = readFileSync(c.clientKey, 'utf8').split('\n')[1]!;
    expect(keyBody.length).toBeGreaterThan(20);

    expect(await refusal({ caFile: join(tmp, 'nope.pem') })).toMatch(/cannot read the CA file .*nope\.pem: it does not exist/);
    mkdirSync(join(tmp, 'certs'));
    expect(await refusal({ caFile: join(tmp, 'certs') })).toMatch(
      /cannot read the CA file .*certs: it is a folder: choose the file itself/,
    );
    expect(await refusal({ certFile: c.clientCert })).toMatch(/choose the client key too/);
    expect(await refusal({ keyFile: c.clientKey })).toMatch(/choose the client certificate too/);
    // A key where the certificate belongs: refused without quoting the key.
    const swapped = await refusal({ certFile: c.clientKey, keyFile: c.clientKey });
    expect(swapped).toMatch(/the client certificate .*client\.key holds no PEM certificate/);
    expect(swapped).not.toContain(keyBody);
    const notKey = await refusal({ certFile: c.clientCert, keyFile: c.clientCert });
    expect(notKey).toMatch(/the client key .*client\.pem holds no PEM private key/);
    expect(await refusal({ certFile: c.clientCert, keyFile: c.serverKey })).toMatch(/does not belong to the client certificate/);
    const encrypted = join(tmp, 'client-enc.key');
    execFileSync('/usr/bin/openssl', ['pkey', '-in', c.clientKey, '-out', encrypted, '-aes256', '-passout', 'pass:hunter22'], {
      stdio: 'pipe',
    });
    const enc = await refusal({ certFile: c.clientCert, keyFile: encrypted });
    expect(enc).toMatch(/protected by a passphrase.*unencrypted copy/);
    expect(enc).not.toContain(readFileSync(encrypted, 'utf8').split('\n')[1]!);
    const garbage = join(tmp, 'garbage.pem');
    writeFileSync(garbage, 'TOPSECRET-NOT-A-CERT\n');
    const g = await refusal({ caFile: garbage });
    expect(g).toMatch(/the CA file .*garbage\.pem holds no PEM certificate/);
    expect(g).not.toContain('TOPSECRET');
    // Nothing was saved by a refused choice; a good one is.
    expect((await api.getTeamHub()).settings).toMatchObject({ mode: 'off', caFile: null, certFile: null, keyFile: null });
    await api.setTeamHub({ ...base, url: 'tls://127.0.0.1:1', caFile: c.ca, certFile: c.clientCert, keyFile: c.clientKey });
    expect((await api.getTeamHub()).settings).toMatchObject({ caFile: c.ca, certFile: c.clientCert, keyFile: c.clientKey });
    // A hub that never connected (nothing listens there) says why, and gives way to the next choice.
    await api.setTeamHub({ ...base, mode: 'publish', url: 'tls://127.0.0.1:1', caFile: c.ca });
    await eventually('the refusal shown', async () =>
      /cannot connect to the hub tls:\/\/127\.0\.0\.1:1/.test((await api.getTeamHub()).status?.lastError ?? ''),
    );
    expect((await api.setTeamHub({ ...base, mode: 'off' })).status).toBeNull();
  });
});
