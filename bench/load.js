/**
 * What loading a node file costs, as Node-RED pays it at start for every installed node: `require()` of the
 * file and the call of its exported function with RED (registering its types and admin routes), in a fresh
 * process. Prints one line `LOAD <json>` with the time (ms) and the growth of RSS and heap (bytes).
 * bench/run.js starts it several times per file (argv[2]) and reports medians.
 */
"use strict";
const { performance } = require("node:perf_hooks");

const file = process.argv[2];
const noop = () => undefined;
const routes = { get: noop, post: noop, put: noop, delete: noop, use: noop };
/** What a node file touches of RED while it registers: each call does nothing. */
const RED = {
    nodes: { registerType: noop, createNode: noop, getNode: noop, getCredentials: noop, eachNode: noop },
    settings: {},
    httpAdmin: routes,
    httpNode: routes,
    server: {},
    auth: { needsPermission: () => (req, res, next) => next() },
    _: (key) => key,
    log: { info: noop, warn: noop, error: noop, debug: noop, trace: noop, log: noop },
    events: { on: noop, once: noop, removeListener: noop },
    hooks: { add: noop, remove: noop },
    util: { evaluateNodeProperty: noop, prepareJSONataExpression: noop, cloneMessage: (msg) => msg },
    version: () => "4.1.15",
};

(async () => {
    global.gc?.();
    const before = process.memoryUsage();
    const started = performance.now();
    const register = require(file);
    await (register.default ?? register)(RED);
    const ms = performance.now() - started;
    const after = process.memoryUsage();
    console.log(`LOAD ${JSON.stringify({ ms, rss: after.rss - before.rss, heap: after.heapUsed - before.heapUsed })}`);
})().catch((err) => {
    console.error(err);
    process.exit(1);
});
