// The TimelinesAI token kept encrypted with safeStorage (never in plain text).
import type { SafeStorage } from 'electron';
import { EnvTokenSource, TIMELINES_TOKEN_ENV, type TokenSource } from '../core/providers/timelines/token-source.js';
import type { StoredToken } from './settings-store.js';

/**
 * The TimelinesAI token for the desktop app: kept in the shell's settings as safeStorage ciphertext
 * (the OS keychain: Keychain on macOS, DPAPI on Windows, libsecret or KWallet on Linux), handed to the
 * core only when it asks (TokenSource), and never written anywhere in plain text.
 *
 * Where safeStorage cannot protect it, saving is refused, not degraded: on Linux without a keyring
 * Chromium falls back to the "basic_text" backend, whose key is a constant in Chromium's source, so its
 * "ciphertext" protects nothing. The user can still give the token through the environment variable
 * (the same one `hookwatch serve` reads), which this source falls back to when nothing is saved.
 */

export type SafeStorageLike = Pick<
  SafeStorage,
  'isAsyncEncryptionAvailable' | 'encryptStringAsync' | 'decryptStringAsync' | 'getSelectedStorageBackend'
>;

export interface TokenSettings {
  readonly timelinesToken: StoredToken | null;
  setTimelinesToken(token: StoredToken | null): void;
}

export class TokenStorageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TokenStorageError';
  }
}

export type EncryptionStatus = { available: true; backend: string } | { available: false; reason: string };

const MAX_TOKEN_LENGTH = 4096;

export interface ShellTokenSourceOptions {
  settings: TokenSettings;
  safeStorage: SafeStorageLike;
  platform?: NodeJS.Platform;
  env?: NodeJS.ProcessEnv;
  now?: () => number;
  log?: (line: string) => void;
}

export class ShellTokenSource implements TokenSource {
  readonly #o: Required<Omit<ShellTokenSourceOptions, 'log'>> & { log: (line: string) => void };
  readonly #env: EnvTokenSource;

  constructor(options: ShellTokenSourceOptions) {
    this.#o = { platform: process.platform, env: process.env, now: Date.now, log: () => {}, ...options };
    this.#env = new EnvTokenSource(this.#o.env);
  }

  get describe(): string {
    return this.#o.settings.timelinesToken ? 'Hookwatch settings (encrypted by the system keychain)' : this.#env.describe;
  }

  hasSavedToken(): boolean {
    return this.#o.settings.timelinesToken !== null;
  }

  async encryptionStatus(): Promise<EncryptionStatus> {
    if (this.#o.platform === 'linux') {
      const backend = this.#o.safeStorage.getSelectedStorageBackend();
      if (backend === 'basic_text' || backend === 'unknown') {
        return {
          available: false,
          reason:
            'No system keyring (GNOME Keyring / libsecret or KWallet) is available, so Hookwatch cannot keep the token encrypted and will not store it in plain text. ' +
            `Unlock or install a keyring and restart Hookwatch, or set the token in the ${TIMELINES_TOKEN_ENV} environment variable instead.`,
        };
      }
    }
    if (!(await this.#o.safeStorage.isAsyncEncryptionAvailable())) {
      return {
        available: false,
        reason: `The system keychain is not available, so Hookwatch cannot keep the token encrypted and will not store it in plain text. Try again once you are logged in to the desktop, or set the token in the ${TIMELINES_TOKEN_ENV} environment variable instead.`,
      };
    }
    return { available: true, backend: this.#o.platform === 'linux' ? this.#o.safeStorage.getSelectedStorageBackend() : this.#o.platform };
  }

  /** Saves the token encrypted, or removes it with null (or a blank string). Throws TokenStorageError when it cannot be kept encrypted. */
  async saveToken(token: string | null): Promise<void> {
    const clean = token?.trim() ?? '';
    if (clean === '') {
      this.#o.settings.setTimelinesToken(null);
      return;
    }
    if (clean.length > MAX_TOKEN_LENGTH || /[\s\u0000-\u001f\u007f]/.test(clean)) {
      throw new TokenStorageError(
        'That does not look like a TimelinesAI API token (one line, no spaces). Copy it again from TimelinesAI → Integrations → Public API.',
      );
    }
    const status = await this.encryptionStatus();
    if (!status.available) throw new TokenStorageError(status.reason);
    const encrypted = await this.#o.safeStorage.encryptStringAsync(clean);
    this.#o.settings.setTimelinesToken({ ciphertext: Buffer.from(encrypted).toString('base64'), savedAt: this.#o.now() });
  }

  async getToken(): Promise<string | null> {
    const saved = this.#o.settings.timelinesToken;
    if (!saved) return this.#env.getToken();
    let result: string;
    let shouldReEncrypt: boolean;
    try {
      ({ result, shouldReEncrypt } = await this.#o.safeStorage.decryptStringAsync(Buffer.from(saved.ciphertext, 'base64')));
    } catch {
      throw new TokenStorageError(
        'The TimelinesAI token saved in Hookwatch cannot be decrypted (the system keychain was reset, changed or is locked). Enter the token again in Settings.',
      );
    }
    if (shouldReEncrypt) {
      // The keychain rotated its key; store the token under the new one so it stays readable.
      try {
        await this.saveToken(result);
      } catch (err) {
        this.#o.log(`could not re-encrypt the saved token: ${(err as Error).message}`);
      }
    }
    return result.trim() === '' ? null : result;
  }

  toJSON(): { kind: string; describe: string } {
    return { kind: 'shell', describe: this.describe };
  }
}
