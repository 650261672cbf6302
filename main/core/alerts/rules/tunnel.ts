/**
 * Alert rules, the tunnel: down longer than the grace is a warning, coming back after one a recovery.
 *
 * ## Tunnel (grace G = tunnelDownGraceSeconds)
 *
 * | memory               | input                         | alert                       | memory after            |
 * |----------------------|-------------------------------|-----------------------------|-------------------------|
 * | up / unknown / paused| down at t                     | none                        | down since t            |
 * | down                 | down again                    | none                        | keeps the first t       |
 * | down, not warned     | now - since > G               | tunnel-down warning         | warned                  |
 * | down, not warned     | up before G passed            | none                        | up                      |
 * | down, not warned     | up after G, no call between   | ONE tunnel-down "was down"  | up                      |
 * | down, warned         | up at t                       | tunnel-recovered            | up                      |
 * | any                  | paused (the user paused it)   | none: deliberate            | paused                  |
 */
import { formatDuration } from '../../local-time.js';
import type { AlertSettings } from '../settings.js';
import type { Emit } from './types.js';

export interface TunnelMemory {
  state: 'up' | 'down' | 'paused' | 'unknown';
  downSince: number | null;
  warned: boolean;
}

export function initialTunnelMemory(): TunnelMemory {
  return { state: 'unknown', downSince: null, warned: false };
}

function graceMs(settings: AlertSettings): number {
  return settings.tunnelDownGraceSeconds * 1000;
}

/** When the grace of a tunnel outage runs out ("more than" the grace: the first whole millisecond past it), or null. */
export function nextTunnelWake(t: TunnelMemory, settings: AlertSettings): number | null {
  return t.state === 'down' && !t.warned && t.downSince !== null ? t.downSince + graceMs(settings) + 1 : null;
}

/** The tunnel grace runs out: once per outage. Checked after the signals, so an "up" in the same call wins. */
export function checkTunnelGrace(t: TunnelMemory, now: number, settings: AlertSettings, emit: Emit): TunnelMemory {
  if (t.state === 'down' && !t.warned && t.downSince !== null && now - t.downSince > graceMs(settings)) {
    emit({
      severity: 'warning',
      kind: 'tunnel-down',
      title: 'Tunnel down: events are being lost',
      text:
        `The public tunnel has been down for ${formatDuration(now - t.downSince)}. Providers cannot reach Hookwatch, ` +
        'and an event whose delivery attempts all fail while it is down is lost (TimelinesAI tries three times).',
    });
    return { ...t, warned: true };
  }
  return t;
}

/** A tunnel state change at `at`; returns the memory after it. */
export function onTunnel(
  t: TunnelMemory,
  next: 'up' | 'down' | 'paused',
  at: number,
  now: number,
  settings: AlertSettings,
  emit: Emit,
): TunnelMemory {
  if (next === 'down') {
    return t.state === 'down' ? t : { state: 'down', downSince: Math.min(at, now), warned: false };
  }
  if (next === 'up' && t.state === 'down' && t.downSince !== null) {
    const downFor = formatDuration(Math.max(0, at - t.downSince));
    if (t.warned) {
      emit({
        severity: 'recovery',
        kind: 'tunnel-recovered',
        title: 'Tunnel back up',
        text: `The public tunnel is back after ${downFor} down. Events sent while it was down may be lost: check the provider for anything missing.`,
      });
    } else if (at - t.downSince > graceMs(settings)) {
      // Nobody called at wakeAt (the computer slept, say): one alert that tells the whole story, not "down" then "back".
      emit({
        severity: 'warning',
        kind: 'tunnel-down',
        title: 'Tunnel was down: events may have been lost',
        text: `The public tunnel was down for ${downFor} and is back now. Events sent while it was down may be lost: check the provider for anything missing.`,
      });
    }
  }
  return { state: next, downSince: null, warned: false };
}
