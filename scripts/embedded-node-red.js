/**
 * For what runs Node-RED embedded (npm start, the browser suite): its one HTTP server, and when its flows
 * are ready.
 */
"use strict";
const http = require("node:http");

/**
 * Resolves once the runtime has loaded its flow file and tried to start it: with "flows:started", or with
 * the runtime-state event that says the flows stay stopped (missing node types, safe mode, stopped state).
 * RED.start() resolves before that, and until then GET /flows fails (and logs an error).
 * Subscribe before RED.start(), so that the event cannot be missed.
 */
function whenFlowsSettled(RED) {
    return new Promise((resolve) => {
        function onStarted() {
            RED.events.off("runtime-event", onRuntimeEvent);
            resolve();
        }
        function onRuntimeEvent(event) {
            if (event && event.id === "runtime-state" && event.payload && event.payload.state) {
                RED.events.off("flows:started", onStarted);
                RED.events.off("runtime-event", onRuntimeEvent);
                resolve();
            }
        }
        RED.events.once("flows:started", onStarted);
        RED.events.on("runtime-event", onRuntimeEvent);
    });
}

/**
 * One server for the editor (/) and for HTTP-in routes of flows (/api). RED.httpAdmin and RED.httpNode are
 * express apps, i.e. (req, res, next) functions: a request under /api goes to httpNode with the prefix
 * stripped, as express' app.use("/api", ...) would do; everything else goes to httpAdmin.
 */
function createServer(RED) {
    function notFound(res) {
        return (err) => {
            if (res.headersSent) return res.end();
            res.writeHead(err ? 500 : 404, { "Content-Type": "text/plain; charset=utf-8" });
            res.end(err ? "Internal Server Error" : "Not Found");
        };
    }
    return http.createServer((req, res) => {
        // listening may start before RED.init (npm start with PORT=0 needs its port first)
        if (!RED.httpAdmin) {
            res.writeHead(503, { "Content-Type": "text/plain; charset=utf-8", "Retry-After": "1" });
            return res.end("Node-RED is starting");
        }
        const match = /^\/api(?=\/|\?|$)/.exec(req.url);
        if (match) {
            req.originalUrl = req.originalUrl || req.url;
            req.baseUrl = "/api";
            const rest = req.url.slice(match[0].length);
            req.url = rest.startsWith("/") ? rest : `/${rest}`;
            RED.httpNode(req, res, notFound(res));
        } else {
            RED.httpAdmin(req, res, notFound(res));
        }
    });
}

module.exports = { createServer, whenFlowsSettled };
