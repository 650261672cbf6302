// The desktop app's id and its start-up options from the environment, with clear errors.
import { DEFAULT_PORT } from '../core/receiver/receiver.js';

/** Must equal `appId` in electron-builder.yml (test/shell/packaging-config.test.ts checks): Windows ties notifications to it. */
export const APP_ID = 'com.hookwatch.desktop';

/** HOOKWATCH_PORT moves the receiver (say, to run the app next to `hookwatch serve`); 0 picks a free port. */
export function receiverPort(value: string | undefined): number {
  if (value === undefined || value.trim() === '') return DEFAULT_PORT;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`HOOKWATCH_PORT must be a port number (0-65535), got '${value}'`);
  return n;
}
