// Settings → Team hub: publish to a hub or follow one (applied at once), and the destinations the hub forwards events to.
import { useEffect, useState, type FormEvent } from 'react';
import type { HubHealth, TeamHubSettings, TeamHubView } from '../contract.js';
import { ErrorNote } from '../components/common.js';
import { useAsync, useClient } from '../hooks.js';

type Note = { ok: boolean; text: string } | null;

function NoteLine({ note }: { note: Note }) {
  if (!note) return null;
  return note.ok ? (
    <p role="status" className="ok">
      {note.text}
    </p>
  ) : (
    <ErrorNote message={note.text} />
  );
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
  const [s, setS] = useState<TeamHubSettings>(view.settings);
  const [note, setNote] = useState<Note>(null);
  const [saving, setSaving] = useState(false);
  // The panel refreshes the status every few seconds: only a saved change (other content) resets what is being typed.
  const saved = JSON.stringify(view.settings);
  useEffect(() => setS(JSON.parse(saved) as TeamHubSettings), [saved]);
  const save = async (e: FormEvent) => {
    e.preventDefault();
    setSaving(true);
    try {
      const next = await client.api.setTeamHub(s);
      onSaved(next);
      const what =
        next.settings.mode === 'off' ? 'neither publishing nor following' : next.settings.mode === 'publish' ? 'publishing' : 'following';
      setNote({
        ok: true,
        text: next.fixedByCommandLine
          ? `Saved (${what}). This run's hub was set on the command line: the change applies at the next start without --hub or follow.`
          : `Saved: ${what} from now on.`,
      });
    } catch (err) {
      setNote({ ok: false, text: (err as Error).message });
    } finally {
      setSaving(false);
    }
  };
  const needsHub = s.mode !== 'off';
  return (
    <form onSubmit={(e) => void save(e)} aria-label="Team hub settings">
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
          <label className="field field-block">
            <span className="field-label">Hub URL</span>
            <input
              type="text"
              className="wide"
              required
              value={s.url}
              placeholder="tls://hub.example.com:4222"
              onChange={(e) => setS({ ...s, url: e.target.value })}
              data-testid="hub-url"
            />
            <span className="muted">
              The NATS server (JetStream). Several servers of a cluster: separated by commas. Use tls:// off your own network.
            </span>
          </label>
          <label className="field field-block">
            <span className="field-label">Credentials file</span>
            <input
              type="text"
              className="wide"
              value={s.credsFile ?? ''}
              placeholder="/home/you/.config/hookwatch/hub.creds"
              onChange={(e) => setS({ ...s, credsFile: e.target.value || null })}
              data-testid="hub-creds"
            />
            <span className="muted">
              A .creds file, an nkey seed file or one line user:password, readable by you only. Hookwatch reads it; it never shows or logs
              what is in it.
            </span>
          </label>
        </>
      ) : null}
      {s.mode === 'follow' ? (
        <label className="field field-block">
          <span className="field-label">This install's name</span>
          <input
            type="text"
            required
            value={s.name}
            placeholder="dana-laptop"
            onChange={(e) => setS({ ...s, name: e.target.value })}
            data-testid="hub-name"
          />
          <span className="muted">
            Its place in the hub's stream is kept under this name: keep it; a new name starts from the oldest event.
          </span>
        </label>
      ) : null}
      {s.mode === 'publish' ? (
        <label className="field field-block">
          <span className="field-label">Workspace</span>
          <input
            type="text"
            value={s.workspace}
            placeholder="default"
            onChange={(e) => setS({ ...s, workspace: e.target.value })}
            data-testid="hub-workspace"
          />
          <span className="muted">The first part of the subjects (hookwatch.&lt;workspace&gt;.…): one per TimelinesAI workspace.</span>
        </label>
      ) : null}
      <button type="submit" className="button button-primary" disabled={saving}>
        Save team hub
      </button>
      <NoteLine note={note} />
    </form>
  );
}

function Destinations({ view, onChanged }: { view: TeamHubView; onChanged: (v: TeamHubView) => void }) {
  const client = useClient();
  const [url, setUrl] = useState('');
  const [types, setTypes] = useState('');
  const [note, setNote] = useState<Note>(null);
  const add = async (e: FormEvent) => {
    e.preventDefault();
    try {
      const list = types
        .split(',')
        .map((t) => t.trim())
        .filter(Boolean);
      onChanged(await client.api.addForwardDestination({ url, types: list }));
      setUrl('');
      setTypes('');
      setNote({
        ok: true,
        text:
          view.status?.role === 'hub'
            ? 'Added: forwarding starts within seconds.'
            : 'Added. Events are forwarded while this install is the hub.',
      });
    } catch (err) {
      setNote({ ok: false, text: (err as Error).message });
    }
  };
  const remove = async (id: number) => {
    try {
      onChanged(await client.api.removeForwardDestination(id));
      setNote({ ok: true, text: `Destination ${id} removed.` });
    } catch (err) {
      setNote({ ok: false, text: (err as Error).message });
    }
  };
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
      <form onSubmit={(e) => void add(e)} aria-label="Add a forwarding destination">
        <label className="field field-block">
          <span className="field-label">Destination URL</span>
          <input
            type="url"
            className="wide"
            required
            value={url}
            placeholder="https://n8n.example.com/webhook/…"
            onChange={(e) => setUrl(e.target.value)}
            data-testid="destination-url"
          />
        </label>
        <label className="field field-block">
          <span className="field-label">Event types</span>
          <input
            type="text"
            className="wide"
            value={types}
            placeholder="all events"
            onChange={(e) => setTypes(e.target.value)}
            data-testid="destination-types"
          />
          <span className="muted">Comma separated; a group ends in :* (message:received:new, whatsapp:account:*). Empty: all events.</span>
        </label>
        <button type="submit" className="button">
          Add destination
        </button>
      </form>
      <NoteLine note={note} />
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
    <section className="panel" aria-labelledby="team-hub-heading" data-testid="team-hub">
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
