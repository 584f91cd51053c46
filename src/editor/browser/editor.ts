/**
 * The editor's code, all of it: bundled by the build (esbuild, scripts/build-assets.js) into one minified IIFE
 * that defines the global GatewireTwilio, inlined once at the top of twilio.html. Running it sets up each node
 * type (the migrations of the flows it loads; for the operation nodes, their dialogs and help made from the
 * catalog); the registerType calls of src/editor/*.html, which follow it, pass what it exports here.
 */
import { COLLECTION_NODE_TYPES } from "../../catalog/node-types";
import { accountEditor } from "./account/account-editor";
import { operationEditor } from "./operation/operation-editor";
import { webhookEditor } from "./webhook/webhook-editor";
import { alertEditor } from "./alert/alert-editor";

export const account = accountEditor();
export const calls = operationEditor(COLLECTION_NODE_TYPES.calls, "calls");
export const messages = operationEditor(COLLECTION_NODE_TYPES.messages, "messages");
export const media = operationEditor(COLLECTION_NODE_TYPES.media, "media");
export const webhook = webhookEditor();
export const alert = alertEditor();

/** Twilio's cost of a text as the runtime counts it: for scripts and tests in the page. */
export { textCost } from "./operation/sms-counter";
