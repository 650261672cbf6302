// Settings → Team hub: the saved choice (publish to a hub, follow one, or neither), its checks, and the runtime options it gives.
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import type { TeamHubSettings, TeamHubView } from '../../contract/api.js';
import type { HookwatchStore } from '../store/store.js';
import { HubConfigError, parseHubUrl, readCredsFile, type HubConnectionConfig } from './connection.js';
import { hubHealthOf, type HubFollowOptions, type HubPublishOptions, type HubRuntimeStatus } from './runtime.js';

/** A setting that cannot work; the message says what to change and never carries a credential. */
export class HubSettingsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HubSettingsError';
  }
}

export const DEFAULT_TEAM_HUB: Required<TeamHubSettings> = {
  mode: 'off',
  url: '',
  credsFile: null,
  name: '',
  workspace: 'default',
  caFile: null,
  certFile: null,
  keyFile: null,
};

const NAME = /^[A-Za-z0-9_-]{1,64}$/;

/** A certificate or key file is a few kilobytes; a CA bundle at most a few hundred. More is not one of them. */
const MAX_TLS_FILE = 1024 * 1024;

type TlsFileRole = 'CA file' | 'client certificate' | 'client key';

/** Why a file cannot be read, in words (the errno code alone means nothing to most people). */
function unreadable(code: string | undefined): string {
  if (code === 'ENOENT') return 'it does not exist';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied: make it readable by the user who runs Hookwatch';
  if (code === 'EISDIR') return 'it is a folder: choose the file itself';
  return code ?? 'it cannot be read';
}

/**
 * Reads a TLS file and checks it is what its role needs (a PEM certificate, or an unencrypted PEM key),
 * so a wrong choice is refused on save rather than by a connection that keeps failing. The messages name
 * the file and what to do; they never quote what is in it (a key file is a secret).
 */
function readTlsFile(file: string, role: TlsFileRole): { cert?: X509Certificate; key?: KeyObject } {
  let text: string;
  try {
    const st = statSync(file);
    if (st.size > MAX_TLS_FILE) throw new HubSettingsError(`the ${role} ${file} is too large to be one (over 1 MiB): choose the PEM file`);
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if (err instanceof HubSettingsError) throw err;
    throw new HubSettingsError(`cannot read the ${role} ${file}: ${unreadable((err as NodeJS.ErrnoException).code)}`);
  }
  if (role === 'client key') {
    if (/-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: 4,ENCRYPTED/.test(text))
      throw new HubSettingsError(
        `the client key ${file} is protected by a passphrase, which Hookwatch cannot ask for: use an unencrypted copy readable by you only (openssl pkey -in KEY -out KEY.plain; chmod 600 KEY.plain)`,
      );
    try {
      return { key: createPrivateKey(text) };
    } catch {
      throw new HubSettingsError(`the client key ${file} holds no PEM private key (-----BEGIN PRIVATE KEY-----): choose the key file`);
    }
  }
  try {
    return { cert: new X509Certificate(text) };
  } catch {
    const hint = role === 'CA file' ? "the certificate of the CA that signed the hub's certificate" : 'your client certificate';
    throw new HubSettingsError(`the ${role} ${file} holds no PEM certificate (-----BEGIN CERTIFICATE-----): choose ${hint}`);
  }
}

/**
 * A private CA to trust and a client certificate with its key: each readable and of the right kind; cert
 * and key go together and match. Settings → Team hub and the CLI's --hub-ca/--hub-cert/--hub-key share it.
 */
export function checkHubTlsFiles(s: { caFile: string | null; certFile: string | null; keyFile: string | null }): void {
  if ((s.certFile === null) !== (s.keyFile === null))
    throw new HubSettingsError(
      s.certFile === null
        ? 'choose the client certificate too: a client key goes with its certificate (mutual TLS)'
        : 'choose the client key too: a client certificate goes with its key (mutual TLS)',
    );
  if (s.caFile !== null) readTlsFile(s.caFile, 'CA file');
  if (s.certFile !== null && s.keyFile !== null) {
    const { cert } = readTlsFile(s.certFile, 'client certificate');
    const { key } = readTlsFile(s.keyFile, 'client key');
    if (cert && key && !cert.checkPrivateKey(key))
      throw new HubSettingsError(
        `the client key ${s.keyFile} does not belong to the client certificate ${s.certFile}: choose the key the certificate was made for`,
      );
  }
}

const fileOrNull = (v: string | null | undefined): string | null => v?.trim() || null;

/**
 * Checks a choice before it is saved or applied, so a typo is reported at once (not by a retry loop).
 * Credentials belong in a file: a URL with a user, password or token in it is refused here, because
 * what Settings saves is shown again on the page and kept in the database (docs/hub.md, Security).
 * TLS files are checked the same way (readable, a certificate or a key, a client certificate with its key).
 */
export function checkTeamHubSettings(s: TeamHubSettings): Required<TeamHubSettings> {
  const out: Required<TeamHubSettings> = {
    mode: s.mode,
    url: s.url.trim(),
    credsFile: fileOrNull(s.credsFile),
    name: s.name.trim(),
    workspace: s.workspace.trim() || 'default',
    caFile: fileOrNull(s.caFile),
    certFile: fileOrNull(s.certFile),
    keyFile: fileOrNull(s.keyFile),
  };
  if (out.mode === 'off') return out;
  if (out.url === '') throw new HubSettingsError('enter the hub URL (nats://HOST:4222, or tls://HOST:4222 for TLS)');
  try {
    const parsed = parseHubUrl(out.url);
    if (parsed.user !== undefined || parsed.token !== undefined)
      throw new HubSettingsError(
        'take the user name, password or token out of the hub URL and put them in a credentials file (one line user:password, an nkey seed or a .creds file)',
      );
    if (out.credsFile !== null) readCredsFile(out.credsFile);
  } catch (err) {
    if (err instanceof HubConfigError) throw new HubSettingsError(err.message.replace('pass --hub', 'enter'));
    throw err;
  }
  checkHubTlsFiles(out);
  if (!NAME.test(out.workspace)) throw new HubSettingsError('the workspace name takes letters, digits, - and _ (at most 64)');
  if (out.mode === 'follow' && !NAME.test(out.name))
    throw new HubSettingsError("enter this install's name for the hub (letters, digits, - and _; one name per install, kept)");
  return out;
}

/** The saved choice; anything unreadable reads as off (the page shows it and it can be saved again). */
export function readTeamHubSettings(store: HookwatchStore): Required<TeamHubSettings> {
  const raw = store.meta.get('hubSettings');
  if (!raw) return { ...DEFAULT_TEAM_HUB };
  const text = (v: unknown, d: string) => (typeof v === 'string' ? v : d);
  const file = (v: unknown) => (typeof v === 'string' && v ? v : null);
  const mode = raw.mode === 'publish' || raw.mode === 'follow' ? raw.mode : 'off';
  return {
    mode,
    url: text(raw.url, ''),
    credsFile: file(raw.credsFile),
    name: text(raw.name, ''),
    workspace: text(raw.workspace, 'default'),
    // Saved before TLS files could be chosen here: none.
    caFile: file(raw.caFile),
    certFile: file(raw.certFile),
    keyFile: file(raw.keyFile),
  };
}

export function saveTeamHubSettings(store: HookwatchStore, s: TeamHubSettings): void {
  store.meta.set('hubSettings', { ...s });
}

/** What the core runs for a choice (the same options as `serve --hub` and `follow`, TLS files included). */
export function hubOptionsOf(s: TeamHubSettings): { hub?: HubPublishOptions; follow?: HubFollowOptions } {
  const creds = s.credsFile ? { credsFile: s.credsFile } : {};
  const files: NonNullable<HubConnectionConfig['tls']> = {
    ...(s.caFile ? { caFile: s.caFile } : {}),
    ...(s.certFile ? { certFile: s.certFile } : {}),
    ...(s.keyFile ? { keyFile: s.keyFile } : {}),
  };
  const tls = Object.keys(files).length > 0 ? { tls: files } : {};
  if (s.mode === 'publish') return { hub: { url: s.url, workspace: s.workspace, ...creds, ...tls } };
  if (s.mode === 'follow') return { follow: { url: s.url, name: s.name, ...creds, ...tls } };
  return {};
}

/** Text from the user quoted back in a message: one line, no control or bidi characters (the CLI prints it to a terminal). */
function quoted(raw: string, max: number): string {
  const clean = raw.replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]+/g, ' ').trim();
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}

/** A forwarding destination's URL: http or https only (forwarding posts customer messages, so anything else is refused). */
export function checkDestinationUrl(raw: string): string {
  let u: URL;
  try {
    u = new URL(raw.trim());
  } catch {
    throw new HubSettingsError(`'${quoted(raw, 200)}' is not a URL (https://host/path)`);
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new HubSettingsError('the destination must be an http:// or https:// URL');
  return u.toString();
}

/** Event types or groups (`whatsapp:account:*`) to forward, as a list or as the comma-separated text people type; empty: all events. */
export function checkDestinationTypes(types: readonly string[] | string): string[] {
  const out = (typeof types === 'string' ? types.split(',') : types).map((t) => t.trim()).filter(Boolean);
  for (const t of out) {
    if (!/^[a-z0-9_]+(:[a-z0-9_]+)*(:\*)?$/.test(t))
      throw new HubSettingsError(`'${quoted(t, 80)}' is not an event type (message:received:new) or a group (whatsapp:account:*)`);
  }
  return out;
}

/** One check for a destination, shared by `hookwatch forward add` and Settings → Team hub, so both say the same. */
export function checkForwardDestination(d: { url: string; types: readonly string[] | string }): { url: string; types: string[] } {
  return { url: checkDestinationUrl(d.url), types: checkDestinationTypes(d.types) };
}

/** What the Team hub port needs of the core (HookwatchCore fits as is). */
export interface TeamHubCore {
  store: HookwatchStore;
  hub: { status(): HubRuntimeStatus } | null;
  hubFixed: boolean;
  setTeamHub(settings: TeamHubSettings): Promise<void>;
}

/** The service's Team hub port over a core: the saved choice, what runs, and the forwarding destinations. */
export function teamHubPort(core: TeamHubCore, now: () => number = Date.now) {
  const view = (): TeamHubView => ({
    settings: readTeamHubSettings(core.store),
    fixedByCommandLine: core.hubFixed,
    status: core.hub ? hubHealthOf(core.hub.status()) : null,
    destinations: core.store.hub.listDestinations().map((d) => ({ id: d.id, url: d.url, types: [...d.types], createdAt: d.createdAt })),
  });
  return {
    get: view,
    set: async (s: TeamHubSettings) => {
      await core.setTeamHub(s);
      return view();
    },
    // A running hub rereads its destinations every 2 s (runtime.ts), so these take effect without a restart.
    addDestination: (d: { url: string; types: string[] }) => {
      core.store.hub.addDestination({ ...checkForwardDestination(d), createdAt: now() });
      return view();
    },
    removeDestination: (id: number) => {
      if (!core.store.hub.removeDestination(id)) throw new HubSettingsError(`no forwarding destination ${id}`);
      return view();
    },
  };
}
