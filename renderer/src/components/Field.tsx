// One labelled form field of the Settings panels: its label, its control, a hint and an error, tied together for screen readers.
import { useId, type ReactNode } from 'react';

/** What the control must carry so its label, hint and error belong to it (spread onto the input or select). */
export interface FieldControlProps {
  id: string;
  'aria-describedby'?: string;
  'aria-invalid'?: true;
}

/**
 * The label names the control by `htmlFor` rather than by wrapping it, so the control's accessible name is
 * the label alone; the hint and the error are its description (a wrapping label made the whole hint part of
 * the name). `inline` is the compact form beside other controls (label and control on one line, no hint).
 */
export function Field({
  label,
  hint,
  error,
  inline = false,
  children,
}: {
  label: string;
  hint?: ReactNode;
  error?: string | null;
  inline?: boolean;
  children: (control: FieldControlProps) => ReactNode;
}) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(' ');
  return (
    <div className={inline ? 'field' : 'field field-block'}>
      <label className="field-label" htmlFor={id}>
        {label}
      </label>
      {children({ id, ...(describedBy ? { 'aria-describedby': describedBy } : {}), ...(error ? { 'aria-invalid': true } : {}) })}
      {hint ? (
        <span id={hintId} className="muted">
          {hint}
        </span>
      ) : null}
      {error ? (
        <span id={errorId} className="field-error" role="alert">
          {error}
        </span>
      ) : null}
    </div>
  );
}
