import type { EventFilter, EventSummary } from '../contract.js';

/** The feed's filter as the user set it: the API filter plus the search box. */
export interface FeedFilter extends EventFilter {
  search?: string;
}

/**
 * Words of a search, folded the way the store's FTS5 tokenizer (unicode61, remove_diacritics 2) folds
 * them: letters and digits only, lower case, accents removed.
 */
export function searchTerms(input: string | undefined): string[] {
  if (!input) return [];
  return (input.match(/[\p{L}\p{N}_]+/gu) ?? []).map(fold);
}

export function fold(s: string): string {
  return s.normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase();
}

const SEARCHED_FIELDS = ['text', 'chatName', 'accountName', 'chatPhone', 'accountPhone'] as const;

/** Whether a live event belongs in the feed under this filter (the same rules the store applies). */
export function matchesFilter(e: EventSummary, f: FeedFilter, terms: string[] = searchTerms(f.search)): boolean {
  if (f.provider && e.provider !== f.provider) return false;
  if (f.type) {
    if (e.type !== f.type) return false;
  } else if (f.group && e.group !== f.group) return false;
  if (f.account && e.accountPhone !== f.account && e.accountId !== f.account) return false;
  if (f.chat && e.chatId !== f.chat) return false;
  if (terms.length > 0) {
    const words = new Set<string>();
    for (const field of SEARCHED_FIELDS) {
      const v = e[field];
      if (v) for (const w of v.match(/[\p{L}\p{N}_]+/gu) ?? []) words.add(fold(w));
    }
    for (const t of terms) {
      let found = false;
      for (const w of words) {
        if (w.startsWith(t)) {
          found = true;
          break;
        }
      }
      if (!found) return false;
    }
  }
  return true;
}

export function isFiltered(f: FeedFilter): boolean {
  return Boolean(f.provider || f.group || f.type || f.account || f.chat || f.search?.trim());
}

/** The filter in words, for headings and the export button. */
export function describeFilter(f: FeedFilter): string {
  const parts: string[] = [];
  if (f.provider) parts.push(`provider ${f.provider}`);
  if (f.type) parts.push(`type ${f.type}`);
  else if (f.group) parts.push(`${f.group} events`);
  if (f.account) parts.push(`account ${f.account}`);
  if (f.chat) parts.push(`chat ${f.chat}`);
  if (f.search?.trim()) parts.push(`matching “${f.search.trim()}”`);
  return parts.length ? parts.join(', ') : 'all events';
}
