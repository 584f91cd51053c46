/**
 * For scripts that run Node-RED embedded (npm start, the browser suite): when its flows are ready.
 */
"use strict";

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

module.exports = { whenFlowsSettled };
