/**
 * Regions and edges: every request of an account goes to api.{edge}.{region}.twilio.com, judged by the requests
 * a TLS stand-in records under Twilio's host names: the TLS server name (SNI) and the Host header. Host names
 * are never looked up: settings.js' twilioConnectTo opens those connections on the stand-in (see
 * support/tls-standin.js), and the stand-in's self-signed certificate is trusted through TWILIO_CA_BUNDLE.
 */
"use strict";
const assert = require("node:assert/strict");
const { helper, loadNode, run, STANDIN_ACCOUNT_SID } = require("./support/harness");
const { startTlsStandin, setEnv, NO_PROXY_ENV } = require("./support/tls-standin");

const SMS = { To: "+16175551212", From: "+15005550006", Body: "Pump 3 pressure high" };

describe("regions and edges", function () {
    let tls;
    let restoreEnv;

    before(async function () {
        tls = await startTlsStandin();
    });
    after(async function () {
        await tls.standin.stop();
        tls.cleanup();
    });
    beforeEach(function () {
        tls.standin.reset();
        restoreEnv = setEnv({ ...NO_PROXY_ENV, TWILIO_CA_BUNDLE: tls.caFile, TWILIO_REGION: undefined, TWILIO_EDGE: undefined });
        helper.settings({ twilioConnectTo: tls.connectTo });
    });
    afterEach(async function () {
        await helper.unload();
        helper.settings({});
        restoreEnv();
    });

    /** Sends one SMS through an account with these settings; resolves with the output and the requests. */
    async function send(account) {
        await loadNode(undefined, { type: "twilio-messages", operation: "postMessage", account });
        const output = await run({ payload: SMS });
        return { output, requests: tls.standin.requests };
    }

    function assertReached(result, host) {
        assert.equal(result.output.port, 1, JSON.stringify(result.output.msg.payload));
        assert.match(result.output.msg.payload.sid, /^SM[0-9a-f]{32}$/);
        assert.equal(result.requests.length, 1);
        const [request] = result.requests;
        assert.equal(request.servername, host, "TLS server name");
        assert.equal(request.headers.host, host, "Host header");
        assert.equal(request.path, `/2010-04-01/Accounts/${STANDIN_ACCOUNT_SID}/Messages.json`);
        assert.equal(request.form.Body, SMS.Body);
    }

    it("blank region and edge: api.twilio.com (US1)", async function () {
        assertReached(await send({ region: "", edge: "" }), "api.twilio.com");
    });

    it("region ie1 without an edge: its own edge, api.dublin.ie1.twilio.com, never the retired api.ie1.twilio.com", async function () {
        assertReached(await send({ region: "ie1", edge: "" }), "api.dublin.ie1.twilio.com");
    });

    it("region au1 and edge sydney: api.sydney.au1.twilio.com", async function () {
        assertReached(await send({ region: "au1", edge: "sydney" }), "api.sydney.au1.twilio.com");
    });

    it("an edge without a region: region us1, as the SDK does (api.frankfurt.us1.twilio.com)", async function () {
        assertReached(await send({ region: "", edge: "frankfurt" }), "api.frankfurt.us1.twilio.com");
    });

    it("region us1 without an edge: api.ashburn.us1.twilio.com", async function () {
        assertReached(await send({ region: "us1" }), "api.ashburn.us1.twilio.com");
    });

    it("the SDK's TWILIO_REGION / TWILIO_EDGE variables do not move an account: its settings alone decide", async function () {
        setEnv({ TWILIO_REGION: "au1", TWILIO_EDGE: "sydney" });
        assertReached(await send({ region: "", edge: "" }), "api.twilio.com");
    });

    it("the API base URL wins over region and edge", async function () {
        const result = await send({ region: "ie1", edge: "dublin", apiBaseUrl: tls.standin.url });
        assert.equal(result.output.port, 1, JSON.stringify(result.output.msg.payload));
        assert.equal(result.requests.length, 1);
        assert.equal(result.requests[0].headers.host, new URL(tls.standin.url).host);
        assert.equal(result.requests[0].servername, undefined, "no SNI for an IP address");
    });

    it("a region that is not a host name label is a ConfigError (400) and nothing is sent", async function () {
        const { output, requests } = await send({ region: "ie1.example.com" });
        assert.equal(output.port, 2);
        assert.equal(output.msg.payload.type, "ConfigError");
        assert.equal(output.msg.payload.status, 400);
        assert.match(output.msg.payload.error, /region "ie1\.example\.com"/);
        assert.equal(requests.length, 0);
    });

    it("a region of no known edge (not in the list) needs an edge: ConfigError, nothing sent", async function () {
        const { output, requests } = await send({ region: "jp1" });
        assert.equal(output.port, 2);
        assert.equal(output.msg.payload.type, "ConfigError");
        assert.match(output.msg.payload.error, /edge "" of the twilio-account node cannot be used/);
        assert.equal(requests.length, 0);
    });
});
