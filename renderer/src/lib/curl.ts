// Builds a curl command that replays a stored request (pure).
import type { EventDetailView } from '../contract.js';

/** One shell word in single quotes (a quote inside becomes '\''). */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * A curl command that sends the stored request again to the receiver, with the same body, content type
 * and provider path. Built here in the page from the user's own webhook URL, so the secret it contains
 * never passes through a log. Null when the stored body is incomplete.
 */
export function replayCurl(webhookUrl: string, request: EventDetailView['request']): string | null {
  if (request.bodyText === null || request.bodyTruncated) return null;
  const url = request.forcedProvider ? `${webhookUrl.replace(/\/+$/, '')}/${request.forcedProvider}` : webhookUrl;
  return [
    'curl -sS -X POST',
    shellQuote(url),
    '-H',
    shellQuote(`Content-Type: ${request.contentType ?? 'application/json'}`),
    '--data-binary',
    shellQuote(request.bodyText),
  ].join(' ');
}
