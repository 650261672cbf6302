// The tunnel: a public URL for the receiver through localtunnel, kept working and kept the same.
export { TunnelSupervisor, systemClock, type TunnelClock, type TunnelSupervisorOptions } from './supervisor.js';
export {
  backoffDelay,
  DEFAULT_BACKOFF,
  DEFAULT_NAME_RETRY,
  TUNNEL_STATES,
  type BackoffPolicy,
  type NameRetryPolicy,
  type PublicUrlChange,
  type TunnelState,
  type TunnelStateChange,
  type TunnelStatus,
  type TunnelUrlChange,
} from './state.js';
export {
  DEFAULT_TUNNEL_HOST,
  generateSubdomain,
  normalizeTunnelHost,
  resolveTunnelSettings,
  SUBDOMAIN_PATTERN,
  TunnelSettingsError,
  validateSubdomain,
  type TunnelSettings,
} from './settings.js';
export { LocaltunnelProvider, registerLocaltunnel, type LocaltunnelOptions } from './localtunnel.js';
export { probePublicUrl, type ProbeFunction, type ProbeResult } from './probe.js';
export { loopbackAwareLookup } from './http-get.js';
export type { TunnelOpenRequest, TunnelProvider, TunnelSession } from './provider.js';
export {
  rememberPublicUrl,
  savedTunnelPreferences,
  startingTunnelPreferences,
  tunnelPreferencesOf,
  updateTunnelPreferences,
  type KeptTunnel,
  type TunnelMeta,
  type TunnelPreferenceValues,
} from './preferences.js';
