/** The renderer's view of the one API contract: types, and the few constants it carries. */
export type * from '../../main/core/api/contract.js';
export { EVENT_GROUP_NAMES, HOOKWATCH_NOTIFICATION_KINDS } from '../../main/core/api/contract.js';
