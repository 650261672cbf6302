// `npm run bench -- hub`: the team hub against real nats-server processes: ingest with publishing, follower catch-up, hub→follower latency, a 3-node cluster losing a node.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setImmediate as yieldNow } from 'node:timers/promises';
import { blankEvent } from '../main/core/events.js';
import { HubLink } from '../main/core/hub/connection.js';
import { eventMsgId, type HubRecord } from '../main/core/hub/encoding.js';
import { HubFollower } from '../main/core/hub/follower.js';
import { followerStoreSink } from '../main/core/hub/ingest.js';
import { HubPublisher, storeOutbox } from '../main/core/hub/publisher.js';
import { PublisherThread, type Publisher } from '../main/core/hub/publisher-thread.js';
import { WalCheckpointer } from '../main/core/store/checkpointer.js';
import { HookwatchStore, outboxKey, type DeliveryRecord } from '../main/core/store/store.js';
import { cpuMicrosOf, messagePayload, percentile, procCpuMicros, procStatFields, round } from './common.js';

const NATS_SERVER = process.env.HOOKWATCH_NATS_SERVER ?? '/usr/sbin/nats-server';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

/** A nats-server on 127.0.0.1 with JetStream in a temp folder; stopped by its pid. */
async function startNats(args: string[], port: number): Promise<ChildProcess> {
  const child = spawn(NATS_SERVER, ['-a', '127.0.0.1', '-p', String(port), '-js', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`nats-server did not start: ${log}`)), 20_000);
    child.stderr!.on('data', (d) => {
      log += d;
      if (/Server is ready/.test(log)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`nats-server exited ${code}: ${log}`)));
  });
  child.stderr!.resume();
  return child;
}

async function kill(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  process.kill(child.pid!, signal);
  await exited;
}

async function until(what: string, check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** CPU time of this process's main thread (the receiver's thread), in µs: Linux /proc, null elsewhere. */
function mainThreadCpuMicros(): number | null {
  return procCpuMicros(`/proc/${process.pid}/task/${process.pid}/stat`);
}

/** CPU time of a whole process (every thread), in µs: Linux /proc, null elsewhere. */
function processCpuMicros(pid: number): number | null {
  return procCpuMicros(`/proc/${pid}/stat`);
}

/**
 * CPU time of this process's threads that run below its priority, in µs: the publisher's thread (it sets
 * nice 10 on itself, see publisher-worker.ts), told apart this way from the V8 and libuv helper threads
 * that serve the receiver's thread. Linux /proc; null elsewhere.
 */
function niceThreadsCpuMicros(pid: number): number | null {
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return null;
  }
  let sum = 0;
  for (const tid of tids) {
    const fields = procStatFields(`/proc/${pid}/task/${tid}/stat`); // null: a thread that ended meanwhile
    if (fields !== null && Number(fields[16]) > 0) sum += cpuMicrosOf(fields);
  }
  return sum;
}

function hubStore(dir: string, name: string, durability: 'full' | 'normal') {
  const store = HookwatchStore.open(join(dir, `${name}.sqlite`), { durability });
  return store;
}

function delivery(body: Buffer, at: number): DeliveryRecord {
  return {
    receivedAt: at,
    method: 'POST',
    path: '/hooks/{secret}',
    forcedProvider: null,
    remoteAddr: '127.0.0.1',
    status: 200,
    reason: null,
    latencyMs: 1,
    size: body.length,
    contentType: 'application/json',
    headers: { 'content-type': 'application/json' },
    body,
    bodyTruncated: false,
  };
}

let seq = 0;
/** The receiver's transaction: a delivery, its event and (with publishing) its outbox row. */
function ingestOne(store: HookwatchStore, publish: boolean, type = 'message:received:new', workspace = 'bench'): string {
  const n = seq++;
  const uid = `bench-${process.pid}-${n}`;
  const body = Buffer.from(messagePayload(uid, n));
  const e = {
    ...blankEvent('timelines', 'timelines.v2', type, `m:${uid}`),
    messageUid: uid,
    text: `message ${n}`,
    accountPhone: '+15555550100',
  };
  return store.transaction(() => {
    const at = Date.now();
    const r = store.ingest(delivery(body, at), [e]);
    const msgId = eventMsgId(workspace, e, r.events[0]!.id);
    if (publish)
      store.hub.enqueue([{ kind: 'event', eventId: r.events[0]!.id, type, msgId: outboxKey.event(e, r.events[0]!.id), createdAt: at }]);
    return msgId;
  });
}

/** The real follower's sink (what `hookwatch follow` runs), with a look at each record once it is committed. */
function followerSink(store: HookwatchStore, onEvent?: (r: HubRecord) => void) {
  const inner = followerStoreSink(store, 'bench');
  return {
    get duplicates() {
      return inner.duplicates;
    },
    get batches() {
      return inner.batches;
    },
    apply(records: HubRecord[]) {
      inner.apply(records);
      if (onEvent) for (const r of records) onEvent(r);
    },
  };
}

export async function benchHub(options: { log?: (line: string) => void } = {}) {
  const log = options.log ?? (() => {});
  if (!existsSync(NATS_SERVER))
    return { skipped: `no nats-server at ${NATS_SERVER}`, summary: [`| hub | skipped: no nats-server at ${NATS_SERVER} | | |`] };
  const dir = mkdtempSync(join(tmpdir(), 'hookwatch-bench-hub-'));
  const children: ChildProcess[] = [];
  try {
    const port = await freePort();
    const nats = await startNats(['-sd', join(dir, 'nats')], port);
    children.push(nats);
    const url = `nats://127.0.0.1:${port}`;

    // HOOKWATCH_BENCH_HUB_PARTS=catchup (comma list of ingest, catchup, cluster) runs only those parts: on a
    // shared machine, one part measured twice says more than everything once.
    const parts = new Set((process.env.HOOKWATCH_BENCH_HUB_PARTS ?? 'ingest,catchup,cluster').split(',').map((p) => p.trim()));

    // 1. Ingest with publishing ÷ ingest alone (engine level: the receiver's transaction, synchronous=FULL,
    //    one event per transaction, the publisher as `serve --hub` runs it: on its own thread, see
    //    publisher-thread.ts). Interleaved rounds. Beside the rates, the receiver's thread's CPU per event:
    //    on a shared machine the rates follow the load, the CPU the thread spends per event much less.
    //    A first measure warms the process up and is not counted (the first one ran slower, as V8 had not yet
    //    compiled the ingest path), and the rounds alternate which side goes first: what one measure leaves
    //    behind (the kernel writing out a closed store's pages) falls on each side alike.
    const ROUNDS = 5;
    log(`hub: ingest alone vs ingest + outbox + publisher, ${ROUNDS} interleaved rounds…`);
    const ratios: number[] = [];
    const rates = { alone: [] as number[], publishing: [] as number[] };
    const mainCpuUs = { alone: [] as number[], publishing: [] as number[] };
    // The publishing side's CPU per event, from the first event until the outbox is drained: this
    // process's other threads (the publisher's) and nats-server. Counted to the drain, not to the last
    // commit, so work put off until after the burst is counted too. It competes with the receiver's
    // thread for the machine's cores, which is what the rate ratio pays for.
    const publisherCpuUs: number[] = [];
    // Of that, the publisher's own thread (the one at a lower priority); the rest is this process's helper
    // threads (V8's garbage collector and compiler, libuv), which serve the receiver's thread too.
    const publisherThreadCpuUs: number[] = [];
    const natsCpuUs: number[] = [];
    const perRound = Number(process.env.HOOKWATCH_BENCH_HUB_INGEST ?? 3000);
    const ingestLoad = loadavg()[0]!;
    for (let round_ = -1; round_ < (parts.has('ingest') ? ROUNDS : 0); round_++) {
      const measure = async (publish: boolean) => {
        const store = hubStore(dir, `ingest-${round_}-${publish}`, 'full');
        const link = publish ? new HubLink({ url, name: 'bench-hub' }) : null;
        // HOOKWATCH_BENCH_HUB_PUBLISHER=inline: the publisher on the receiver's thread, to compare.
        const pub: Publisher | null = !link
          ? null
          : process.env.HOOKWATCH_BENCH_HUB_PUBLISHER === 'inline'
            ? new HubPublisher({ link, outbox: storeOutbox(store, 'bench') })
            : PublisherThread.create({ store, link: { url, name: 'bench-hub-publisher' }, sharedLink: link, workspace: 'bench' });
        pub?.start();
        if (link) await link.connection();
        if (pub) await until('publisher up', () => pub.status().state === 'up', 60_000);
        const t0 = performance.now();
        const cpu0 = mainThreadCpuMicros();
        const all0 = processCpuMicros(process.pid);
        const nats0 = processCpuMicros(nats.pid!);
        const own0 = niceThreadsCpuMicros(process.pid);
        for (let i = 0; i < perRound; i++) {
          ingestOne(store, publish);
          pub?.notify();
          if (i % 20 === 19) await yieldNow();
        }
        const perSecond = perRound / ((performance.now() - t0) / 1000);
        const cpu1 = mainThreadCpuMicros();
        if (pub) await until('publisher drained', () => pub.status().backlog === 0, 60_000);
        const cpuDrained = mainThreadCpuMicros();
        const all1 = processCpuMicros(process.pid);
        const nats1 = processCpuMicros(nats.pid!);
        const own1 = niceThreadsCpuMicros(process.pid);
        await pub?.stop();
        await link?.close();
        store.close();
        const others =
          cpu0 === null || cpuDrained === null || all0 === null || all1 === null ? NaN : (all1 - all0 - (cpuDrained - cpu0)) / perRound;
        const natsUs = nats0 === null || nats1 === null ? NaN : (nats1 - nats0) / perRound;
        const ownUs = own0 === null || own1 === null ? NaN : (own1 - own0) / perRound;
        return { perSecond, cpuUs: cpu0 === null || cpu1 === null ? NaN : (cpu1 - cpu0) / perRound, others, ownUs, natsUs };
      };
      if (round_ < 0) {
        await measure(false); // the warm-up
        continue;
      }
      const publishingFirst = round_ % 2 === 1;
      const first = await measure(publishingFirst);
      const second = await measure(!publishingFirst);
      const [alone, publishing] = publishingFirst ? [second, first] : [first, second];
      rates.alone.push(round(alone.perSecond, 0));
      rates.publishing.push(round(publishing.perSecond, 0));
      mainCpuUs.alone.push(round(alone.cpuUs, 0));
      mainCpuUs.publishing.push(round(publishing.cpuUs, 0));
      publisherCpuUs.push(round(publishing.others, 0));
      publisherThreadCpuUs.push(round(publishing.ownUs, 0));
      natsCpuUs.push(round(publishing.natsUs, 0));
      ratios.push(round(publishing.perSecond / alone.perSecond, 3));
    }
    const ratio = [...ratios].sort((a, b) => a - b)[Math.floor(ratios.length / 2)] ?? NaN;

    // 2. Follower catching up 100,000 events stored in the stream while it was away.
    const total = Number(process.env.HOOKWATCH_BENCH_HUB_EVENTS ?? 100_000);
    log(`hub: seeding ${total} events and publishing them…`);
    const hub = hubStore(dir, 'hub', 'normal');
    for (let i = 0; i < total; i += 1000)
      hub.transaction(() => {
        for (let j = i; j < Math.min(total, i + 1000); j++) ingestOne(hub, true, 'message:received:new', 'catchup');
      });
    const hubLink = new HubLink({ url, name: 'bench-hub' });
    const publisher = new HubPublisher({ link: hubLink, outbox: storeOutbox(hub, 'catchup'), window: 512 });
    await hubLink.connection();
    const tp = performance.now();
    publisher.start();
    await until('all published', () => publisher.status().backlog === 0, 300_000);
    const publishPerSecond = total / ((performance.now() - tp) / 1000);
    log('hub: follower catching up…');
    const local = HookwatchStore.open(join(dir, 'follower.sqlite'), { durability: 'full' });
    // As `hookwatch follow` runs it: a durable database checkpoints on its own thread (core.ts,
    // checkpointsOnThread). That thread's CPU is this process's too, so it stays in the CPU per event.
    const checkpoints = process.env.HOOKWATCH_CHECKPOINTS === 'inline' ? null : WalCheckpointer.start(local);
    const inner = followerSink(local);
    // Time inside the local transactions, to tell the store's share of catch-up from the broker's.
    let sinkMs = 0;
    const sink = {
      get duplicates() {
        return inner.duplicates;
      },
      get batches() {
        return inner.batches;
      },
      apply(records: Parameters<typeof inner.apply>[0]) {
        const t = performance.now();
        inner.apply(records);
        sinkMs += performance.now() - t;
      },
    };
    const fLink = new HubLink({ url, name: 'bench-follower' });
    // Only this workspace: the ingest rounds above published into the same stream.
    const follower = new HubFollower({ link: fLink, name: 'bench', workspace: 'catchup', sink });
    const tf = performance.now();
    // CPU time of this process (follower: decoding, acks, SQLite) per event: on a shared, loaded machine it
    // varies far less than the wall-clock rate, so runs on different days can be compared by it.
    const cpu0 = process.cpuUsage();
    follower.start();
    await until('follower caught up', () => follower.status().applied >= total, 300_000);
    const catchUpPerSecond = total / ((performance.now() - tf) / 1000);
    const cpu = process.cpuUsage(cpu0);
    const cpuUsPerEvent = (cpu.user + cpu.system) / total;
    const stored = local.counts().events;

    // 3. Hub store → follower's sink, one event at a time (the follower is live now).
    log('hub: latency from the hub storing an account event to the follower applying it…');
    const waiting = new Map<string, number>();
    const latencies: number[] = [];
    await follower.stop();
    const follower2 = new HubFollower({
      link: fLink,
      name: 'bench',
      workspace: 'catchup',
      sink: followerSink(local, (r) => {
        const t = waiting.get(r.msgId);
        if (t !== undefined) latencies.push(performance.now() - t);
      }),
    });
    follower2.start();
    await until('follower live', () => follower2.status().state === 'following', 20_000);
    for (let i = 0; i < 300; i++) {
      const t = performance.now();
      const id = ingestOne(hub, true, 'whatsapp:account:disconnected', 'catchup');
      waiting.set(id, t);
      publisher.notify();
      await new Promise((r) => setTimeout(r, 10));
    }
    await until('all latency samples', () => latencies.length >= 300, 30_000);
    latencies.sort((a, b) => a - b);
    await follower2.stop();
    await publisher.stop();
    await fLink.close();
    await hubLink.close();
    await checkpoints?.stop();
    local.close();
    hub.close();
    await kill(nats);

    const burst = 5000;
    let killed = '';
    let lost = NaN;
    let cEvents = NaN;
    let burstSeconds = NaN;
    if (parts.has('cluster')) {
      // 4. Three-node cluster, replicas 3, one node killed -9 during a burst.
      log('hub: 3-node JetStream cluster, replicas 3, killing a node during a burst…');
      const ports = await Promise.all([0, 1, 2].map(() => freePort()));
      const routes = await Promise.all([0, 1, 2].map(() => freePort()));
      const nodes = await Promise.all(
        ports.map((p, i) =>
          startNats(
            [
              '-sd',
              join(dir, `n${i}`),
              '--server_name',
              `bench-n${i + 1}`,
              '--cluster_name',
              'bench',
              '--cluster',
              `nats://127.0.0.1:${routes[i]}`,
              '--routes',
              routes
                .filter((_, j) => j !== i)
                .map((r) => `nats://127.0.0.1:${r}`)
                .join(','),
            ],
            p,
          ),
        ),
      );
      children.push(...nodes);
      const clusterUrl = ports.map((p) => `nats://127.0.0.1:${p}`).join(',');
      const cHub = hubStore(dir, 'cluster-hub', 'normal');
      const cLink = new HubLink({ url: clusterUrl, name: 'bench-cluster-hub' });
      const cPub = new HubPublisher({
        link: cLink,
        outbox: storeOutbox(cHub, 'bench'),
        stream: { replicas: 3 },
        publishTimeoutMs: 2000,
      });
      cPub.start();
      const cLocal = HookwatchStore.open(join(dir, 'cluster-follower.sqlite'), { durability: 'normal' });
      const cFLink = new HubLink({ url: clusterUrl, name: 'bench-cluster-follower' });
      const cFollower = new HubFollower({ link: cFLink, name: 'cluster', sink: followerSink(cLocal) });
      await until('cluster stream up', () => cPub.status().state === 'up', 60_000);
      cFollower.start();
      const sent = new Set<string>();
      const tb = performance.now();
      for (let i = 0; i < burst; i++) {
        sent.add(ingestOne(cHub, true));
        cPub.notify();
        if (i === Math.floor(burst / 3)) {
          // Kill the node the hub is connected to: the worst case (its connection and a replica go at once).
          const name = (await cLink.connection())?.info?.server_name ?? 'bench-n1';
          const idx = Math.max(0, Number(name.replace('bench-n', '')) - 1);
          killed = name;
          await kill(nodes[idx]!, 'SIGKILL');
        }
        if (i % 50 === 49) await new Promise((r) => setTimeout(r, 5));
      }
      await until('cluster backlog sent', () => cPub.status().backlog === 0, 120_000).catch(() => {});
      await until('cluster follower has the burst', () => cLocal.hub.inboxIds().length >= burst, 120_000).catch(() => {});
      burstSeconds = (performance.now() - tb) / 1000;
      const inbox = new Set(cLocal.hub.inboxIds());
      lost = [...sent].filter((id) => !inbox.has(id)).length;
      cEvents = cLocal.counts().events;
      await cFollower.stop();
      await cPub.stop();
      await cFLink.close();
      await cLink.close();
      cLocal.close();
      cHub.close();
    }

    const r = {
      ingest: {
        perRound,
        rates,
        ratios,
        ratio,
        mainCpuUs,
        publisherCpuUs,
        publisherThreadCpuUs,
        natsCpuUs,
        loadAverage: round(ingestLoad, 1),
      },
      publishPerSecond: round(publishPerSecond, 0),
      catchUp: {
        events: total,
        stored,
        perSecond: round(catchUpPerSecond, 0),
        duplicatesSkipped: sink.duplicates,
        perTransaction: round(total / Math.max(1, sink.batches), 0),
        storeShare: round(sinkMs / ((total / catchUpPerSecond) * 1000), 2),
        cpuUsPerEvent: round(cpuUsPerEvent, 1),
        // The kernel's share (writing the WAL and the database file, the socket) beside our own code's.
        cpuSystemUsPerEvent: round(cpu.system / total, 1),
        loadAverage: round(loadavg()[0]!, 1),
      },
      latency: { samples: latencies.length, p50Ms: round(percentile(latencies, 50), 1), p99Ms: round(percentile(latencies, 99), 1) },
      cluster: { nodes: 3, replicas: 3, burst, killed, lost, storedAtFollower: cEvents, seconds: round(burstSeconds, 1) },
    };
    const summary = [
      `| hub: ingest with publishing ÷ ingest alone (engine: the receiver's transaction + outbox row, publisher on its own thread; ${perRound} events/round, load ${round(ingestLoad, 1)}) | ${rates.publishing.join(' / ')} vs ${rates.alone.join(' / ')} events/s (ratios ${ratios.join(', ')}); receiver's thread ${mainCpuUs.publishing.join(' / ')} vs ${mainCpuUs.alone.join(' / ')} µs CPU per event; publishing, until drained: other threads ${publisherCpuUs.join(' / ')} (the publisher's own ${publisherThreadCpuUs.join(' / ')}), nats-server ${natsCpuUs.join(' / ')} µs per event | ≥ 0.9 | ${ratio} ${ratio >= 0.9 ? '✓' : '✗'} |`,
      `| hub: publishing a backlog (outbox → JetStream) | ${r.publishPerSecond} events/s | report | |`,
      `| hub: follower catching up ${total.toLocaleString('en')} events (the follower's sink, synchronous=FULL) | ${r.catchUp.perSecond} events/s (${r.catchUp.cpuUsPerEvent} µs CPU each, ${r.catchUp.cpuSystemUsPerEvent} of it the kernel's, load ${r.catchUp.loadAverage}), ${stored} stored | ≥ 20,000/s | ${r.catchUp.perSecond >= 20_000 ? '✓' : '✗'} |`,
      `| hub: stored at hub → applied at follower (engine; add the receiver and the alert rules) | p50 ${r.latency.p50Ms} ms, p99 ${r.latency.p99Ms} ms | p99 < 250 ms | ${r.latency.p99Ms < 250 ? '✓' : '✗'} |`,
      `| hub: 3-node cluster, replicas 3, ${killed} killed -9 during a ${burst}-event burst | ${lost} lost, ${cEvents} stored at the follower | nothing lost | ${lost === 0 && cEvents === burst ? '✓' : '✗'} |`,
    ];
    return { ...r, summary };
  } finally {
    for (const c of children) await kill(c, 'SIGKILL').catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  }
}

// Run alone: `node dist/bench/hub.js` prints the JSON (npm run bench -- hub also writes bench/results.*).
if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  const r = await benchHub({ log: (l) => process.stderr.write(`${l}\n`) });
  process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
}
