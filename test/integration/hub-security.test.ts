// The hub over TLS (a throwaway CA made with openssl, mutual TLS) and nkey auth against a real nats-server: events flow; wrong keys and certificates are refused without showing a secret.
import { describe, expect, it } from 'vitest';
import { connectHub, readCredsFile } from '../../main/core/hub/connection.js';
import { postJson } from '../support/harness.js';
import { connectRefusal, hubTestBed } from '../support/hub.js';
import { eventually, natsServerAvailable } from '../support/nats.js';
import { timelinesMessage } from '../support/payloads.js';
import { haveOpenssl, makeCertificates, makeNkeyUser } from '../support/tls.js';

if (!haveOpenssl) console.log('hub TLS tests skipped: no openssl at /usr/bin/openssl (apt-get install openssl)');

const bed = hubTestBed();

/** The TimelinesAI message the hub receives: uid and text vary, the chat and the number stay. */
const message = (uid: string) => timelinesMessage(uid, `secret text ${uid}`);

describe.skipIf(!natsServerAvailable)('hub security with a real nats-server', () => {
  it('nkey auth: the seed file connects, another key is refused, and no error shows a seed', async () => {
    const tmp = bed.tempDir();
    const dana = makeNkeyUser(tmp, 'dana');
    const stranger = makeNkeyUser(tmp, 'stranger');
    const nats = await bed.nats({ config: `authorization { users = [ { nkey: "${dana.publicKey}" } ] }\n` });

    expect(readCredsFile(dana.file).kind).toBe('nkey');
    const nc = await connectHub({ url: nats.url, credsFile: dana.file });
    await nc.close();
    const refused = await connectRefusal({ url: nats.url, credsFile: stranger.file });
    expect(refused).toMatch(/cannot connect to the hub nats:\/\/127\.0\.0\.1:\d+ \(credentials from .*stranger\.nk\)/);
    expect(refused).not.toContain(stranger.seed);
    expect(refused).not.toContain(dana.seed);
    const none = await connectRefusal({ url: nats.url });
    expect(none).toMatch(/cannot connect to the hub/);
  });

  it.skipIf(!haveOpenssl)(
    'TLS with a private CA and client certificates, plus nkey users: a hub and a follower exchange events; wrong CA, no client certificate and plain nats:// are refused',
    async () => {
      const tmp = bed.tempDir();
      const c = makeCertificates(tmp);
      const hubUser = makeNkeyUser(tmp, 'hub');
      const follower = makeNkeyUser(tmp, 'follower');
      const nats = await bed.nats({
        config: [
          `tls { cert_file: "${c.serverCert}", key_file: "${c.serverKey}", ca_file: "${c.ca}", verify: true, timeout: 5 }`,
          `authorization { users = [ { nkey: "${hubUser.publicKey}" }, { nkey: "${follower.publicKey}" } ] }`,
          '',
        ].join('\n'),
      });
      const url = `tls://127.0.0.1:${nats.port}`;
      const tls = { caFile: c.ca, certFile: c.clientCert, keyFile: c.clientKey };

      // What must be refused: a server certificate from an unknown CA, no client certificate, no TLS at all.
      expect(await connectRefusal({ url, credsFile: follower.file, tls: { ...tls, caFile: c.otherCa } })).toMatch(
        /cannot connect to the hub tls:\/\//,
      );
      expect(await connectRefusal({ url, credsFile: follower.file, tls: { caFile: c.ca } })).toMatch(/cannot connect to the hub/);
      expect(await connectRefusal({ url: nats.url, credsFile: follower.file })).toMatch(/cannot connect to the hub/);
      const wrongKey = await connectRefusal({ url, credsFile: makeNkeyUser(tmp, 'nobody').file, tls });
      expect(wrongKey).not.toMatch(/SU[A-Z2-7]{50,}/);

      // The team: a hub publishing over TLS with its nkey, a follower with its own.
      const logs: string[] = [];
      const hub = await bed.core({ log: (l) => logs.push(l), hub: { url, credsFile: hubUser.file, tls, workspace: 'acme' } });
      const fol = await bed.core({ log: (l) => logs.push(l), follow: { url, name: 'dana', credsFile: follower.file, tls } });
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
