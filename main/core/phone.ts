// Phone numbers in E.164: the pure function lives in the contract (main/contract/phone.ts), so the page filters as the store does.
export { toE164 } from '../contract/phone.js';
