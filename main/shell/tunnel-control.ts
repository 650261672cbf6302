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

/** The core's tunnel, or null when it runs without one. */
export function tunnelControlOf(core: { tunnelControl(): TunnelControl | null }): TunnelControl | null {
  return core.tunnelControl();
}
