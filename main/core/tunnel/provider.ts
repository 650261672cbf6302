// The interface between the tunnel supervisor and a tunnel service (localtunnel today).
/**
 * What the supervisor needs from a tunnel service. The supervisor owns every policy (probing, backoff, when to
 * give up on a session); a provider only opens one session and reports trouble it sees on its own sockets.
 *
 * A second provider, @ngrok/ngrok (not installed), would fit like this:
 * - `open()` calls `ngrok.forward({ addr: localPort, authtoken, domain })` and returns a session whose `url` is
 *   `listener.url()` and whose `close()` is `listener.close()`. The authtoken comes from the same token source as
 *   the provider API tokens (never logged); `domain` is the user's one free static domain, so `requestedName`
 *   maps to it and `grantedName` is what ngrok confirms.
 * - ngrok reconnects its own session; the supervisor's probe still decides health, and recreating the session
 *   is the same close-and-open. `onTrouble` can be fed from the SDK's disconnect callback.
 * - Packaging: the SDK ships a native addon per platform from npm; electron-builder must unpack it from the
 *   asar archive (`asarUnpack: ["**\/*.node"]`), and the ABI concerns of better-sqlite3 do not apply (N-API).
 * - Settings grow an `ngrok` choice with the authtoken; the state machine and tests stay as they are.
 */
export interface TunnelProvider {
  /** Short name for logs and the state record, e.g. "localtunnel". */
  readonly id: string;
  /**
   * Registers with the tunnel service and starts forwarding to the local port. Must settle within
   * `timeoutMs` (rejecting with a readable Error) and promptly when `signal` aborts, releasing anything it
   * opened. Must never throw asynchronously or emit an unhandled `error`.
   */
  open(request: TunnelOpenRequest): Promise<TunnelSession>;
}

export interface TunnelOpenRequest {
  localPort: number;
  /** The name to ask for (the same at every attempt); the service may hand out another one (localtunnel does so silently when it is taken). */
  requestedName: string;
  timeoutMs: number;
  signal: AbortSignal;
  /**
   * The session saw trouble on its own (e.g. it cannot reach the tunnel server any more). Only a hint: the
   * supervisor answers with a probe, which decides. Called at most once per healthy-to-troubled change.
   */
  onTrouble: (reason: string) => void;
}

export interface TunnelSession {
  /** The public base URL, without a trailing slash. */
  readonly url: string;
  /** The name the service actually granted (compare with the requested one). */
  readonly grantedName: string;
  /** Stops forwarding and releases every socket and timer. Safe to call twice. */
  close(): void;
}
