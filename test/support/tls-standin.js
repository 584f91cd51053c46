/**
 * The stand-in served over TLS under Twilio's host names, for the region, edge and proxy tests: a self-signed
 * certificate made for the test (selfsigned), trusted through TWILIO_CA_BUNDLE, the twilio SDK's documented
 * variable for the certificates to trust, which the account's agents read when they are created; and settings.js'
 * twilioConnectTo, which opens the connections for those names on the stand-in's port while TLS (SNI, the
 * certificate check) and the Host header keep the Twilio name. The system's resolver is never asked.
 */
"use strict";
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const selfsigned = require("selfsigned");
const { TwilioStandin } = require("../../build/standin/server");

/** The host names the certificate is for: what the tests' regions and edges make. */
const TWILIO_HOSTS = ["api.twilio.com", "api.dublin.ie1.twilio.com", "api.sydney.au1.twilio.com", "api.frankfurt.us1.twilio.com", "api.ashburn.us1.twilio.com"];

async function startTlsStandin() {
    const pems = await selfsigned.generate([{ name: "commonName", value: "api.twilio.com" }], {
        keySize: 2048,
        algorithm: "sha256",
        extensions: [
            { name: "basicConstraints", cA: true },
            { name: "subjectAltName", altNames: [...TWILIO_HOSTS.map((value) => ({ type: 2, value })), { type: 7, ip: "127.0.0.1" }] },
        ],
    });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "twilio-tls-"));
    const caFile = path.join(dir, "standin-ca.pem");
    fs.writeFileSync(caFile, pems.cert);
    const standin = new TwilioStandin({ tls: { key: pems.private, cert: pems.cert } });
    await standin.start();
    const port = new URL(standin.url).port;
    const connectTo = Object.fromEntries(TWILIO_HOSTS.map((host) => [`${host}:443`, `127.0.0.1:${port}`]));
    return { standin, caFile, connectTo, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** Sets environment variables for one test and gives back a function that restores them. */
function setEnv(values) {
    const saved = Object.fromEntries(Object.keys(values).map((name) => [name, process.env[name]]));
    for (const [name, value] of Object.entries(values)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
    }
    return () => {
        for (const [name, value] of Object.entries(saved)) {
            if (value === undefined) delete process.env[name];
            else process.env[name] = value;
        }
    };
}

/** Every variable a proxy can come from, cleared: a test sets the ones it is about. */
const NO_PROXY_ENV = Object.fromEntries(
    ["HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "NO_PROXY"].flatMap((name) => [[name, undefined], [name.toLowerCase(), undefined]]),
);

module.exports = { startTlsStandin, setEnv, NO_PROXY_ENV, TWILIO_HOSTS };
