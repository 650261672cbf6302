// Settings panel for silence alerts: on or off, and the shortest silence worth a warning.
import type { NotificationSettings } from '../contract.js';
import { Field } from '../components/Field.js';
import { SaveButton, SaveStatus, useDraft, useSave } from '../components/Save.js';
import { useClient } from '../hooks.js';

/** The floors offered, in minutes: from half an hour to a day (the core accepts 15 minutes to a week). */
const FLOORS = [30, 60, 120, 180, 240, 360, 480, 720, 1440];

function floorLabel(minutes: number): string {
  if (minutes < 60) return `${minutes} minutes`;
  const hours = minutes / 60;
  return Number.isInteger(hours) ? `${hours} hour${hours === 1 ? '' : 's'}` : `${hours.toFixed(1)} hours`;
}

/** Silence alerts: each number's usual activity is learned per hour of the week; a silence far longer than usual warns. */
export function SilenceSettings({ initial, onSaved }: { initial: NotificationSettings; onSaved: () => void }) {
  const client = useClient();
  // Only these two fields are this form's: the notifications form beside it keeps its own.
  const [draft, setDraft] = useDraft({ enabled: initial.silenceAlerts, floor: initial.silenceFloorMinutes });
  const { enabled, floor } = draft;
  const { busy, note, submit } = useSave();
  const floors = FLOORS.includes(floor) ? FLOORS : [...FLOORS, floor].sort((a, b) => a - b);

  const save = submit(async () => {
    const next = await client.api.updateSettings({ notifications: { silenceAlerts: enabled, silenceFloorMinutes: floor } });
    const s = next.notifications.available ? next.notifications.settings : null;
    onSaved();
    return s?.silenceAlerts
      ? `Saved: a number silent far longer than usual, and for at least ${floorLabel(s.silenceFloorMinutes)}, raises a warning.`
      : 'Saved: silence alerts are off. An open silence warning is closed.';
  });

  return (
    <form className="panel" onSubmit={save} aria-labelledby="silence-heading" data-testid="silence-settings">
      <h2 id="silence-heading">Silent numbers</h2>
      <p className="muted">
        Hookwatch learns when each number is usually busy, hour by hour through the week, from its own events. When one stays quiet far
        longer than usual you get a warning, and a recovery when it speaks again. For WhatsAble numbers, which send no status events, this
        is the only sign that something is wrong. It starts once a number has 7 days of history; quiet hours apply, and time when Hookwatch
        was not receiving counts as neither activity nor silence.
      </p>
      <label className="choice">
        <input
          type="checkbox"
          checked={enabled}
          onChange={(e) => setDraft({ ...draft, enabled: e.target.checked })}
          data-testid="silence-enabled"
        />{' '}
        Warn when a number goes silent
      </label>
      <Field label="Shortest silence to warn about" hint="A shorter silence is never reported, however unusual for that hour.">
        {(control) => (
          <select
            {...control}
            value={floor}
            onChange={(e) => setDraft({ ...draft, floor: Number(e.target.value) })}
            data-testid="silence-floor"
          >
            {floors.map((m) => (
              <option key={m} value={m}>
                {floorLabel(m)}
                {m === 120 ? ' (default)' : ''}
              </option>
            ))}
          </select>
        )}
      </Field>
      <SaveButton busy={busy}>Save silence alerts</SaveButton>
      <SaveStatus note={note} />
    </form>
  );
}
