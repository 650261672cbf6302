/**
 * Issue 11, Assignments: Setup pre-fills "only mine" with the token's own e-mail from GET /workspace/teammates/me,
 * asked of the spec-validating TimelinesAI stand-in (test/support/timelines-standin.ts), and the answer then
 * decides which assignments raise an alert (a real core: SQLite file, receiver on 127.0.0.1).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHookwatchService } from '../../main/core/api/create.js';
import type { HookwatchService } from '../../main/core/api/service.js';
import { HookwatchCore } from '../../main/core/core.js';
import { EnvTokenSource, RuntimeTokenSource } from '../../main/core/providers/timelines/token-source.js';
import { fixturePayloads, postJson, tempDir } from '../support/harness.js';
import { TimelinesStandIn } from '../support/timelines-standin.js';

const TOKEN = 'tok_teammate_1234567890';
let api: TimelinesStandIn;
let core: HookwatchCore;
let service: HookwatchService;
let tokens: RuntimeTokenSource;
let tmp: ReturnType<typeof tempDir>;

beforeAll(async () => {
  api = await TimelinesStandIn.start({ token: TOKEN });
  tmp = tempDir();
  tokens = new RuntimeTokenSource(new EnvTokenSource({}));
  core = await HookwatchCore.start({
    dataDir: tmp.dir,
    port: 0,
    log: () => {},
    timelines: { tokenSource: tokens, baseUrl: api.baseUrl, accountCheckIntervalMs: 3_600_000 },
  });
  service = createHookwatchService(core);
});
afterAll(async () => {
  service?.close();
  await core?.stop();
  tmp?.cleanup();
  expect(api.violations).toEqual([]);
  expect(api.responseViolations).toEqual([]);
  await api.close();
});

const teammateCalls = () => api.requests.filter((r) => r.method === 'GET' && r.path.endsWith('/workspace/teammates/me'));

/** The sample assignment, assigned to `email` (a new chat each time, so it is a new event). */
function assignedTo(email: string, chatId: number) {
  const body = JSON.parse(fixturePayloads().find((p) => p.name === 'tl_chat_assigned.json')!.body);
  body.chat.id = chatId;
  body.chat.responsible_email = email;
  return body;
}

describe('whose assignments to announce (Setup), with the e-mail from TimelinesAI', () => {
  it('without a token: not available, saying to set one first, and TimelinesAI is not asked', async () => {
    expect(await service.api.getTeammateEmail()).toEqual({
      available: false,
      reason: 'set a TimelinesAI token first (Setup): the e-mail comes from its teammate',
    });
    expect(teammateCalls()).toHaveLength(0);
  });

  it('until answered, every assignment is announced', async () => {
    const n = (await service.api.getSettings()).notifications;
    expect(n).toMatchObject({ available: true, settings: { assignmentAlerts: 'all', assignmentsAnswered: false } });
    expect((await postJson(core.receiver.localUrl, assignedTo('someone.else@example.com', 910001))).status).toBe(200);
    expect(core.store.listAlerts({ limit: 10 }).filter((a) => a.kind === 'chat-assigned')).toHaveLength(1);
  });

  it('with a working token: the token’s own e-mail, from GET /workspace/teammates/me', async () => {
    tokens.set(TOKEN);
    api.teammateEmail = 'dana.agent@example.com';
    expect(await service.api.getTeammateEmail()).toEqual({ available: true, email: 'dana.agent@example.com' });
    expect(teammateCalls().at(-1)).toMatchObject({ status: 200 });
  });

  it('"only mine" with that e-mail: an assignment to me is announced, one to a colleague is not', async () => {
    const email = (await service.api.getTeammateEmail()) as { email: string };
    const saved = await service.api.updateSettings({ notifications: { assignmentAlerts: 'mine', myEmail: email.email } });
    expect(saved.notifications).toMatchObject({
      available: true,
      settings: { assignmentAlerts: 'mine', assignmentsAnswered: true, myEmail: 'dana.agent@example.com' },
    });
    const before = core.store.listAlerts({ limit: 50 }).filter((a) => a.kind === 'chat-assigned').length;
    expect((await postJson(core.receiver.localUrl, assignedTo('someone.else@example.com', 910002))).status).toBe(200);
    expect((await postJson(core.receiver.localUrl, assignedTo('Dana.Agent@example.com', 910003))).status).toBe(200);
    const raised = core.store.listAlerts({ limit: 50 }).filter((a) => a.kind === 'chat-assigned');
    expect(raised).toHaveLength(before + 1);
    expect(raised[0]!.chatId).toBe('910003');
  });

  it('a token TimelinesAI refuses (401): not available, with the reason, and the token is in no answer', async () => {
    tokens.set('tok_wrong_0987654321');
    const r = await service.api.getTeammateEmail();
    expect(r.available).toBe(false);
    expect((r as { reason: string }).reason).toMatch(/^could not ask TimelinesAI for your e-mail: the TimelinesAI token was refused: /);
    expect(teammateCalls().at(-1)).toMatchObject({ status: 401 });
    expect(JSON.stringify(r)).not.toContain('tok_wrong_0987654321');
    tokens.set(TOKEN);
  });
});
