/**
 * What the shell needs from the tunnel supervisor: its state for the tray, pausing it from the tray
 * menu, and a re-check after the computer wakes (sockets opened before sleep are usually dead).
 */
export interface TunnelView {
  state: string;
  url: string | null;
}

export interface TunnelControl {
  status(): TunnelView;
  setEnabled(on: boolean): Promise<void>;
  recheck(): Promise<void>;
  onChange(listener: (status: TunnelView) => void): () => void;
}

/**
 * The core's tunnel, when this build and configuration have one.
 * TODO(lead): `HookwatchCore.tunnel` becomes a typed property; then this reads it directly.
 */
export function tunnelControlOf(core: object): TunnelControl | null {
  const candidate = (core as { tunnel?: unknown }).tunnel;
  if (!candidate || typeof candidate !== 'object') return null;
  const t = candidate as Partial<TunnelControl>;
  return typeof t.status === 'function' && typeof t.setEnabled === 'function' && typeof t.recheck === 'function' && typeof t.onChange === 'function'
    ? (candidate as TunnelControl)
    : null;
}
