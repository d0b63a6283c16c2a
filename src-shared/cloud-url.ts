/**
 * Which addresses the app may send the cloud's keys to: https anywhere, plain http only to this computer (the
 * loopback addresses 127.0.0.0/8 and ::1, and `localhost`), where nothing travels on a network. Used by the settings
 * contract (the user is told at once) and by the cloud client (which refuses to send a key elsewhere).
 */

/** Whether `hostname` (as `URL.hostname` gives it: an IPv6 literal in brackets) names this computer. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (host === '[::1]') return true;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

export const CLOUD_URL_RULE =
  'The cloud URL must be an https:// address (http:// only for this computer: localhost, 127.x.x.x or [::1]), so that API keys never travel unencrypted.';

/** Null when `url` is an address keys may be sent to; else the sentence that says why not. */
export function cloudUrlProblem(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return CLOUD_URL_RULE;
  }
  if (parsed.protocol === 'https:') return null;
  if (parsed.protocol === 'http:' && isLoopbackHost(parsed.hostname)) return null;
  return CLOUD_URL_RULE;
}
