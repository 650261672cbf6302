// The feed's filter in the page: the contract's one event filter, and the filter said in words.
import type { EventFilter, EventSummary } from '../contract.js';
import { fold, matchesEvent, normalizeEventFilter, searchTerms } from '../contract.js';

export { fold, searchTerms };

/** The feed's filter as the user set it: the API filter plus the search box. */
export interface FeedFilter extends EventFilter {
  search?: string;
}

/**
 * Whether a live event belongs in the feed under this filter: the contract's one filter (the rules the
 * store's SQL follows), plus the search words folded as the full-text index folds them.
 */
export function matchesFilter(e: EventSummary, f: FeedFilter, terms: readonly string[] = searchTerms(f.search)): boolean {
  return matchesEvent(e, normalizeEventFilter(f), terms);
}

export function isFiltered(f: FeedFilter): boolean {
  return Boolean(f.provider || f.group || f.type || f.account || f.chat || f.from !== undefined || f.to !== undefined || f.search?.trim());
}

/** The filter in words, for headings and the export button. */
export function describeFilter(f: FeedFilter): string {
  const parts: string[] = [];
  if (f.provider) parts.push(`provider ${f.provider}`);
  if (f.type) parts.push(`type ${f.type}`);
  else if (f.group) parts.push(`${f.group} events`);
  if (f.account) parts.push(`account ${f.account}`);
  if (f.chat) parts.push(`chat ${f.chat}`);
  if (f.from !== undefined) parts.push(`received from ${new Date(f.from).toISOString()}`);
  if (f.to !== undefined) parts.push(`received before ${new Date(f.to).toISOString()}`);
  if (f.search?.trim()) parts.push(`matching “${f.search.trim()}”`);
  return parts.length ? parts.join(', ') : 'all events';
}
