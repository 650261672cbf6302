/** The fallback dedupe key every provider shares: a hash of the canonical body, blind to key order and whitespace. */
import { canonicalJson, sha256Hex } from '../json.js';

export function bodyHashKey(body: unknown): string {
  return `h:${sha256Hex(canonicalJson(body))}`;
}
