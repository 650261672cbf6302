// `hookwatch test`: posts one marked test event to a running receiver (its public or local webhook URL) and prints each hop.
import { sendTestEvent } from '../test-event.js';
import { parse, UsageError, type CliIo } from './args.js';
import { terminalText } from './format.js';

export async function testEventCommand(args: string[], io: CliIo): Promise<number> {
  const v = parse('test', args, {
    url: {
      type: 'string',
      arg: 'URL',
      help: 'the webhook URL serve printed: its "public:" line goes through the tunnel, its "receiver:" line straight to this computer',
    },
  });
  if (!v.url) throw new UsageError('test needs --url: the webhook URL `hookwatch serve` printed (public: or receiver:)');
  let url: URL;
  try {
    url = new URL(v.url);
  } catch {
    throw new UsageError(`--url is not a URL: '${terminalText(v.url, 100)}'`);
  }
  const local = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  const r = await sendTestEvent({ url: url.href, via: local ? 'local' : 'tunnel' });
  // The URL carries the webhook secret: print its host only.
  io.out(`test event: sent ${local ? 'straight to the local receiver' : `through ${url.host}`}\n`);
  for (const h of r.hops) io.out(`  ${h.hop} after ${h.at - r.sentAt} ms (${terminalText(h.detail, 100)})\n`);
  if (r.problem) {
    io.out(`  failed: ${terminalText(r.problem, 300)}\n`);
    return 1;
  }
  io.out(`ok: stored as event ${r.eventId} (type hookwatch:test; it raises no alert)\n`);
  return 0;
}
