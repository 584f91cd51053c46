/**
 * The region/edge → API host rule (src/rules/twilio-host.ts) is pure, so that the account dialog runs it too;
 * the twilio SDK stays its oracle. Every region × edge below (Twilio's documented ones, blank, upper case,
 * spaces, names Twilio may add later) goes through the rule and through a real SDK client configured with
 * that region and edge (`twilio(sid, token, {region, edge})`), whose request is caught before it leaves: the
 * origins must be equal. The rule's one addition is stated, not hidden: a region without an edge goes to its
 * home edge (HOME_EDGE), which the SDK is given as the edge. Values that are not one DNS label are refused.
 */
"use strict";
const assert = require("node:assert/strict");
const twilio = require("twilio");

const { apiHost, hostSettingRefused, REGIONS, EDGES, HOME_EDGE } = require("../build/rules/twilio-host");

const ACCOUNT_SID = `AC${"0".repeat(32)}`;

/** The origin the SDK sends a request to for this region and edge; "" is blank (no TWILIO_REGION/EDGE read). */
async function sdkOrigin(region, edge) {
    let uri;
    const httpClient = {
        request(options) {
            uri = options.uri;
            return Promise.resolve({ statusCode: 200, body: "{}", headers: {} });
        },
    };
    const client = twilio(ACCOUNT_SID, "token", { region, edge, env: {}, httpClient });
    await client.request({ method: "get", uri: "https://api.twilio.com/2010-04-01/Accounts.json" });
    return new URL(uri).origin;
}

/** Accepted: the SDK's rule applies (blank, case and spaces as the rule reads them, future names). */
const GOOD_REGIONS = ["", ...REGIONS, "IE1", " au1 ", "jp1", "constructor"];
const GOOD_EDGES = ["", ...EDGES, "Dublin", " tokyo ", "newedge"];
/** Not one DNS label: the SDK would change the host's shape (a.b), or keep api.twilio.com (US1) for one URL cannot set (a space). */
const BAD = ["bad_label", "a.b", "-x", "x-", "x".repeat(64), "ie1/x", "dublin:443", "bad edge", "é1", "${TWILIO_REGION}"];

describe("the API host rule against the twilio SDK", function () {
    for (const region of GOOD_REGIONS) {
        it(`region ${JSON.stringify(region)} with each edge: the SDK's host, a region alone at its home edge`, async function () {
            const disagree = [];
            for (const edge of GOOD_EDGES) {
                const rule = apiHost(region, edge);
                const targetEdge = edge.trim() || HOME_EDGE[region.trim().toLowerCase()];
                if (region.trim() && !edge.trim() && !REGIONS.includes(region.trim().toLowerCase())) {
                    // a region with no home edge needs an edge: the SDK's short form is no longer served
                    const refused = !rule.ok && rule.setting === "edge" && rule.value === "";
                    if (!refused) disagree.push(`${JSON.stringify([region, edge])}: ${JSON.stringify(rule)}, expected a refused edge`);
                    continue;
                }
                const sdk = await sdkOrigin(region.trim(), targetEdge || "");
                if (!rule.ok || rule.origin !== sdk) disagree.push(`${JSON.stringify([region, edge])}: rule ${JSON.stringify(rule)}, SDK ${sdk}`);
            }
            assert.deepEqual(disagree, []);
        });
    }

    it("both blank, undefined or not text: https://api.twilio.com, as the SDK without region and edge", async function () {
        const sdk = await sdkOrigin("", "");
        assert.equal(sdk, "https://api.twilio.com");
        for (const [region, edge] of [["", ""], [undefined, undefined], [null, null], ["  ", " "], [5, {}]]) {
            assert.deepEqual(apiHost(region, edge), { ok: true, origin: sdk }, JSON.stringify([region, edge]));
        }
    });

    it("a region alone goes to its home edge, not to the SDK's short form api.{region}.twilio.com", async function () {
        for (const region of REGIONS) {
            assert.equal(await sdkOrigin(region, ""), `https://api.${region}.twilio.com`, "the SDK's own short form");
            assert.deepEqual(apiHost(region, ""), { ok: true, origin: `https://api.${HOME_EDGE[region]}.${region}.twilio.com` });
        }
    });

    it("refuses a region or an edge that is not one DNS label, naming the setting and its value", function () {
        for (const value of BAD) {
            const cleaned = value.trim().toLowerCase();
            assert.deepEqual(apiHost(value, "dublin"), { ok: false, setting: "region", value: cleaned }, `region ${value}`);
            assert.deepEqual(apiHost("ie1", value), { ok: false, setting: "edge", value: cleaned }, `edge ${value}`);
            assert.deepEqual(apiHost(value, value), { ok: false, setting: "region", value: cleaned }, `both ${value}`);
        }
    });

    it("the dialog marks the setting refused, and both when a region without home edge has no edge", function () {
        const marks = (region, edge) => ["region", "edge"].filter((setting) => hostSettingRefused(setting, region, edge));
        assert.deepEqual(marks("", ""), []);
        assert.deepEqual(marks("ie1", ""), []);
        assert.deepEqual(marks("jp1", "tokyo"), []);
        assert.deepEqual(marks("bad_label", "dublin"), ["region"]);
        assert.deepEqual(marks("ie1", "a.b"), ["edge"]);
        assert.deepEqual(marks("jp1", ""), ["region", "edge"]);
    });
});
