/**
 * The account's own rules, one copy for the runtime and the dialog: which Sids its credential fields take.
 * (Its base URL rule is base-url.ts; its numeric settings' defaults are the catalog's.)
 */
import { sidPattern } from "../catalog/patterns";

export const ACCOUNT_SID_PATTERN = sidPattern(["AC"]);
export const API_KEY_SID_PATTERN = sidPattern(["SK"]);
