import { useEffect, useState, type FormEvent } from 'react';
import type { ExportFormat, SettingsView } from '../contract.js';
import { ErrorNote } from '../components/common.js';
import { downloadExport } from '../lib/download.js';
import { describeFilter, type FeedFilter } from '../lib/filter.js';
import { useAsync, useClient } from '../hooks.js';
import { NotificationPermission } from './Alerts.js';

function DaysField({ label, value, onChange, help, testId }: { label: string; value: string; onChange: (v: string) => void; help: string; testId: string }) {
  return (
    <label className="field field-block">
      <span className="field-label">{label}</span>
      <input type="number" min={0} max={36500} step={1} inputMode="numeric" required value={value} onChange={(e) => onChange(e.target.value)} data-testid={testId} />
      <span className="muted">{help}</span>
    </label>
  );
}

/** Retention, the data folder, export of the feed's current filter, and what later parts will add. */
export function Settings({ filter }: { filter: FeedFilter }) {
  const client = useClient();
  const settings = useAsync<SettingsView>(() => client.api.getSettings(), [client]);
  const [eventDays, setEventDays] = useState('');
  const [logDays, setLogDays] = useState('');
  const [saved, setSaved] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [exporting, setExporting] = useState<ExportFormat | null>(null);

  useEffect(() => {
    if (!settings.data) return;
    setEventDays(String(settings.data.retention.eventDays));
    setLogDays(String(settings.data.retention.deliveryLogDays));
  }, [settings.data]);

  const save = async (e: FormEvent) => {
    e.preventDefault();
    setSaved(null);
    try {
      const next = await client.api.updateSettings({ retention: { eventDays: Number(eventDays), deliveryLogDays: Number(logDays) } });
      setError(null);
      setSaved(`Saved: events are kept ${next.retention.eventDays === 0 ? 'forever' : `${next.retention.eventDays} days`}, the delivery log ${next.retention.deliveryLogDays === 0 ? 'forever' : `${next.retention.deliveryLogDays} days`}.`);
    } catch (err) {
      setError((err as Error).message);
    }
  };

  const exportAs = async (format: ExportFormat) => {
    setExporting(format);
    try {
      downloadExport(await client.api.exportEvents(filter, format));
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setExporting(null);
    }
  };

  const s = settings.data;
  return (
    <section className="screen" aria-labelledby="settings-heading">
      <h1 id="settings-heading">Settings</h1>
      {settings.error ? <ErrorNote message={settings.error} /> : null}
      <form className="panel" onSubmit={(e) => void save(e)} aria-labelledby="retention-heading">
        <h2 id="retention-heading">Retention</h2>
        <p className="muted">Old data is deleted once an hour, in small steps. 0 keeps it forever.</p>
        <DaysField label="Keep events (days)" value={eventDays} onChange={setEventDays} help="Each event keeps its raw request as long as it is kept." testId="retention-events" />
        <DaysField
          label="Keep the delivery log (days)"
          value={logDays}
          onChange={setLogDays}
          help="Requests that produced no event (rejected, unknown paths). Health looks back 10 days."
          testId="retention-log"
        />
        <button type="submit" className="button button-primary">
          Save retention
        </button>
        {error ? <ErrorNote message={error} /> : null}
        {saved ? (
          <p role="status" className="ok">
            {saved}
          </p>
        ) : null}
      </form>
      <div className="panel">
        <h2>Export</h2>
        <p>
          The feed's current filter: <strong>{describeFilter(filter)}</strong>. Newest first, up to 100,000 rows; phone numbers and text that a
          spreadsheet could take for a formula are prefixed with '.
        </p>
        <button type="button" className="button" disabled={exporting !== null} onClick={() => void exportAs('csv')}>
          Export CSV
        </button>{' '}
        <button type="button" className="button" disabled={exporting !== null} onClick={() => void exportAs('jsonl')}>
          Export JSONL
        </button>
      </div>
      <div className="panel">
        <h2>Notifications</h2>
        <NotificationPermission />
      </div>
      <div className="panel">
        <h2>Data folder</h2>
        <p className="mono" data-testid="data-dir">
          {s?.dataDir ?? '…'}
        </p>
        <p className="muted">Light and dark follow your system's appearance.</p>
      </div>
      {s && s.comingLater.length > 0 ? (
        <div className="panel">
          <h2>Coming with later parts of Hookwatch</h2>
          <ul>
            {s.comingLater.map((c) => (
              <li key={c.setting}>
                {c.setting} <span className="muted">({c.arrivesWith})</span>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </section>
  );
}
