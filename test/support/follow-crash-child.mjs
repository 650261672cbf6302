// A follower process for the crash test: the real follower and store sink from dist/, killed -9 right after a chosen batch's local commit, before its ack.
import { HubLink } from '../../dist/main/core/hub/connection.js';
import { HubFollower } from '../../dist/main/core/hub/follower.js';
import { followerStoreSink } from '../../dist/main/core/hub/ingest.js';
import { HookwatchStore } from '../../dist/main/core/store/store.js';

// argv: nats URL, database file, the batch after whose commit to die (0: never).
const [url, file, crashAfter] = process.argv.slice(2);
const store = HookwatchStore.open(file, { durability: 'full' });
let batches = 0;
const sink = followerStoreSink(store, url, {
  afterCommit: (committed) => {
    batches++;
    // Here the batch is committed and the follower has not acked it yet (it acks once apply returns).
    if (batches === Number(crashAfter)) {
      process.stdout.write(`${JSON.stringify({ crashing: batches, committed: committed.length })}\n`);
      process.kill(process.pid, 'SIGKILL');
    }
  },
});
const link = new HubLink({ url, name: 'hookwatch-follow-crash' });
const follower = new HubFollower({ link, name: 'crash', sink, batch: 100, ackWaitMs: 1500 });
follower.start();
const report = () => process.stdout.write(`${JSON.stringify({ ...follower.status(), duplicates: sink.duplicates })}\n`);
const timer = setInterval(report, 100);
process.on('SIGTERM', () => {
  clearInterval(timer);
  void follower
    .stop()
    .then(() => link.close())
    .then(() => {
      store.close();
      process.exit(0);
    });
});
