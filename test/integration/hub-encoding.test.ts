// Decoding hub messages from a real nats-server: the follower's own header reading gives what the client's MsgHdrs gives, and is the path actually taken.
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type JsMsg } from '@nats-io/jetstream';
import { connect, headers as natsHeaders } from '@nats-io/transport-node';
import { describe, expect, it } from 'vitest';
import { decodeHubMessage, headersOf, HDR } from '../../main/core/hub/encoding.js';
import { STREAM_NAME } from '../../main/core/hub/subjects.js';
import { hubTestBed } from '../support/hub.js';
import { eventually, natsServerAvailable } from '../support/nats.js';

const bed = hubTestBed();

describe.skipIf(!natsServerAvailable)('hub message decoding', () => {
  it('reads the raw header block of a JetStream message exactly as MsgHdrs reads it', async () => {
    const { nats, hub, publisher } = await bed.hubWithPublisher({ name: 'hookwatch-hub' });
    for (let n = 0; n < 5; n++) hub.ingest(n);
    hub.accountChange('+15555550100', 'suspended', 1_760_000_000_000);
    publisher.notify();
    await eventually('published', () => publisher.status().backlog === 0);

    const nc = await connect({ servers: nats.url });
    bed.defer(() => nc.close());
    // One message that is not ours, with headers MsgHdrs must split the same way: repeated names, spaces, colons in values.
    const odd = natsHeaders();
    odd.append('X-Repeated', 'first');
    odd.append('X-Repeated', 'second');
    odd.set('X-Spaces', '  padded value  ');
    odd.set('X-Colons', 'a: b: c');
    odd.set(HDR.kind, 'event');
    odd.set(HDR.record, JSON.stringify({ v: 1, event: { type: 'x', text: 'Grüße 👋' } }));
    await jetstream(nc).publish('hookwatch.acme.event.other', new TextEncoder().encode('{}'), { headers: odd, msgID: 'odd-1' });

    const jsm = await jetstreamManager(nc);
    await jsm.consumers.add(STREAM_NAME, {
      durable_name: 'decode-test',
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
    });
    const consumer = await jetstream(nc).consumers.get(STREAM_NAME, 'decode-test');
    const batch = await consumer.fetch({ max_messages: 7, expires: 5000 });
    const msgs: JsMsg[] = [];
    for await (const m of batch) {
      msgs.push(m);
      if (msgs.length === 7) break;
    }
    expect(msgs).toHaveLength(7);

    for (const m of msgs) {
      const own = headersOf(m)!;
      // The raw block was reachable (not the client's MsgHdrs object): the fast path is the one tested here.
      expect(own).not.toBe(m.headers);
      for (const key of [...m.headers!.keys(), 'Not-There']) expect(own.get(key)).toBe(m.headers!.get(key));
      // Decoding through the client's own headers gives the same record.
      const viaClient = { subject: m.subject, seq: m.seq, headers: m.headers, data: m.data };
      expect(decodeHubMessage(m)).toEqual(decodeHubMessage(viaClient));
    }
    const oddMsg = msgs.find((m) => m.headers!.get('Nats-Msg-Id') === 'odd-1')!;
    expect(headersOf(oddMsg)!.get('X-Repeated')).toBe('first');
    expect(headersOf(oddMsg)!.get('X-Spaces')).toBe('padded value');
    expect(headersOf(oddMsg)!.get('X-Colons')).toBe('a: b: c');
    const kinds = msgs.map((m) => decodeHubMessage(m).kind);
    expect(kinds).toEqual(['event', 'event', 'event', 'event', 'event', 'account', 'event']);
  });
});
