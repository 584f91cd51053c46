/**
 * HTTP(S) proxies: a real forward proxy on 127.0.0.1 (support/connect-proxy.js, CONNECT tunnels), started here,
 * in front of the TLS stand-in under Twilio's host names. The proxy's log proves the path a request took, the
 * stand-in's record that it arrived (with the Twilio host name as TLS server name and Host).
 */
"use strict";
const assert = require("node:assert/strict");
const { helper, captureLog, loadNode, run, ACCOUNT_ID, NODE_ID, STANDIN_ACCOUNT_SID, STANDIN_AUTH_TOKEN } = require("./support/harness");
const { coreNode, loadFlow } = require("./support/runtime");
const { ConnectProxy } = require("./support/connect-proxy");
const { startTlsStandin, setEnv, NO_PROXY_ENV } = require("./support/tls-standin");
const { TwilioStandin } = require("../build/standin/server");

const SMS = { To: "+16175551212", From: "+15005550006", Body: "Pump 3 pressure high" };
const IE1_HOST = "api.dublin.ie1.twilio.com";
const PROXY_USER = "plant7";
const PROXY_PASSWORD = "pr0xy-s3cret-9f2c";

describe("proxies", function () {
    let tls;
    let proxy;
    let restoreEnv;

    before(async function () {
        tls = await startTlsStandin();
    });
    after(async function () {
        await tls.standin.stop();
        tls.cleanup();
    });
    beforeEach(async function () {
        tls.standin.reset();
        // the proxy resolves Twilio's names to the stand-in, as a real proxy would resolve them with DNS
        proxy = new ConnectProxy({ hosts: tls.connectTo });
        await proxy.start();
        restoreEnv = setEnv({ ...NO_PROXY_ENV, TWILIO_CA_BUNDLE: tls.caFile });
        // without a proxy, the connections for Twilio's names are opened on the stand-in directly
        helper.settings({ twilioConnectTo: tls.connectTo });
    });
    afterEach(async function () {
        await helper.unload();
        helper.settings({});
        restoreEnv();
        await proxy.stop();
    });

    async function sendSms(account, credentials) {
        await loadNode(undefined, { type: "twilio-messages", operation: "postMessage", account, credentials });
        return run({ payload: SMS });
    }

    function assertArrived(output, host = IE1_HOST) {
        assert.equal(output.port, 1, JSON.stringify(output.msg.payload));
        assert.equal(tls.standin.requests.length, 1);
        assert.equal(tls.standin.requests[0].servername, host);
        assert.equal(tls.standin.requests[0].headers.host, host);
        assert.equal(tls.standin.requests[0].form.Body, SMS.Body);
    }

    describe("from the environment", function () {
        it("HTTPS_PROXY: the request goes through the proxy (CONNECT to the region's host)", async function () {
            setEnv({ HTTPS_PROXY: proxy.url });
            const output = await sendSms({ region: "ie1" });
            assertArrived(output);
            assert.deepEqual(
                proxy.log.map(({ method, target, status }) => ({ method, target, status })),
                [{ method: "CONNECT", target: `${IE1_HOST}:443`, status: 200 }],
            );
        });

        it("lower-case https_proxy, as core's http request node reads it", async function () {
            setEnv({ https_proxy: proxy.url });
            assertArrived(await sendSms({ region: "ie1" }));
            assert.equal(proxy.log.length, 1);
            assert.equal(proxy.log[0].target, `${IE1_HOST}:443`);
        });

        it("HTTP_PROXY alone is used for https too, as the twilio SDK reads it", async function () {
            setEnv({ HTTP_PROXY: proxy.url });
            assertArrived(await sendSms({ region: "ie1" }));
            assert.equal(proxy.log.length, 1);
            assert.equal(proxy.log[0].target, `${IE1_HOST}:443`);
        });

        it("HTTPS_PROXY wins over HTTP_PROXY for https", async function () {
            const other = new ConnectProxy({ hosts: tls.connectTo });
            await other.start();
            try {
                setEnv({ HTTPS_PROXY: proxy.url, HTTP_PROXY: other.url });
                assertArrived(await sendSms({ region: "ie1" }));
                assert.equal(proxy.log.length, 1);
                assert.equal(other.log.length, 0);
            } finally {
                await other.stop();
            }
        });

        it("NO_PROXY applies to HTTP_PROXY as well", async function () {
            setEnv({ HTTP_PROXY: proxy.url, NO_PROXY: "*.ie1.twilio.com" });
            assertArrived(await sendSms({ region: "ie1" }));
            assert.equal(proxy.log.length, 0);
        });

        it("NO_PROXY naming the host's domain: direct, the proxy sees nothing", async function () {
            setEnv({ HTTPS_PROXY: proxy.url, NO_PROXY: "localhost,.twilio.com" });
            assertArrived(await sendSms({ region: "ie1" }));
            assert.equal(proxy.log.length, 0);
        });

        it("NO_PROXY naming another host: still through the proxy", async function () {
            setEnv({ HTTPS_PROXY: proxy.url, no_proxy: "example.com,api.twilio.com" });
            assertArrived(await sendSms({ region: "ie1" }));
            assert.equal(proxy.log.length, 1);
        });

        it("a loopback API base URL never goes to an environment proxy", async function () {
            const plain = new TwilioStandin();
            await plain.start();
            try {
                setEnv({ HTTPS_PROXY: proxy.url, HTTP_PROXY: proxy.url });
                const output = await sendSms({ apiBaseUrl: plain.url });
                assert.equal(output.port, 1, JSON.stringify(output.msg.payload));
                assert.equal(plain.requests.length, 1);
                assert.equal(proxy.log.length, 0);
            } finally {
                await plain.stop();
            }
        });

        it("the log names the proxy by its origin, never its user or password", async function () {
            const authenticating = new ConnectProxy({ hosts: tls.connectTo, credentials: { username: PROXY_USER, password: PROXY_PASSWORD } });
            await authenticating.start();
            const log = captureLog();
            try {
                const port = new URL(authenticating.url).port;
                setEnv({ HTTPS_PROXY: `http://${PROXY_USER}:${PROXY_PASSWORD}@127.0.0.1:${port}` });
                assertArrived(await sendSms({ region: "ie1" }));
                assert.equal(authenticating.log[0].status, 200);
                const lines = log.entries.map((entry) => String(entry.msg));
                assert.ok(lines.some((line) => line.includes(`through the proxy http://127.0.0.1:${port}`)), lines.join("\n"));
                assert.ok(!lines.some((line) => line.includes(PROXY_PASSWORD) || line.includes(PROXY_USER)), lines.join("\n"));
            } finally {
                log.stop();
                await authenticating.stop();
            }
        });
    });

    describe("the account's proxy setting", function () {
        let authenticating;
        beforeEach(async function () {
            authenticating = new ConnectProxy({ hosts: tls.connectTo, credentials: { username: PROXY_USER, password: PROXY_PASSWORD } });
            await authenticating.start();
        });
        afterEach(async function () {
            await authenticating.stop();
        });

        const credentials = (extra) => ({ accountSid: STANDIN_ACCOUNT_SID, authToken: STANDIN_AUTH_TOKEN, ...extra });

        it("a URL with the proxy's user and password in the account's credentials", async function () {
            const output = await sendSms({ region: "ie1", proxy: authenticating.url }, credentials({ proxyUsername: PROXY_USER, proxyPassword: PROXY_PASSWORD }));
            assertArrived(output);
            assert.equal(authenticating.log.length, 1);
            assert.equal(authenticating.log[0].target, `${IE1_HOST}:443`);
            assert.equal(authenticating.log[0].proxyAuthorization, "Basic " + Buffer.from(`${PROXY_USER}:${PROXY_PASSWORD}`).toString("base64"));
        });

        it("wins over the environment and its NO_PROXY", async function () {
            setEnv({ HTTPS_PROXY: proxy.url, NO_PROXY: "*" });
            const output = await sendSms({ region: "ie1", proxy: authenticating.url }, credentials({ proxyUsername: PROXY_USER, proxyPassword: PROXY_PASSWORD }));
            assertArrived(output);
            assert.equal(authenticating.log.length, 1);
            assert.equal(proxy.log.length, 0);
        });

        it("a wrong proxy password: NetworkError on output 2 that does not carry the password; nothing reached Twilio", async function () {
            const output = await sendSms({ region: "ie1", proxy: authenticating.url }, credentials({ proxyUsername: PROXY_USER, proxyPassword: "wrong-pa55" }));
            assert.equal(output.port, 2);
            assert.equal(output.msg.payload.type, "NetworkError");
            assert.ok(!JSON.stringify(output.msg).includes("wrong-pa55"));
            assert.equal(authenticating.log[0].status, 407);
            assert.equal(tls.standin.requests.length, 0);
        });

        it("a URL carrying a user and password in the flow is refused: ConfigError, nothing sent, the password not echoed", async function () {
            const port = new URL(authenticating.url).port;
            const output = await sendSms({ region: "ie1", proxy: `http://${PROXY_USER}:${PROXY_PASSWORD}@127.0.0.1:${port}` });
            assert.equal(output.port, 2);
            assert.equal(output.msg.payload.type, "ConfigError");
            assert.equal(output.msg.payload.status, 400);
            assert.match(output.msg.payload.error, new RegExp(`proxy http://127\\.0\\.0\\.1:${port} `));
            assert.ok(!output.msg.payload.error.includes(PROXY_PASSWORD));
            assert.equal(authenticating.log.length, 0);
            assert.equal(tls.standin.requests.length, 0);
        });

        it("a proxy that is not http(s) is a ConfigError", async function () {
            const output = await sendSms({ region: "ie1", proxy: "socks5://127.0.0.1:1080" });
            assert.equal(output.port, 2);
            assert.equal(output.msg.payload.type, "ConfigError");
            assert.match(output.msg.payload.error, /proxy socks5:\/\/127\.0\.0\.1:1080 /);
        });

        describe("core's http proxy config node", function () {
            async function loadWithProxyNode(proxyNode) {
                const flow = [
                    { id: "tab1", type: "tab", label: "test" },
                    { id: "proxy1", type: "http proxy", name: "plant proxy", url: authenticating.url, noproxy: [], ...proxyNode },
                    { id: ACCOUNT_ID, type: "twilio-account", region: "ie1", proxy: "proxy1", timeout: 5 },
                    { id: NODE_ID, z: "tab1", type: "twilio-messages", account: ACCOUNT_ID, operation: "postMessage", wires: [["out1"], ["out2"]] },
                    { id: "out1", z: "tab1", type: "helper" },
                    { id: "out2", z: "tab1", type: "helper" },
                ];
                const creds = {
                    [ACCOUNT_ID]: { accountSid: STANDIN_ACCOUNT_SID, authToken: STANDIN_AUTH_TOKEN },
                    proxy1: { username: PROXY_USER, password: PROXY_PASSWORD },
                };
                await loadFlow(flow, creds, [coreNode("network/06-httpproxy.js")]);
                return run({ payload: SMS });
            }

            it("its URL and its credentials", async function () {
                assertArrived(await loadWithProxyNode({}));
                assert.equal(authenticating.log.length, 1);
                assert.equal(authenticating.log[0].status, 200);
            });

            it("its no-proxy list naming the host: direct", async function () {
                assertArrived(await loadWithProxyNode({ noproxy: ["example.com", ".ie1.twilio.com"] }));
                assert.equal(authenticating.log.length, 0);
            });
        });
    });
});
