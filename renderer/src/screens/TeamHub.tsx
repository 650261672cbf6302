// Settings → Team hub: publish to a hub or follow one (applied at once), and the destinations the hub forwards events to.
import { useEffect, useState } from 'react';
import type { HubHealth, TeamHubSettings, TeamHubView } from '../contract.js';
import { ErrorNote } from '../components/common.js';
import { Field } from '../components/Field.js';
import { SaveButton, SaveStatus, useDraft, useSave, type SaveNote } from '../components/Save.js';
import { useAsync, useClient } from '../hooks.js';

type FieldKey = 'url' | 'credsFile' | 'caFile' | 'certFile' | 'keyFile' | 'name' | 'workspace' | 'types';
/** A save's note; a refusal about one field (`on`) is shown under that field instead. */
type Note = SaveNote & { on?: FieldKey };

/** The words the core's refusals use for each field (main/core/hub/settings.ts); the first one named is the field at fault. */
const FIELD_WORDS: ReadonlyArray<readonly [FieldKey, RegExp]> = [
  ['url', /\bhub URL\b|destination URL|is not a URL|an http:\/\/ or https:\/\/ URL/],
  ['credsFile', /\bcredentials file\b/],
  ['caFile', /\bCA file\b/],
  ['certFile', /\bclient certificate\b/],
  ['keyFile', /\bclient key\b/],
  ['name', /\binstall's name\b/],
  ['workspace', /\bworkspace name\b/],
  ['types', /\bis not an event type\b|\btypes\b/],
];

/** A refusal as a note (its message is the reason alone), attached to the first field it names among `fields`. */
function refusal(err: unknown, fields: readonly FieldKey[]): Note {
  const text = (err as Error).message;
  let on: FieldKey | undefined;
  let at = Infinity;
  for (const [key, words] of FIELD_WORDS) {
    const i = fields.includes(key) ? text.search(words) : -1;
    if (i >= 0 && i < at) [on, at] = [key, i];
  }
  return { ok: false, text, ...(on ? { on } : {}) };
}

/** The note under the form, unless it is shown under one of the `fields` on the page now. */
function NoteLine({ note, fields }: { note: Note | null; fields: readonly FieldKey[] }) {
  return <SaveStatus note={note?.on && fields.includes(note.on) ? null : note} />;
}

/** One line on what runs now: the publisher's backlog or how far the follower is behind. */
function describeStatus(s: HubHealth): string {
  if (s.role === 'hub') {
    const waiting = s.backlog === null ? '' : s.backlog === 0 ? ', everything published' : `, ${s.backlog} waiting to publish`;
    return `Publishing to ${s.hub}: ${s.state}${waiting}.`;
  }
  const behind = s.backlog === null ? '' : s.backlog === 0 ? ', up to date' : `, ${s.backlog} behind`;
  return `Following ${s.hub}: ${s.state}${behind}.`;
}

function HubForm({ view, onSaved }: { view: TeamHubView; onSaved: (v: TeamHubView) => void }) {
  const client = useClient();
  // The panel refreshes the status every few seconds: only a saved change (other content) resets what is being typed.
  const [s, setS] = useDraft<TeamHubSettings>(view.settings);
  const shown: FieldKey[] =
    s.mode === 'off' ? [] : ['url', 'credsFile', 'caFile', 'certFile', 'keyFile', s.mode === 'follow' ? 'name' : 'workspace'];
  const { busy, note, submit } = useSave<Note>((err) => refusal(err, shown));
  const save = submit(async () => {
    const next = await client.api.setTeamHub(s);
    onSaved(next);
    const what =
      next.settings.mode === 'off' ? 'neither publishing nor following' : next.settings.mode === 'publish' ? 'publishing' : 'following';
    return next.fixedByCommandLine
      ? `Saved (${what}). This run's hub was set on the command line: the change applies at the next start without --hub or follow.`
      : `Saved: ${what} from now on.`;
  });
  const needsHub = s.mode !== 'off';
  const errorOn = (key: FieldKey) => (note?.on === key && shown.includes(key) ? note.text : null);
  return (
    <form onSubmit={save} aria-label="Team hub settings">
      <fieldset className="plain">
        <legend>This install</legend>
        {(
          [
            ['off', 'works alone'],
            ['publish', 'is the hub: publishes every event it receives'],
            ['follow', 'follows a hub: gets every event from it, no tunnel or token needed'],
          ] as const
        ).map(([mode, text]) => (
          <label key={mode} className="choice">
            <input type="radio" name="hub-mode" value={mode} checked={s.mode === mode} onChange={() => setS({ ...s, mode })} /> {text}
          </label>
        ))}
      </fieldset>
      {needsHub ? (
        <>
          <Field
            label="Hub URL"
            hint="The NATS server (JetStream). Several servers of a cluster: separated by commas. Use tls:// off your own network."
            error={errorOn('url')}
          >
            {(control) => (
              <input
                {...control}
                type="text"
                className="wide"
                required
                value={s.url}
                placeholder="tls://hub.example.com:4222"
                onChange={(e) => setS({ ...s, url: e.target.value })}
                data-testid="hub-url"
              />
            )}
          </Field>
          <Field
            label="Credentials file"
            hint="A .creds file, an nkey seed file or one line user:password, readable by you only. Hookwatch reads it; it never shows or logs what is in it."
            error={errorOn('credsFile')}
          >
            {(control) => (
              <input
                {...control}
                type="text"
                className="wide"
                value={s.credsFile ?? ''}
                placeholder="/home/you/.config/hookwatch/hub.creds"
                onChange={(e) => setS({ ...s, credsFile: e.target.value || null })}
                data-testid="hub-creds"
              />
            )}
          </Field>
          <fieldset className="plain">
            <legend>TLS files (optional)</legend>
            <p className="muted">
              PEM files on this computer. Without a CA file the hub&apos;s certificate is checked against the system&apos;s CAs; a client
              certificate and its key are for a hub that asks for one (mutual TLS).
            </p>
            {(
              [
                ['caFile', 'CA file', '/home/you/.config/hookwatch/ca.pem', 'The CA that signed the hub’s certificate (a private CA).'],
                [
                  'certFile',
                  'Client certificate',
                  '/home/you/.config/hookwatch/client.pem',
                  'This install’s certificate, with its key below.',
                ],
                [
                  'keyFile',
                  'Client key',
                  '/home/you/.config/hookwatch/client.key',
                  'Unencrypted, readable by you only; never shown or logged.',
                ],
              ] as const
            ).map(([key, label, placeholder, hint]) => (
              <Field key={key} label={label} hint={hint} error={errorOn(key)}>
                {(control) => (
                  <input
                    {...control}
                    type="text"
                    className="wide"
                    value={s[key] ?? ''}
                    placeholder={placeholder}
                    onChange={(e) => setS({ ...s, [key]: e.target.value || null })}
                    data-testid={`hub-${key === 'caFile' ? 'ca' : key === 'certFile' ? 'cert' : 'key'}`}
                  />
                )}
              </Field>
            ))}
          </fieldset>
        </>
      ) : null}
      {s.mode === 'follow' ? (
        <Field
          label="This install's name"
          hint="Its place in the hub's stream is kept under this name: keep it; a new name starts from the oldest event."
          error={errorOn('name')}
        >
          {(control) => (
            <input
              {...control}
              type="text"
              required
              value={s.name}
              placeholder="dana-laptop"
              onChange={(e) => setS({ ...s, name: e.target.value })}
              data-testid="hub-name"
            />
          )}
        </Field>
      ) : null}
      {s.mode === 'publish' ? (
        <Field
          label="Workspace"
          hint="The first part of the subjects (hookwatch.<workspace>.…): one per TimelinesAI workspace."
          error={errorOn('workspace')}
        >
          {(control) => (
            <input
              {...control}
              type="text"
              value={s.workspace}
              placeholder="default"
              onChange={(e) => setS({ ...s, workspace: e.target.value })}
              data-testid="hub-workspace"
            />
          )}
        </Field>
      ) : null}
      <SaveButton busy={busy}>Save team hub</SaveButton>
      <NoteLine note={note} fields={shown} />
    </form>
  );
}

function Destinations({ view, onChanged }: { view: TeamHubView; onChanged: (v: TeamHubView) => void }) {
  const client = useClient();
  const [url, setUrl] = useState('');
  const [types, setTypes] = useState('');
  // One note for adding and removing: a refusal to add names its field; a refused removal names none.
  const { busy, note, submit, run } = useSave<Note>((err) => refusal(err, ['url', 'types']));
  const add = submit(async () => {
    const list = types
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean);
    onChanged(await client.api.addForwardDestination({ url, types: list }));
    setUrl('');
    setTypes('');
    return view.status?.role === 'hub'
      ? 'Added: forwarding starts within seconds.'
      : 'Added. Events are forwarded while this install is the hub.';
  });
  const remove = (id: number) =>
    run(
      async () => {
        onChanged(await client.api.removeForwardDestination(id));
        return `Destination ${id} removed.`;
      },
      (err) => refusal(err, []),
    );
  return (
    <div>
      <h3>Forwarding</h3>
      <p className="muted">
        The hub sends each event's raw body, byte for byte, to these URLs (n8n, Make, Zapier), each with its own queue and retries for 24
        hours. Deliveries are listed in Webhook health.
      </p>
      {view.destinations.length === 0 ? (
        <p data-testid="no-destinations">No destinations yet.</p>
      ) : (
        <div className="table-wrap">
          <table className="health" data-testid="destinations">
            <thead>
              <tr>
                <th scope="col">ID</th>
                <th scope="col">URL</th>
                <th scope="col">Event types</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {view.destinations.map((d) => (
                <tr key={d.id}>
                  <td>{d.id}</td>
                  <td className="mono">{d.url}</td>
                  <td>{d.types.length ? d.types.join(', ') : 'all events'}</td>
                  <td>
                    <button
                      type="button"
                      className="button button-quiet"
                      disabled={busy}
                      onClick={() => void remove(d.id)}
                      aria-label={`Remove destination ${d.id}`}
                    >
                      Remove
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <form onSubmit={add} aria-label="Add a forwarding destination">
        <Field label="Destination URL" error={note?.on === 'url' ? note.text : null}>
          {(control) => (
            <input
              {...control}
              type="url"
              className="wide"
              required
              value={url}
              placeholder="https://n8n.example.com/webhook/…"
              onChange={(e) => setUrl(e.target.value)}
              data-testid="destination-url"
            />
          )}
        </Field>
        <Field
          label="Event types"
          hint="Comma separated; a group ends in :* (message:received:new, whatsapp:account:*). Empty: all events."
          error={note?.on === 'types' ? note.text : null}
        >
          {(control) => (
            <input
              {...control}
              type="text"
              className="wide"
              value={types}
              placeholder="all events"
              onChange={(e) => setTypes(e.target.value)}
              data-testid="destination-types"
            />
          )}
        </Field>
        <SaveButton busy={busy} primary={false}>
          Add destination
        </SaveButton>
      </form>
      <NoteLine note={note} fields={['url', 'types']} />
    </div>
  );
}

export function TeamHubSettingsPanel() {
  const client = useClient();
  const loaded = useAsync<TeamHubView>(() => client.api.getTeamHub(), [client]);
  const [view, setView] = useState<TeamHubView | null>(null);
  useEffect(() => {
    if (loaded.data) setView(loaded.data);
  }, [loaded.data]);
  // What runs changes by itself (connecting → following, the backlog): refreshed while the panel is open.
  useEffect(() => {
    const timer = setInterval(() => {
      client.api.getTeamHub().then(setView, () => {});
    }, 2000);
    return () => clearInterval(timer);
  }, [client]);
  return (
    // Busy until the first answer (not during the refresh): screens and tests wait for no [aria-busy="true"] in main.
    <section className="panel" aria-labelledby="team-hub-heading" aria-busy={!view && !loaded.error} data-testid="team-hub">
      <h2 id="team-hub-heading">Team hub</h2>
      <p className="muted">
        One install receives the webhooks and publishes them to a NATS JetStream server; teammates follow it and keep their own history and
        alerts, with their own notification choices.
      </p>
      {loaded.error ? <ErrorNote message={loaded.error} /> : null}
      {view ? (
        <>
          {view.status ? (
            <p role="status" data-testid="hub-status">
              {describeStatus(view.status)}
            </p>
          ) : null}
          {view.status?.lastError ? <ErrorNote message={view.status.lastError} /> : null}
          <HubForm view={view} onSaved={setView} />
          <Destinations view={view} onChanged={setView} />
        </>
      ) : null}
    </section>
  );
}
