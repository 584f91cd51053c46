/**
 * Everything the dialogs run of the package's TypeScript, bundled by the build (esbuild, scripts/build-assets.js)
 * into one minified IIFE that defines the global GatewireTwilio, inlined once into twilio.html; each node's
 * script calls it `twilioShared`. The operation nodes' dialogs, help and fields are made here from the catalog.
 */
export * from "./shared";
export * from "./operation/sms-counter";
export { parseMaxSegments } from "../../rules/sms-text";
export { editorModel, hasSmsText, hasStatusWebhook } from "./operation/editor-model";
export { operationDialog } from "./operation/dialog";
export { groupHelpHtml } from "./operation/help-html";
