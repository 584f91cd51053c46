#!/usr/bin/env node
/**
 * Runs the stand-in on its own: node build/standin/cli.js [--port 8089] [--host 127.0.0.1] [--no-record]
 * Prints the base URL on its first line.
 */
import { parseArgs } from "node:util";
import { STANDIN_ACCOUNT_SID, STANDIN_AUTH_TOKEN, TwilioStandin } from "./server";

const { values } = parseArgs({
    options: {
        port: { type: "string", default: "0" },
        host: { type: "string", default: "127.0.0.1" },
        // a long run (a benchmark) need not keep every request in memory
        "no-record": { type: "boolean", default: false },
    },
});
const standin = new TwilioStandin({ port: Number(values.port), host: values.host, record: !values["no-record"] });
standin.start().then((url) => {
    console.log(`Twilio API stand-in on ${url}`);
    console.log(`Account SID ${STANDIN_ACCOUNT_SID}, auth token ${STANDIN_AUTH_TOKEN} (a local test account, not a secret)`);
});
for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => void standin.stop().then(() => process.exit(0)));
