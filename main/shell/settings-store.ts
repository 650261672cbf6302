// Desktop settings in electron-store: schema, layouts and migrations, an owner-only file, the encrypted token.
import { chmodSync, existsSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { ipcMain } from 'electron';
import Store, { type Options, type Schema } from 'electron-store';
import type { Bounds } from './window-bounds.js';

/**
 * The desktop shell's own settings, in electron-store (a JSON file in the app's user-data folder):
 * window bounds, start at login, how alerts are shown on this desktop, and the provider token as
 * safeStorage ciphertext. Alert *rules* (quiet hours, muted accounts, snooze) are not here: they live in
 * the core's database, so `hookwatch serve` and the desktop app follow the same ones.
 *
 * Layouts are numbered. Each layout above 1 has one migration that brings a file from the layout before
 * it; electron-store runs them in order when the file is older, and records the layout it reached in the
 * file. A file from a newer layout (a newer Hookwatch, then a downgrade) is refused with what to do,
 * because electron-store would otherwise quietly relabel it as the older layout and run the migrations
 * again on the next upgrade. An unreadable file is moved aside (never silently dropped) and fresh
 * settings are used.
 */

export interface ShellNotificationChoices {
  /** Show native notifications for alerts the core says should notify. */
  enabled: boolean;
  /** Without a sound. */
  silent: boolean;
}

export interface StoredToken {
  /** safeStorage.encryptString output, base64. Never the token itself. */
  ciphertext: string;
  savedAt: number;
}

export interface ShellSettingsData {
  windowBounds: Bounds | null;
  startAtLogin: boolean;
  notifications: ShellNotificationChoices;
  timelinesToken: StoredToken | null;
}

/** The layout this version writes. Bump it together with a migration in SHELL_SETTINGS_MIGRATIONS. */
export const SHELL_SETTINGS_LAYOUT = 1;

export type ShellSettingsStore = Store<ShellSettingsData>;
/** What a migration gets: the store, with validation paused until all migrations ran. */
export type ShellSettingsMigrationStore = Parameters<NonNullable<Options<ShellSettingsData>['migrations']>[string]>[0];
/** Migration to layout N (the key), from layout N - 1. */
export type ShellSettingsMigrations = Record<number, (store: ShellSettingsMigrationStore) => void>;

/** Layout 1 is the first one: nothing to migrate from yet. */
export const SHELL_SETTINGS_MIGRATIONS: ShellSettingsMigrations = {};

export const SHELL_SETTINGS_FILE = 'shell-settings';

const boundsSchema = {
  type: 'object',
  properties: {
    x: { type: 'integer' },
    y: { type: 'integer' },
    width: { type: 'integer', minimum: 1, maximum: 100000 },
    height: { type: 'integer', minimum: 1, maximum: 100000 },
  },
  required: ['x', 'y', 'width', 'height'],
  additionalProperties: false,
} as const;

export const SHELL_SETTINGS_SCHEMA: Schema<ShellSettingsData> = {
  windowBounds: { anyOf: [{ type: 'null' }, boundsSchema], default: null },
  startAtLogin: { type: 'boolean', default: false },
  notifications: {
    type: 'object',
    properties: { enabled: { type: 'boolean', default: true }, silent: { type: 'boolean', default: false } },
    required: ['enabled', 'silent'],
    additionalProperties: false,
    default: { enabled: true, silent: false },
  },
  timelinesToken: {
    anyOf: [
      { type: 'null' },
      {
        type: 'object',
        properties: { ciphertext: { type: 'string', minLength: 4, pattern: '^[A-Za-z0-9+/]+={0,2}$' }, savedAt: { type: 'number' } },
        required: ['ciphertext', 'savedAt'],
        additionalProperties: false,
      },
    ],
    default: null,
  },
};

export class ShellSettingsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ShellSettingsError';
  }
}

export interface OpenShellSettingsOptions {
  /** The folder (the app's user-data folder). */
  cwd: string;
  log?: (line: string) => void;
  now?: () => number;
  /** For tests of the migration machinery; the defaults are this version's. */
  layout?: number;
  migrations?: ShellSettingsMigrations;
}

const semverOf = (layout: number) => `${layout}.0.0`;
const LAYOUT_KEY = '__internal__';

/** The layout recorded in a settings file, null when the file has none (or does not exist), 'unreadable' when it is not JSON. */
function recordedLayout(file: string): number | null | 'unreadable' {
  if (!existsSync(file)) return null;
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return 'unreadable';
  }
  const version = (data as { [LAYOUT_KEY]?: { migrations?: { version?: unknown } } } | null)?.[LAYOUT_KEY]?.migrations?.version;
  if (typeof version !== 'string') return null;
  const major = /^(\d+)\./.exec(version);
  return major ? Number(major[1]) : null;
}

export function openShellSettings(options: OpenShellSettingsOptions): ShellSettings {
  const layout = options.layout ?? SHELL_SETTINGS_LAYOUT;
  const migrations = options.migrations ?? SHELL_SETTINGS_MIGRATIONS;
  const log = options.log ?? (() => {});
  const file = join(options.cwd, `${SHELL_SETTINGS_FILE}.json`);

  const recorded = recordedLayout(file);
  if (typeof recorded === 'number' && recorded > layout) {
    throw new ShellSettingsError(
      `The desktop settings in ${file} were written by a newer Hookwatch (settings layout ${recorded}; this version reads up to ${layout}). ` +
        'Install that newer Hookwatch again, or move the file aside to start with default desktop settings (events, alerts and alert rules are not in it).',
    );
  }

  // A file written before it was created 0600 is tightened now, not only at its next write.
  if (existsSync(file)) {
    try {
      chmodSync(file, 0o600);
    } catch {
      /* not ours to change (or a file system without modes): electron-store still writes it 0600 */
    }
  }

  const open = () => {
    // A new file starts at this layout, like a new database at its latest schema: the migrations are for
    // files written by older versions, and would otherwise run on fresh defaults.
    const fresh = !existsSync(file);
    const storeMigrations: Record<string, (store: ShellSettingsMigrationStore) => void> = {};
    for (const [to, migrate] of Object.entries(migrations)) {
      if (!fresh && Number(to) <= layout) storeMigrations[semverOf(Number(to))] = migrate;
    }
    // electron-store's typings leave out `projectVersion` (it takes the app's version by default), but
    // migrations must follow the settings layout, not the app's version, so it is passed explicitly.
    const storeOptions = {
      name: SHELL_SETTINGS_FILE,
      cwd: options.cwd,
      schema: SHELL_SETTINGS_SCHEMA,
      migrations: storeMigrations,
      projectVersion: semverOf(layout),
      clearInvalidConfig: false,
      // Readable by its owner only, like the database: it holds the (encrypted) provider token.
      configFileMode: 0o600,
    };
    return new Store<ShellSettingsData>(storeOptions as Options<ShellSettingsData>);
  };

  let store: ShellSettingsStore;
  try {
    store =
      recorded === 'unreadable'
        ? (() => {
            throw new Error('the file is not valid JSON');
          })()
        : open();
  } catch (err) {
    if (err instanceof ShellSettingsError) throw err;
    const aside = join(
      options.cwd,
      `${SHELL_SETTINGS_FILE}.unreadable-${new Date((options.now ?? Date.now)()).toISOString().replace(/[:.]/g, '-')}.json`,
    );
    renameSync(file, aside);
    log(`desktop settings could not be read (${(err as Error).message}); moved to ${aside} and started with defaults`);
    store = open();
  }
  // electron-store answers a synchronous IPC request that any renderer may send, for renderer-side
  // stores. We never use a store in a renderer, and every IPC handler of ours checks its sender: this one
  // cannot, so it goes.
  ipcMain?.removeAllListeners?.('electron-store-get-data');
  return new ShellSettings(store);
}

export class ShellSettings {
  constructor(private readonly store: ShellSettingsStore) {}

  get path(): string {
    return this.store.path;
  }

  get windowBounds(): Bounds | null {
    return this.store.get('windowBounds');
  }

  setWindowBounds(bounds: Bounds | null): void {
    this.store.set(
      'windowBounds',
      bounds === null
        ? null
        : { x: Math.round(bounds.x), y: Math.round(bounds.y), width: Math.round(bounds.width), height: Math.round(bounds.height) },
    );
  }

  get startAtLogin(): boolean {
    return this.store.get('startAtLogin');
  }

  setStartAtLogin(on: boolean): void {
    this.store.set('startAtLogin', on);
  }

  get notifications(): ShellNotificationChoices {
    return { ...this.store.get('notifications') };
  }

  setNotifications(patch: Partial<ShellNotificationChoices>): ShellNotificationChoices {
    const next = { ...this.notifications, ...patch };
    this.store.set('notifications', next);
    return next;
  }

  get timelinesToken(): StoredToken | null {
    return this.store.get('timelinesToken');
  }

  setTimelinesToken(token: StoredToken | null): void {
    this.store.set('timelinesToken', token);
  }
}
