// Serves the renderer from the private hookwatch:// scheme, confined to its folder.
import { extname, resolve, sep } from 'node:path';
import { CONTENT_TYPES } from '../core/dashboard/server.js';

/**
 * Where the renderer comes from and who may talk to main. Pure (no Electron), so the trust decisions are
 * tested as tables.
 *
 * The window loads the built renderer from a privileged custom scheme, `hookwatch://app/index.html`,
 * served from dist/renderer by protocol.handle, not from file://. Electron's security checklist
 * (https://www.electronjs.org/docs/latest/tutorial/security#18-avoid-usage-of-the-file-protocol-and-prefer-usage-of-custom-protocols)
 * explains why: a file:// page may read any other file:// URL, and file:// responses carry no headers, so
 * no CSP header. Our scheme serves only the files under dist/renderer, each with the CSP header below.
 */

export const RENDERER_SCHEME = 'hookwatch';
export const RENDERER_HOST = 'app';
export const RENDERER_ORIGIN = `${RENDERER_SCHEME}://${RENDERER_HOST}`;
export const RENDERER_INDEX_URL = `${RENDERER_ORIGIN}/index.html`;

/**
 * The renderer talks to main over IPC only (no fetch, no WebSocket), loads only its own built files and
 * never frames anything: everything else is refused.
 */
export const RENDERER_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-src 'none'",
  "object-src 'none'",
  "worker-src 'none'",
].join('; ');

/** The Vite dev server (developers only): its React refresh preamble is an inline script and it talks over a WebSocket. */
export function devRendererCsp(devOrigin: string): string {
  const ws = devOrigin.replace(/^http/, 'ws');
  return RENDERER_CSP.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'")
    .replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
    .replace("connect-src 'none'", `connect-src 'self' ${ws}`);
}

export const RENDERER_RESPONSE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'Content-Security-Policy': RENDERER_CSP,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
});

export type RendererFile = { ok: true; path: string; contentType: string } | { ok: false; status: 400 | 404; reason: string };

/** Maps a `hookwatch://app/...` request to a file under `rendererDir`, refusing anything outside it. */
export function rendererFileFor(requestUrl: string, rendererDir: string): RendererFile {
  let url: URL;
  try {
    url = new URL(requestUrl);
  } catch {
    return { ok: false, status: 400, reason: 'not a URL' };
  }
  if (url.protocol !== `${RENDERER_SCHEME}:` || url.host !== RENDERER_HOST)
    return { ok: false, status: 404, reason: 'not the renderer origin' };
  let path: string;
  try {
    path = decodeURIComponent(url.pathname);
  } catch {
    return { ok: false, status: 400, reason: 'bad percent-encoding' };
  }
  if (path === '/' || path === '') path = '/index.html';
  // The URL parser already folds "/../"; encoded ones (%2e%2e, %2f, %5c) come back after decoding.
  if (path.includes('\0') || path.includes('\\') || path.split('/').some((seg) => seg === '..' || seg === '.')) {
    return { ok: false, status: 404, reason: 'path leaves the renderer folder' };
  }
  const root = resolve(rendererDir);
  const file = resolve(root, `.${path}`);
  if (!file.startsWith(root + sep)) return { ok: false, status: 404, reason: 'path leaves the renderer folder' };
  const contentType = CONTENT_TYPES[extname(file).toLowerCase()];
  if (!contentType) return { ok: false, status: 404, reason: 'not a renderer file type' };
  return { ok: true, path: file, contentType };
}

/** Our renderer: the index page of our scheme (any hash or query), or the dev server's origin when one is configured. */
export function isTrustedRendererUrl(url: string, devOrigin: string | null = null): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (u.protocol === `${RENDERER_SCHEME}:` && u.host === RENDERER_HOST && (u.pathname === '/index.html' || u.pathname === '/')) return true;
  return devOrigin !== null && (u.protocol === 'http:' || u.protocol === 'https:') && u.origin === devOrigin;
}

/** What an IPC handler knows of its caller (Electron's WebFrameMain, reduced to plain data). */
export interface SenderFrame {
  url: string;
  /** null for a top-level frame. */
  parent: unknown;
}

/**
 * An IPC call is ours when it comes from the top frame of our renderer. A null frame (navigated away or
 * destroyed before the call was handled) is refused, as is any subframe.
 */
export function isTrustedSenderFrame(frame: SenderFrame | null | undefined, devOrigin: string | null = null): boolean {
  return !!frame && frame.parent === null && isTrustedRendererUrl(frame.url, devOrigin);
}

/** A link the user may open in the system browser: https only (no file:, no custom schemes, no http downgrade). */
export function isExternalLinkAllowed(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === 'https:' && u.username === '' && u.password === '';
  } catch {
    return false;
  }
}

/** The dev server origin from HOOKWATCH_RENDERER_DEV_URL: loopback http only, and never in a packaged app. */
export function devRendererOrigin(value: string | undefined, isPackaged: boolean): string | null {
  if (isPackaged || !value) return null;
  try {
    const u = new URL(value);
    if (u.protocol !== 'http:' || !['localhost', '127.0.0.1', '[::1]'].includes(u.hostname)) return null;
    return u.origin;
  } catch {
    return null;
  }
}
