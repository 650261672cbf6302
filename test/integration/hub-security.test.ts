// The hub over TLS (a throwaway CA made with openssl, mutual TLS) and nkey auth against a real nats-server: events flow; wrong keys and certificates are refused without showing a secret.
import { afterEach, describe, expect, it } from 'vitest';
import { HookwatchCore } from '../../main/core/core.js';
import { connectHub, readCredsFile, type HubConnectionConfig } from '../../main/core/hub/connection.js';
import { postJson, tempDir } from '../support/harness.js';
import { NatsServer, eventually, natsServerAvailable } from '../support/nats.js';
import { haveOpenssl, makeCertificates, makeNkeyUser } from '../support/tls.js';

if (!haveOpenssl) console.log('hub TLS tests skipped: no openssl at /usr/bin/openssl (apt-get install openssl)');

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

function message(uid: string): string {
  return JSON.stringify({
    event_type: 'message:new',
    chat: { full_name: 'Sam Customer', chat_id: 4811201, is_group: false, phone: '+15555550123' },
    whatsapp_account: { full_name: 'Dana Owner', email: 'dana.owner@example.com', phone: '+15555550100' },
    message: { text: `secret text ${uid}`, direction: 'received', message_uid: uid, timestamp: '2025-03-02 15:20:11 +0000' },
  });
}

async function refusal(config: HubConnectionConfig): Promise<string> {
  const err = await connectHub(config).then(
    async (nc) => {
      await nc.close();
      return null;
    },
    (e: Error) => e,
  );
  expect(err, 'the connection should have been refused').toBeInstanceOf(Error);
  return err!.message;
}

describe.skipIf(!natsServerAvailable)('hub security with a real nats-server', () => {
  it('nkey auth: the seed file connects, another key is refused, and no error shows a seed', async () => {
    const tmp = tempDir();
    cleanups.push(tmp.cleanup);
    const dana = makeNkeyUser(tmp.dir, 'dana');
    const stranger = makeNkeyUser(tmp.dir, 'stranger');
    const nats = await NatsServer.start({ config: `authorization { users = [ { nkey: "${dana.publicKey}" } ] }\n` });
    cleanups.push(() => nats.dispose());

    expect(readCredsFile(dana.file).kind).toBe('nkey');
    const nc = await connectHub({ url: nats.url, credsFile: dana.file });
    await nc.close();
    const refused = await refusal({ url: nats.url, credsFile: stranger.file });
    expect(refused).toMatch(/cannot connect to the hub nats:\/\/127\.0\.0\.1:\d+ \(credentials from .*stranger\.nk\)/);
    expect(refused).not.toContain(stranger.seed);
    expect(refused).not.toContain(dana.seed);
    const none = await refusal({ url: nats.url });
    expect(none).toMatch(/cannot connect to the hub/);
  });

  it.skipIf(!haveOpenssl)(
    'TLS with a private CA and client certificates, plus nkey users: a hub and a follower exchange events; wrong CA, no client certificate and plain nats:// are refused',
    async () => {
      const tmp = tempDir();
      cleanups.push(tmp.cleanup);
      const c = makeCertificates(tmp.dir);
      const hubUser = makeNkeyUser(tmp.dir, 'hub');
      const follower = makeNkeyUser(tmp.dir, 'follower');
      const nats = await NatsServer.start({
        config: [
          `tls { cert_file: "${c.serverCert}", key_file: "${c.serverKey}", ca_file: "${c.ca}", verify: true, timeout: 5 }`,
          `authorization { users = [ { nkey: "${hubUser.publicKey}" }, { nkey: "${follower.publicKey}" } ] }`,
          '',
        ].join('\n'),
      });
      cleanups.push(() => nats.dispose());
      const url = `tls://127.0.0.1:${nats.port}`;
      const tls = { caFile: c.ca, certFile: c.clientCert, keyFile: c.clientKey };

      // What must be refused: a server certificate from an unknown CA, no client certificate, no TLS at all.
      expect(await refusal({ url, credsFile: follower.file, tls: { ...tls, caFile: c.otherCa } })).toMatch(
        /cannot connect to the hub tls:\/\//,
      );
      expect(await refusal({ url, credsFile: follower.file, tls: { caFile: c.ca } })).toMatch(/cannot connect to the hub/);
      expect(await refusal({ url: nats.url, credsFile: follower.file })).toMatch(/cannot connect to the hub/);
      const wrongKey = await refusal({ url, credsFile: makeNkeyUser(tmp.dir, 'nobody').file, tls });
      expect(wrongKey).not.toMatch(/SU[A-Z2-7]{50,}/);

      // The team: a hub publishing over TLS with its nkey, a follower with its own.
      const hubDir = tempDir();
      const folDir = tempDir();
      cleanups.push(hubDir.cleanup, folDir.cleanup);
      const logs: string[] = [];
      const hub = await HookwatchCore.start({
        dataDir: hubDir.dir,
        port: 0,
        durability: 'normal',
        log: (l) => logs.push(l),
        hub: { url, credsFile: hubUser.file, tls, workspace: 'acme' },
      });
      cleanups.push(() => hub.stop());
      const fol = await HookwatchCore.start({
        dataDir: folDir.dir,
        port: 0,
        durability: 'normal',
        log: (l) => logs.push(l),
        follow: { url, name: 'dana', credsFile: follower.file, tls },
      });
      cleanups.push(() => fol.stop());
      for (let i = 0; i < 20; i++) expect((await postJson(hub.receiver.localUrl, message(`tls-${i}`))).status).toBe(200);
      await eventually('the follower has all 20 over TLS', () => fol.store.listEvents({ limit: 100 }).length === 20, 30_000);
      expect(fol.hub?.status()).toMatchObject({ hub: `tls://127.0.0.1:${nats.port} (credentials from ${follower.file})` });
      const everything = logs.join('\n') + JSON.stringify(hub.hub?.status()) + JSON.stringify(fol.hub?.status());
      expect(everything).not.toContain(hubUser.seed);
      expect(everything).not.toContain(follower.seed);
    },
    90_000,
  );
});
