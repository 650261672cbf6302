import Database from 'better-sqlite3';
import { request, Agent } from 'node:http';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnServe, tempDir } from '../support/harness.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

function post(url: URL, body: string, agent: Agent): Promise<number> {
  return new Promise((resolve) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: url.port,
        path: url.pathname,
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', () => resolve(0));
      },
    );
    req.on('error', () => resolve(0));
    req.end(body);
  });
}

describe('crash safety', () => {
  it('keeps every acknowledged event when the server is killed with SIGKILL in a burst', async () => {
    const serve = await spawnServe(['--data', tmp.dir, '--port', '0']);
    const url = new URL(serve.url);
    const agent = new Agent({ keepAlive: true, maxSockets: 16 });
    const acknowledged: string[] = [];
    const failed: string[] = [];
    let killed = false;
    let n = 0;
    const total = 3000;
    const worker = async () => {
      while (n < total) {
        const uid = `crash-${n++}`;
        const body = JSON.stringify({
          event_type: 'message:received:new',
          chat: { chat_id: 1, full_name: 'C', phone: '+15555550123', is_group: false, chat_url: 'x' },
          whatsapp_account: { full_name: 'A', email: 'a@example.com', phone: '+15555550100' },
          message: {
            text: `burst ${uid}`,
            direction: 'received',
            origin: 'WhatsApp',
            timestamp: '2025-03-02 15:20:11 +0000',
            message_uid: uid,
            sender: { full_name: 'C' },
            recipient: { full_name: 'A' },
          },
        });
        const status = await post(url, body, agent);
        (status === 200 ? acknowledged : failed).push(uid);
        // Kill mid-burst, once a good number of requests have been acknowledged.
        if (!killed && acknowledged.length >= 400) {
          killed = true;
          serve.child.kill('SIGKILL');
        }
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
    agent.destroy();
    if (serve.child.exitCode === null && serve.child.signalCode === null) await new Promise((r) => serve.child.once('exit', r));

    expect(killed).toBe(true);
    expect(acknowledged.length).toBeGreaterThanOrEqual(400);
    expect(failed.length).toBeGreaterThan(0); // the kill really landed mid-burst

    const db = new Database(join(tmp.dir, 'hookwatch.sqlite3'));
    const stored = new Set(
      (db.prepare('SELECT message_uid FROM events').all() as Array<{ message_uid: string }>).map((r) => r.message_uid),
    );
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
    const lost = acknowledged.filter((uid) => !stored.has(uid));
    expect(lost).toEqual([]);
  });
});
