/** `hookwatch register`: registers the webhooks with TimelinesAI once, or prints WhatsAble's steps. */
import { databasePath } from '../paths.js';
import { TimelinesApiClient } from '../providers/timelines/api.js';
import { TimelinesApiError } from '../providers/timelines/errors.js';
import { parseEventTypeList } from '../providers/timelines/event-types.js';
import { describeSyncReport, type TimelinesSyncReport } from '../providers/timelines/sync.js';
import { EnvTokenSource, TIMELINES_TOKEN_ENV } from '../providers/timelines/token-source.js';
import { RegistrationInputError } from '../providers/webhook-url.js';
import { whatsableSetupInstructions, whatsableWebhookUrl } from '../providers/whatsable/setup.js';
import { registerOnce } from '../registration-queue.js';
import { HookwatchStore } from '../store/store.js';
import { dataDirOf, parse, UsageError, type CliIo } from './args.js';

/** The TimelinesAI client as the CLI configures it: token from the environment, base URL overridable (tests, proxies). */
export function timelinesClientFromEnv(io: CliIo, verbose: boolean): TimelinesApiClient {
  return new TimelinesApiClient({
    tokenSource: new EnvTokenSource(io.env),
    ...(io.env.HOOKWATCH_TIMELINES_API_URL ? { baseUrl: io.env.HOOKWATCH_TIMELINES_API_URL } : {}),
    ...(verbose ? { log: (line: string) => io.err(`hookwatch: ${line}\n`) } : {}),
  });
}

export async function register(args: string[], io: CliIo): Promise<number> {
  const v = parse('register', args, {
    'dry-run': { type: 'boolean', help: 'show what would change, change nothing' },
    events: { type: 'string', arg: 'LIST', help: 'event types or groups, comma-separated' },
    'public-url': { type: 'string', arg: 'URL', help: 'the public base URL to register' },
    verbose: { type: 'boolean', short: 'v', help: 'say what is asked of the API' },
  });
  let eventTypes: string[] | undefined;
  try {
    eventTypes = v.events !== undefined ? parseEventTypeList(v.events) : undefined;
  } catch (err) {
    if (err instanceof RegistrationInputError) throw new UsageError(`--events: ${err.message}`);
    throw err;
  }
  const store = HookwatchStore.open(databasePath(dataDirOf(v, io.env)), { mustExist: true });
  try {
    const publicUrl = v['public-url'] ?? store.lastPublicUrl();
    if (!publicUrl) {
      throw new UsageError('no public URL yet: run `hookwatch serve` (it prints public: <url>) or pass --public-url URL');
    }
    const secret = store.webhookSecret();
    if (!(await new EnvTokenSource(io.env).getToken())) {
      io.err(`hookwatch: no TimelinesAI token: set ${TIMELINES_TOKEN_ENV} (TimelinesAI > Integrations > Public API) and run again\n`);
      const wa = whatsableSetupInstructions(whatsableWebhookUrl(publicUrl, secret, true));
      io.out(`${wa.title}\n${wa.steps.map((s, i) => `  ${i + 1}. ${s}`).join('\n')}\n`);
      return 1;
    }
    const client = timelinesClientFromEnv(io, v.verbose === true);
    let report: TimelinesSyncReport;
    try {
      // The same sync as the running app's (health kept unless a dry run), just once.
      report = await registerOnce(client, store, {
        publicUrl,
        eventTypes,
        dryRun: v['dry-run'] === true,
        allowLocalUrl: io.env.HOOKWATCH_ALLOW_LOCAL_URL === '1',
      });
    } catch (err) {
      if (err instanceof RegistrationInputError) throw new UsageError(err.message);
      if (err instanceof TimelinesApiError) throw new Error(err.message);
      throw err;
    }
    for (const line of describeSyncReport(report)) io.out(`${line}\n`);
    return report.dryRun || report.ok ? 0 : 1;
  } finally {
    store.close();
  }
}
