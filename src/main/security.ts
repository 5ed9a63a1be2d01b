import { pathToFileURL } from 'node:url';
import type { Session, WebContents } from 'electron';

// The Electron security baseline in one place (DESIGN.md): strict CSP, no navigation, no new windows, no remote
// content, no permissions, and a sender check every IPC handler runs.

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  // React sets style attributes; no remote stylesheets.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export interface RendererOrigin {
  /** Absolute path of the built renderer's index.html (out/renderer/index.html). */
  rendererFile: string;
  /** electron-vite's dev server URL in development, undefined in a build. */
  devServerUrl?: string;
}

/** True only for our own renderer page: the exact file:// index.html, or the dev server's origin. */
export function isTrustedSenderUrl(url: string | undefined | null, origin: RendererOrigin): boolean {
  if (!url) return false;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol === 'file:') {
    const expected = pathToFileURL(origin.rendererFile);
    return parsed.pathname === expected.pathname && parsed.host === '';
  }
  if (origin.devServerUrl) {
    try {
      return parsed.origin === new URL(origin.devServerUrl).origin;
    } catch {
      return false;
    }
  }
  return false;
}

/** Only our bundle's files (and the dev server in development) may load; anything remote is cancelled. */
export function isAllowedRequestUrl(url: string, origin: RendererOrigin): boolean {
  if (url.startsWith('file:') || url.startsWith('devtools:') || url.startsWith('data:')) return true;
  if (origin.devServerUrl) {
    try {
      const o = new URL(origin.devServerUrl);
      const u = new URL(url);
      return u.origin === o.origin || (u.protocol === 'ws:' && u.host === o.host);
    } catch {
      return false;
    }
  }
  return false;
}

export function hardenSession(ses: Session, origin: RendererOrigin): void {
  ses.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] },
    });
  });
  ses.webRequest.onBeforeRequest((details, callback) => {
    callback({ cancel: !isAllowedRequestUrl(details.url, origin) });
  });
  // The wizard needs no camera, notifications, clipboard reads...: deny every permission.
  ses.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);
}

export function hardenContents(contents: WebContents): void {
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}
