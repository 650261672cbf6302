// Hub connection settings against a real nats-server with a password: credentials from a file or the URL work, and never appear in descriptions or errors.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HubConfigError, connectHub, describeHub, hubConnectOptions, readCredsFile } from '../../main/core/hub/connection.js';
import { consumerName, subjectFor } from '../../main/core/hub/subjects.js';
import { connectRefusal, hubTestBed } from '../support/hub.js';
import { eventually, natsServerAvailable } from '../support/nats.js';

const bed = hubTestBed();

describe('hub subjects and settings', () => {
  it('keeps untrusted type text from changing what a subject means', () => {
    expect(subjectFor('Acme', 'event', 'message:received:new')).toBe('hookwatch.acme.event.message.received.new');
    expect(subjectFor('a.b', 'event', 'x.*>:y z')).toBe('hookwatch.a_2Eb.event.x_2E_2A_3E.y_20z');
    expect(subjectFor('', 'account', 'disconnected')).toBe('hookwatch.default.account.disconnected');
    expect(consumerName('follow', 'Dana Laptop')).toBe('hookwatch-follow-dana_20laptop');
  });

  it('rejects bad URLs and files with clear errors that name no secret', () => {
    expect(() => hubConnectOptions({ url: 'http://x:1' })).toThrow('a hub URL starts with nats:// or tls://, not http:// (http://x:1)');
    const f = join(bed.tempDir(), 'junk');
    writeFileSync(f, 'hunter2-without-colon\n');
    expect(() => readCredsFile(f)).toThrow(HubConfigError);
    try {
      readCredsFile(f);
    } catch (err) {
      expect((err as Error).message).not.toContain('hunter2');
    }
    expect(describeHub({ url: 'nats://dana:s3cret@hub.example:4222' })).toBe('nats://hub.example:4222 (user dana)');
    expect(describeHub({ url: 'tls://tok3n@hub.example' })).toBe('tls://hub.example:4222 (token)');
    expect(hubConnectOptions({ url: 'tls://hub.example:4443' }).tls).toEqual({});
  });
});

describe.skipIf(!natsServerAvailable)('hub connection with a real nats-server requiring a password', () => {
  it('connects with a user:password file and with the URL, and a wrong password error shows no secret', async () => {
    const nats = await bed.nats({ args: ['--user', 'dana', '--pass', 's3cret-pw'] });
    const creds = join(bed.tempDir(), 'hub.creds');
    writeFileSync(creds, 'dana:s3cret-pw\n', { mode: 0o600 });

    const a = await connectHub({ url: nats.url, credsFile: creds });
    await a.close();
    const b = await connectHub({ url: `nats://dana:s3cret-pw@127.0.0.1:${nats.port}` });
    await b.close();

    const refused = await connectRefusal({ url: `nats://dana:wr0ng-pw@127.0.0.1:${nats.port}` });
    expect(refused).toMatch(/cannot connect to the hub nats:\/\/127\.0\.0\.1:\d+ \(user dana\)/);
    expect(refused).not.toContain('wr0ng-pw');

    // A link keeps trying with backoff and reports the reason, redacted, until stopped.
    const states: string[] = [];
    const link = bed.link({ url: `nats://dana:wr0ng-pw@127.0.0.1:${nats.port}` }, (s, detail) => states.push(`${s}:${detail ?? ''}`));
    await eventually('link reported a failed attempt', () => states.length > 0);
    await link.close();
    expect(await link.connection()).toBeNull();
    expect(states.join('\n')).not.toContain('wr0ng-pw');
  });
});
