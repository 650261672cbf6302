// The save pattern of the settings forms: the draft being edited, a Save button that waits for its call, and one status line (saved, or why not).
import { useEffect, useId, useRef, useState, type Dispatch, type FormEvent, type ReactNode, type SetStateAction } from 'react';
import { ErrorNote } from './common.js';

/** What a save says: `ok` a saved line (role status), else the reason it was refused (role alert). */
export interface SaveNote {
  ok: boolean;
  text: string;
}

export interface SaveState<N extends SaveNote> {
  /** The call is running: the Save button waits (disabled) so a second click cannot send it twice. */
  busy: boolean;
  note: N | null;
  setNote: (note: N | null) => void;
  /** A form's onSubmit: runs `work`; the text it returns is the saved line, an error it throws the refusal. */
  submit: (work: () => Promise<string>, refusal?: (err: unknown) => N) => (e?: FormEvent) => void;
  /** The same for a call that is not a form's submit (a Remove button). */
  run: (work: () => Promise<string>, refusal?: (err: unknown) => N) => Promise<void>;
}

/**
 * One save and its note. The note stays until the next answer replaces it (a refusal stays while the person
 * corrects the field). A refusal's message is the reason alone (the API sends the method apart): it is shown as
 * it is, or turned into a richer note by `refusal` (Team hub puts it under the field it names), for every call
 * or for one.
 */
export function useSave<N extends SaveNote = SaveNote>(refusal?: (err: unknown) => N): SaveState<N> {
  const [busy, setBusy] = useState(false);
  const [note, setNote] = useState<N | null>(null);
  // A ref as well as the state: two clicks within one render must not both start the call.
  const running = useRef(false);
  const run = async (work: () => Promise<string>, refusedAs = refusal) => {
    if (running.current) return;
    running.current = true;
    setBusy(true);
    try {
      const text = await work();
      setNote({ ok: true, text } as N);
    } catch (err) {
      setNote(refusedAs ? refusedAs(err) : ({ ok: false, text: (err as Error).message } as N));
    } finally {
      running.current = false;
      setBusy(false);
    }
  };
  const submit =
    (work: () => Promise<string>, refusedAs = refusal) =>
    (e?: FormEvent) => {
      e?.preventDefault();
      void run(work, refusedAs);
    };
  return { busy, note, setNote, submit, run };
}

/**
 * The draft a form edits, started from the saved value and reset when the saved content changes (after a save,
 * or a change made elsewhere). Compared by content, not identity: a refresh that brings the same settings keeps
 * what is being typed; and never on mount (a reset there could undo a click made before the effect ran).
 */
export function useDraft<T>(saved: T): [T, Dispatch<SetStateAction<T>>] {
  const [draft, setDraft] = useState<T>(saved);
  const content = JSON.stringify(saved);
  const shown = useRef(content);
  useEffect(() => {
    if (content === shown.current) return;
    shown.current = content;
    setDraft(JSON.parse(content) as T);
  }, [content]);
  return [draft, setDraft];
}

/**
 * The form's Save button: disabled while the save runs, or while `whyNot` says what is missing (then the reason
 * is shown beside it and describes it, so a screen reader reads it with the button).
 */
export function SaveButton({
  busy,
  children,
  busyLabel,
  whyNot = null,
  whyNotTestId,
  primary = true,
}: {
  busy: boolean;
  children: ReactNode;
  /** The label while saving (Setup's "Saving…"); without it the label stays. */
  busyLabel?: string;
  whyNot?: string | null;
  whyNotTestId?: string;
  primary?: boolean;
}) {
  const whyNotId = useId();
  const reason = busy ? null : whyNot;
  return (
    <>
      <button
        type="submit"
        className={primary ? 'button button-primary' : 'button'}
        disabled={busy || reason !== null}
        aria-describedby={reason ? whyNotId : undefined}
      >
        {busy && busyLabel ? busyLabel : children}
      </button>
      {reason ? (
        <span id={whyNotId} className="muted why-not" data-testid={whyNotTestId}>
          {reason}
        </span>
      ) : null}
    </>
  );
}

/** The save's line: "Saved: …" as a status, a refusal as an alert; nothing before the first answer. */
export function SaveStatus({ note, testId }: { note: SaveNote | null; testId?: string }) {
  if (!note) return null;
  return note.ok ? (
    <p role="status" className="ok" data-testid={testId}>
      {note.text}
    </p>
  ) : (
    <ErrorNote message={note.text} testId={testId} />
  );
}
