// Settings: retention, token and event types, tunnel, notifications, export, data folder.
import { useEffect, useState } from 'react';
import type { AccountsBoard, ExportFormat, NotificationSettings, SettingsView, SetupInfo, TunnelPreferences } from '../contract.js';
import { EmptyState, ErrorNote } from '../components/common.js';
import { Field } from '../components/Field.js';
import { SaveButton, SaveStatus, useDraft, useSave } from '../components/Save.js';
import { downloadExport } from '../lib/download.js';
import { describeFilter, type FeedFilter } from '../lib/filter.js';
import { useAsync, useClient } from '../hooks.js';
import { NotificationPermission } from './Alerts.js';
import { ConnectTimelines } from './FirstRun.js';
import { SilenceSettings } from './SilenceSettings.js';
import { TeamHubSettingsPanel } from './TeamHub.js';

/** The tunnel server and a preferred subdomain; applied to the running tunnel and kept for the next start. */
function TunnelForm({ initial }: { initial: TunnelPreferences }) {
  const client = useClient();
  const [host, setHost] = useState(initial.host === initial.defaultHost ? '' : initial.host);
  const [subdomain, setSubdomain] = useState(initial.subdomain ?? '');
  const { busy, note, submit } = useSave();
  const save = submit(async () => {
    const next = await client.api.updateSettings({
      tunnel: { host: host.trim() === '' ? null : host, subdomain: subdomain.trim() === '' ? null : subdomain },
    });
    const t = next.tunnel.available ? next.tunnel : null;
    return `Saved: ${t?.host ?? ''}${t?.subdomain ? `, asking for the name “${t.subdomain}”` : ', a random name for each tunnel'}. The tunnel reconnects if this changed it.`;
  });
  return (
    <form className="panel" onSubmit={save} aria-labelledby="tunnel-heading">
      <h2 id="tunnel-heading">Tunnel</h2>
      <Field label="Tunnel server" hint="Empty: the public localtunnel service. A server of your own keeps the traffic in your hands.">
        {(control) => (
          <input
            {...control}
            type="url"
            className="wide"
            value={host}
            placeholder={initial.defaultHost}
            onChange={(e) => setHost(e.target.value)}
            data-testid="tunnel-host"
          />
        )}
      </Field>
      <Field
        label="Preferred subdomain"
        hint="A stable name keeps the public URL (and the providers’ webhooks) the same across reconnects: 4 to 63 lowercase letters, digits and dashes."
      >
        {(control) => (
          <input
            {...control}
            type="text"
            className="wide"
            value={subdomain}
            placeholder="random for each tunnel"
            onChange={(e) => setSubdomain(e.target.value)}
            data-testid="tunnel-subdomain"
          />
        )}
      </Field>
      <SaveButton busy={busy}>Save tunnel settings</SaveButton>
      <SaveStatus note={note} />
    </form>
  );
}

function DaysField({
  label,
  value,
  onChange,
  help,
  testId,
}: {
  label: string;
  value: string;
  onChange: (v: string) => void;
  help: string;
  testId: string;
}) {
  return (
    <Field label={label} hint={help}>
      {(control) => (
        <input
          {...control}
          type="number"
          min={0}
          max={36500}
          step={1}
          inputMode="numeric"
          required
          value={value}
          onChange={(e) => onChange(e.target.value)}
          data-testid={testId}
        />
      )}
    </Field>
  );
}

/** When alerts notify: assignments, quiet hours, folding of flapping accounts, muted accounts. */
function NotificationsForm({ initial, onSaved }: { initial: NotificationSettings; onSaved: (n: NotificationSettings) => void }) {
  const client = useClient();
  const [n, setN] = useDraft<NotificationSettings>(initial);
  const { busy, note, submit } = useSave();
  const accounts = useAsync<AccountsBoard>(() => client.api.listAccounts(), [client]);
  const known = accounts.data?.tracking.available ? accounts.data.tracking.accounts : [];
  const label = (key: string) => {
    const a = known.find((x) => x.key === key);
    return a?.name ? `${a.name} (${a.phone ?? a.key})` : key;
  };
  const save = submit(async () => {
    const next = await client.api.updateSettings({ notifications: n });
    if (next.notifications.available) onSaved(next.notifications.settings);
    return 'Saved: alerts follow these choices from now on.';
  });
  return (
    // Busy until the known numbers are read (the mute list is made of them).
    <form className="panel" onSubmit={save} aria-labelledby="notifications-heading" aria-busy={accounts.loading}>
      <h2 id="notifications-heading">Notifications</h2>
      <fieldset className="plain">
        <legend>Chat assignment alerts</legend>
        {(['mine', 'all', 'none'] as const).map((v) => (
          <label key={v} className="choice">
            <input
              type="radio"
              name="assignment"
              value={v}
              checked={n.assignmentAlerts === v}
              onChange={() => setN({ ...n, assignmentAlerts: v })}
            />{' '}
            {v === 'mine' ? 'only chats assigned to me' : v === 'all' ? 'every assignment' : 'none'}
          </label>
        ))}
        <Field label="My e-mail (for “assigned to me”)" hint="As in TimelinesAI’s responsible_email.">
          {(control) => (
            <input
              {...control}
              type="email"
              // Wide: an address cut after "dana@exampl" could not be checked at a glance.
              className="wide"
              value={n.myEmail ?? ''}
              onChange={(e) => setN({ ...n, myEmail: e.target.value || null })}
              data-testid="my-email"
            />
          )}
        </Field>
      </fieldset>
      <fieldset className="plain">
        <legend>Quiet hours</legend>
        <label className="choice">
          <input
            type="checkbox"
            checked={n.quietHours.enabled}
            onChange={(e) => setN({ ...n, quietHours: { ...n.quietHours, enabled: e.target.checked } })}
            data-testid="quiet-enabled"
          />{' '}
          No notifications between
        </label>{' '}
        <input
          type="time"
          aria-label="Quiet hours start"
          value={n.quietHours.start}
          onChange={(e) => setN({ ...n, quietHours: { ...n.quietHours, start: e.target.value } })}
        />{' '}
        and{' '}
        <input
          type="time"
          aria-label="Quiet hours end"
          value={n.quietHours.end}
          onChange={(e) => setN({ ...n, quietHours: { ...n.quietHours, end: e.target.value } })}
        />
        <label className="choice">
          <input
            type="checkbox"
            checked={n.criticalBreaksQuietHours}
            onChange={(e) => setN({ ...n, criticalBreaksQuietHours: e.target.checked })}
          />{' '}
          Account outages still notify during quiet hours
        </label>
      </fieldset>
      <Field
        label="Fold an account’s changes within (minutes)"
        hint="A flapping account gives one alert with a count, not ten. 0 turns folding off."
      >
        {(control) => (
          <input
            {...control}
            type="number"
            min={0}
            max={1440}
            step={1}
            value={n.flapWindowMinutes}
            onChange={(e) => setN({ ...n, flapWindowMinutes: Number(e.target.value) })}
          />
        )}
      </Field>
      <fieldset className="plain">
        <legend>Muted accounts (their alerts are kept, but never notify)</legend>
        {n.mutedAccounts.length === 0 ? <p className="muted">None.</p> : null}
        <ul>
          {n.mutedAccounts.map((k) => (
            <li key={k}>
              {label(k)}{' '}
              <button
                type="button"
                className="link-button"
                onClick={() => setN({ ...n, mutedAccounts: n.mutedAccounts.filter((x) => x !== k) })}
              >
                unmute
              </button>
            </li>
          ))}
        </ul>
        {known.some((a) => !n.mutedAccounts.includes(a.key)) ? (
          <Field label="Mute" inline>
            {(control) => (
              <select
                {...control}
                value=""
                onChange={(e) => e.target.value && setN({ ...n, mutedAccounts: [...n.mutedAccounts, e.target.value] })}
              >
                <option value="">choose an account…</option>
                {known
                  .filter((a) => !n.mutedAccounts.includes(a.key))
                  .map((a) => (
                    <option key={a.key} value={a.key}>
                      {label(a.key)}
                    </option>
                  ))}
              </select>
            )}
          </Field>
        ) : null}
      </fieldset>
      <SaveButton busy={busy}>Save notifications</SaveButton>
      <SaveStatus note={note} />
      <NotificationPermission />
    </form>
  );
}

/** Retention, the tunnel, notifications, the data folder, and export of the feed's current filter. */
export function Settings({ filter }: { filter: FeedFilter }) {
  const client = useClient();
  const settings = useAsync<SettingsView>(() => client.api.getSettings(), [client]);
  const setup = useAsync<SetupInfo>(() => client.api.getSetup(), [client]);
  const [eventDays, setEventDays] = useState('');
  const [logDays, setLogDays] = useState('');
  const retention = useSave();
  const [exporting, setExporting] = useState<ExportFormat | null>(null);
  const [exportError, setExportError] = useState<string | null>(null);

  useEffect(() => {
    if (!settings.data) return;
    setEventDays(String(settings.data.retention.eventDays));
    setLogDays(String(settings.data.retention.deliveryLogDays));
  }, [settings.data]);

  const save = retention.submit(async () => {
    const next = await client.api.updateSettings({ retention: { eventDays: Number(eventDays), deliveryLogDays: Number(logDays) } });
    return `Saved: events are kept ${next.retention.eventDays === 0 ? 'forever' : `${next.retention.eventDays} days`}, the delivery log ${next.retention.deliveryLogDays === 0 ? 'forever' : `${next.retention.deliveryLogDays} days`}.`;
  });

  const exportAs = async (format: ExportFormat) => {
    setExporting(format);
    setExportError(null);
    try {
      downloadExport(await client.api.exportEvents(filter, format));
    } catch (err) {
      // Said in the Export panel, where the button was pressed.
      setExportError((err as Error).message);
    } finally {
      setExporting(null);
    }
  };

  const s = settings.data;
  return (
    // Busy until the settings and the set-up are read: the panels they decide about are not there before.
    <section className="screen" aria-labelledby="settings-heading" aria-busy={(!s && !settings.error) || (!setup.data && !setup.error)}>
      <h1 id="settings-heading">Settings</h1>
      {settings.error ? <ErrorNote message={settings.error} /> : null}
      <form className="panel" onSubmit={save} aria-labelledby="retention-heading">
        <h2 id="retention-heading">Retention</h2>
        <p className="muted">Old data is deleted once an hour, in small steps. 0 keeps it forever.</p>
        <DaysField
          label="Keep events (days)"
          value={eventDays}
          onChange={setEventDays}
          help="Each event keeps its raw request as long as it is kept."
          testId="retention-events"
        />
        <DaysField
          label="Keep the delivery log (days)"
          value={logDays}
          onChange={setLogDays}
          help="Requests that produced no event (rejected, unknown paths). Health looks back 10 days."
          testId="retention-log"
        />
        <SaveButton busy={retention.busy}>Save retention</SaveButton>
        <SaveStatus note={retention.note} />
      </form>
      <div className="panel">
        <h2>Export</h2>
        <p>
          The feed's current filter: <strong>{describeFilter(filter)}</strong>. Newest first, up to 100,000 rows; text that a spreadsheet
          could run as a formula is prefixed with '.
        </p>
        <button type="button" className="button" disabled={exporting !== null} onClick={() => void exportAs('csv')}>
          Export CSV
        </button>{' '}
        <button type="button" className="button" disabled={exporting !== null} onClick={() => void exportAs('jsonl')}>
          Export JSONL
        </button>
        {exportError ? <ErrorNote message={exportError} /> : null}
      </div>
      {setup.data && setup.data.tokenStorage !== 'unavailable' ? (
        <ConnectTimelines setup={setup.data} onChanged={setup.reload} as="section" />
      ) : null}
      {s?.tunnel.available ? <TunnelForm initial={s.tunnel} /> : null}
      {s?.notifications.available ? (
        <NotificationsForm initial={s.notifications.settings} onSaved={() => {}} />
      ) : s && !s.notifications.available ? (
        <div className="panel">
          <h2>Notifications</h2>
          <EmptyState title="Not available">
            <p>{s.notifications.reason}</p>
          </EmptyState>
          <NotificationPermission />
        </div>
      ) : null}
      {s?.notifications.available ? <SilenceSettings initial={s.notifications.settings} onSaved={settings.reload} /> : null}
      <TeamHubSettingsPanel />
      <div className="panel">
        <h2>Data folder</h2>
        <p className="mono" data-testid="data-dir">
          {s?.dataDir ?? '…'}
        </p>
        <p className="muted">Light and dark follow your system's appearance.</p>
      </div>
    </section>
  );
}
