/**
 * The countries the account's default country may be: the ISO 3166-1 codes libphonenumber-js knows, as the
 * runtime reads the setting (src/rules/phone-numbers.ts). The build bundles this module as its value, the list
 * itself (scripts/build-assets.js), so that libphonenumber's metadata stays out of the editor.
 */
import { knownCountries } from "../../../rules/phone-numbers";

export const COUNTRIES: readonly string[] = knownCountries();
