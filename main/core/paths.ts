// Where Hookwatch keeps its data on each platform.
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Where Hookwatch keeps its data when no --data is given: the same folder Electron's
 * `app.getPath('userData')` gives for an app named "Hookwatch", so the CLI and the desktop app
 * share one database. `HOOKWATCH_DATA` overrides it.
 */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.HOOKWATCH_DATA) return env.HOOKWATCH_DATA;
  const home = homedir();
  if (platform === 'win32') return join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), 'Hookwatch');
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'Hookwatch');
  return join(env.XDG_CONFIG_HOME ?? join(home, '.config'), 'Hookwatch');
}

export const DATABASE_FILE = 'hookwatch.sqlite3';

export function databasePath(dataDir: string): string {
  return join(dataDir, DATABASE_FILE);
}
