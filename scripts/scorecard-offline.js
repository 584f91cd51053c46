/**
 * Preload (node -r) for scripts/scorecard.js: node-red-dev 0.1.6's validate asks the Flow Library catalogue
 * (GET https://catalogue.nodered.org/catalogue.json with axios, in src/libs/checkpackage.js for P08 and
 * src/libs/checknodes.js for N01), which this machine cannot reach. This answers exactly that request with an
 * empty catalogue; every other request (the npm registry for P06, P07, D02, D03) goes out as usual.
 */
"use strict";
const path = require("node:path");

const CATALOGUE_URL = "https://catalogue.nodered.org/catalogue.json";

// the axios that node-red-dev's checks require, not whichever one the package root would find
const libs = path.join(path.dirname(require.resolve("node-red-dev/package.json")), "src", "libs");
const axios = require(require.resolve("axios", { paths: [libs] }));

const realGet = axios.get;
axios.get = function get(url, ...rest) {
    if (url === CATALOGUE_URL) {
        process.stderr.write(`scorecard-offline: answered GET ${CATALOGUE_URL} with an empty catalogue\n`);
        return Promise.resolve({
            data: { modules: [] },
            status: 200,
            statusText: "OK",
            headers: { "content-type": "application/json" },
            config: { url, method: "get" },
        });
    }
    return realGet.call(this, url, ...rest);
};
