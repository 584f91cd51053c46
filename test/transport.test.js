/**
 * The account's HTTP client (src/sender/api-http.ts, undici) against the twilio SDK's own client: both send the
 * same requests to a raw HTTP server on 127.0.0.1, which records them as they arrive. What Twilio receives must
 * not change with the transport: method, path and query, the form (lists as repeated keys, the SDK's encoding),
 * Basic authorization and the SDK's headers.
 */
"use strict";
const assert = require("node:assert/strict");
const http = require("node:http");
const twilio = require("twilio");
const { createApiHttp } = require("../build/sender/api-http");
const { EMPTY_TWIML } = require("../build/nodes/webhook/twiml");

const AUTH = { username: "AC0123456789abcdef0123456789abcdef", password: "transport-test-token" };

/** A server that answers 201 with a small JSON body and records each request. */
async function recordingServer() {
    const received = [];
    const server = http.createServer((req, res) => {
        let body = "";
        req.on("data", (chunk) => (body += chunk));
        req.on("end", () => {
            received.push({ method: req.method, url: req.url, headers: req.headers, body });
            res.writeHead(req.url.includes("Missing") ? 404 : 201, { "content-type": "application/json" });
            res.end(req.url.includes("Missing") ? '{"code":20404,"message":"not found"}' : '{"sid":"SM1","status":"queued"}');
        });
    });
    await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
    return { received, url: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((resolve) => server.close(resolve)) };
}

/** What of a recorded request Twilio reads: the transport's own connection headers left out. */
function wire({ method, url, headers, body }) {
    const { host, connection, "content-length": length, ...rest } = headers;
    assert.ok(host);
    return { method, url, headers: rest, body, length: body === "" ? undefined : Number(length) };
}

const REQUESTS = [
    {
        method: "post",
        uri: `https://api.twilio.com/2010-04-01/Accounts/${AUTH.username}/Messages.json`,
        fields: { To: "+16175551212", From: "+15005550006", Body: "Pump 3: 100% (über) *alarm* ! 'quote' ~ é 😀", MediaUrl: ["https://a.example/1.png?x=1&y=2", "https://a.example/2 b.png"] },
    },
    {
        method: "post",
        uri: `https://api.twilio.com/2010-04-01/Accounts/${AUTH.username}/Calls.json`,
        fields: { To: "+16175551212", From: "+15005550006", Url: "https://example.com/twiml", StatusCallbackEvent: ["initiated", "ringing", "answered"] },
    },
    { method: "get", uri: `https://api.twilio.com/2010-04-01/Accounts/${AUTH.username}/Messages.json`, fields: { To: "+16175551212", "DateSent>": "2026-01-01", PageSize: "20" } },
    { method: "get", uri: `https://api.twilio.com/2010-04-01/Accounts/${AUTH.username}/Messages/SM0123456789abcdef0123456789abcdef.json`, fields: {} },
    { method: "delete", uri: `https://api.twilio.com/2010-04-01/Accounts/${AUTH.username}/Messages/SMMissing.json`, fields: {} },
];

describe("transport: the account's HTTP client sends what the twilio SDK sends", function () {
    let server;
    beforeEach(async function () {
        server = await recordingServer();
    });
    afterEach(async function () {
        await server.close();
    });

    for (const request of REQUESTS) {
        it(`${request.method.toUpperCase()} ${request.uri.split("/").pop()}`, async function () {
            const ours = createApiHttp(server.url, 5000, 2);
            let answer;
            try {
                answer = await ours.request(request, AUTH);
            } finally {
                ours.close();
            }
            // the SDK, redirected to the same server, as twilio-node 6 sends it
            class ToServer extends twilio.RequestClient {
                request(opts) {
                    return super.request({ ...opts, uri: opts.uri.replace("https://api.twilio.com", server.url) });
                }
            }
            const client = twilio(AUTH.username, AUTH.password, { httpClient: new ToServer({ keepAlive: false }) });
            const fields = request.method === "post" ? { data: request.fields } : { params: request.fields };
            const sdkAnswer = await client.request({ method: request.method, uri: request.uri, ...fields });

            assert.equal(server.received.length, 2);
            const [mine, sdk] = server.received.map(wire);
            // axios asks for compressed answers; Twilio reads the headers the SDK sets itself
            delete sdk.headers["accept-encoding"];
            assert.deepEqual(mine, sdk);
            assert.equal(answer.statusCode, sdkAnswer.statusCode);
            assert.deepEqual(answer.body, sdkAnswer.body);
        });
    }

    it("a refused connection rejects with the socket's code and nothing of the request", async function () {
        const port = (await recordingServer().then(async (closed) => (await closed.close(), closed.url))).split(":").pop();
        const ours = createApiHttp(`http://127.0.0.1:${port}`, 5000, 1);
        try {
            await assert.rejects(ours.request(REQUESTS[0], AUTH), (err) => {
                assert.equal(err.code, "ECONNREFUSED");
                assert.ok(!JSON.stringify({ ...err, message: err.message, stack: err.stack }).includes(AUTH.password));
                return true;
            });
        } finally {
            ours.close();
        }
    });

    it("no answer within the timeout: ETIMEDOUT, as retries and outcomes read it", async function () {
        const silent = http.createServer(() => undefined);
        await new Promise((resolve) => silent.listen(0, "127.0.0.1", resolve));
        const ours = createApiHttp(`http://127.0.0.1:${silent.address().port}`, 300, 1);
        try {
            await assert.rejects(ours.request(REQUESTS[3], AUTH), { code: "ETIMEDOUT" });
        } finally {
            ours.close();
            silent.closeAllConnections();
            await new Promise((resolve) => silent.close(resolve));
        }
    });

    it("the empty TwiML answer is what the SDK's builder writes", function () {
        assert.equal(EMPTY_TWIML, new twilio.twiml.MessagingResponse().toString());
    });
});
