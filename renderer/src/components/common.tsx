// Small shared React components: empty states, error notes, copy buttons, sparklines, provider badges, code in text.
import { useState, type ReactNode } from 'react';

export function EmptyState({ title, children, tone = 'neutral' }: { title: string; children?: ReactNode; tone?: 'neutral' | 'waiting' }) {
  return (
    <div className={`empty-state empty-${tone}`} role="note">
      <h3>{title}</h3>
      {children}
    </div>
  );
}

export function ErrorNote({ message, testId }: { message: string; testId?: string }) {
  return (
    <p className="error-note" role="alert" data-testid={testId}>
      {message}
    </p>
  );
}

/** Copies text to the clipboard and says so (for screen readers too). */
export function CopyButton({ text, label, className }: { text: string; label: string; className?: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  return (
    <button
      type="button"
      className={className ?? 'button'}
      onClick={() => {
        navigator.clipboard.writeText(text).then(
          () => setState('copied'),
          () => setState('failed'),
        );
        setTimeout(() => setState('idle'), 2500);
      }}
    >
      {label}
      <span className="visually-hidden" aria-live="polite">
        {state === 'copied' ? ' copied' : state === 'failed' ? ' could not copy: select the text and copy it' : ''}
      </span>
      {state === 'copied' ? <span aria-hidden="true"> ✓</span> : null}
    </button>
  );
}

/** Deliveries per hour as a small bar chart; the numbers are in the label for screen readers. */
export function Sparkline({ values, label }: { values: number[]; label: string }) {
  const max = Math.max(1, ...values);
  const w = 4;
  const gap = 1;
  const h = 24;
  return (
    <svg
      className="sparkline"
      width={values.length * (w + gap)}
      height={h}
      viewBox={`0 0 ${values.length * (w + gap)} ${h}`}
      role="img"
      aria-label={`${label}: ${values.reduce((a, b) => a + b, 0)} in the last 24 hours, at most ${max} in one hour`}
    >
      {values.map((v, i) => {
        const bh = v === 0 ? 1 : Math.max(2, Math.round((v / max) * h));
        return <rect key={i} x={i * (w + gap)} y={h - bh} width={w} height={bh} className={v === 0 ? 'spark-zero' : 'spark-bar'} />;
      })}
    </svg>
  );
}

export function ProviderBadge({ provider }: { provider: string | null }) {
  const label =
    provider === 'timelines' ? 'TimelinesAI' : provider === 'whatsable' ? 'WhatsAble' : provider === 'unmatched' ? 'Unmatched' : 'Unknown';
  return <span className={`badge provider-${provider ?? 'unknown'}`}>{label}</span>;
}

/** Text whose `quoted` parts are code: shown as <code> elements (React text, never HTML), no literal backticks. */
export function withCode(text: string): ReactNode {
  const parts = text.split('`');
  if (parts.length < 3) return text;
  return parts.map((p, i) => (i % 2 === 1 ? <code key={i}>{p}</code> : p));
}
