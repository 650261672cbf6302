/**
 * WhatsAble registration: instructions to paste the URL in its dashboard, not API calls.
 *
 * Why no API client here: the webhook endpoints WhatsAble documents (its "Internal API
 * Reference": GET /api/webhooks/get, POST /api/webhooks/create, DELETE /api/webhooks/delete) are
 * the dashboard's own internal API, authenticated with the Bearer access token of a logged-in
 * browser session, not with the user's API key. Using them would mean asking people for their
 * session token (short-lived, and as powerful as their password) and depending on an API that
 * WhatsAble may change without notice. There is also no update call and no event-type field, so
 * a URL change would be delete + create anyway, and their own troubleshooting warns that stale
 * duplicate webhooks cause trouble. Pasting one URL once is safer; when the tunnel URL changes
 * Hookwatch shows these steps again.
 */
import { redactWebhookSecrets, RegistrationInputError, targetUrlFor } from '../webhook-url.js';

export const WHATSABLE_WEBHOOKS_PAGE = 'Operations > Webhooks';

export interface WhatsableSetupInstructions {
  /** The exact URL to paste. It contains the webhook secret: show it to the user, never log it. */
  url: string;
  /** The same with the secret replaced by `{secret}`, for logs. */
  urlRedacted: string;
  title: string;
  steps: string[];
  notes: string[];
}

/**
 * Steps to register Hookwatch in the WhatsAble dashboard. `url` is the full webhook URL
 * (`<public>/hooks/<secret>/whatsable`, or without the provider suffix: the receiver detects
 * WhatsAble payloads either way). Use whatsableWebhookUrl() to build it from the public URL.
 */
export function whatsableSetupInstructions(url: string): WhatsableSetupInstructions {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new RegistrationInputError(
      'the WhatsAble webhook URL is not a URL: start the tunnel (hookwatch serve) and use the public URL it prints',
    );
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new RegistrationInputError('WhatsAble accepts only http:// or https:// webhook URLs');
  }
  const notes = [
    'WhatsAble must answer within 10 seconds and may deliver the same message twice; Hookwatch answers at once and keeps the repeat as a second delivery of the same event.',
    'When the public URL changes (a new tunnel address), the old webhook stops working: delete it in WhatsAble and add the new URL. Hookwatch shows these steps again when that happens.',
    'Keep only one Hookwatch webhook in WhatsAble: old or duplicate entries make WhatsAble send to dead addresses.',
  ];
  if (parsed.protocol === 'http:')
    notes.unshift('This URL is http://, not https://: WhatsAble accepts it, but asks for HTTPS in production.');
  return {
    url,
    urlRedacted: redactWebhookSecrets(url),
    title: 'Connect WhatsAble to Hookwatch',
    steps: [
      'Open the WhatsAble dashboard and sign in.',
      `Go to ${WHATSABLE_WEBHOOKS_PAGE}.`,
      'If an older Hookwatch webhook is listed (an address containing /hooks/), open its ⋮ menu, choose Delete and confirm.',
      'Click New Webhook.',
      `Paste this URL into Endpoint URL: ${url}`,
      'Click Create Webhook.',
      'Send a WhatsApp message to your WhatsAble number; it appears in Hookwatch within seconds.',
    ],
    notes,
  };
}

/** `<publicUrl>/hooks/<secret>/whatsable`: the provider suffix makes the receiver skip detection. */
export function whatsableWebhookUrl(publicUrl: string, secret: string, allowLocalUrl = false): string {
  return `${targetUrlFor(publicUrl, secret, allowLocalUrl)}/whatsable`;
}
