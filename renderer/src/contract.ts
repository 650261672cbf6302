// The renderer's view of the one API contract (main/contract): types, the few constants, and the pure event filter.
export type * from '../../main/contract/api.js';
export type { FilterableEvent, NormalizedEventFilter } from '../../main/contract/filter.js';
export { EVENT_GROUP_NAMES, HOOKWATCH_NOTIFICATION_KINDS } from '../../main/contract/api.js';
export { accountHeading, accountId, accountLabel, accountTitle } from '../../main/contract/account-label.js';
export { fold, matchesEvent, normalizeEventFilter, searchTerms } from '../../main/contract/filter.js';
