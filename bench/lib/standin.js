/**
 * The package's stand-in of Twilio's API in a process of its own, so that its CPU and memory are not counted
 * with the client being measured. It keeps no record of requests (a long run would only grow it).
 */
"use strict";
const { spawn } = require("node:child_process");
const path = require("node:path");

const CLI = path.join(__dirname, "..", "..", "build", "standin", "cli.js");
const { STANDIN_ACCOUNT_SID, STANDIN_AUTH_TOKEN } = require("../../build/standin/server");

function startStandin() {
    const child = spawn(process.execPath, [CLI, "--no-record"], { stdio: ["ignore", "pipe", "inherit"] });
    return new Promise((resolve, reject) => {
        let output = "";
        child.stdout.on("data", (chunk) => {
            output += chunk;
            const match = /stand-in on (http:\/\/\S+)/.exec(output);
            if (match) {
                resolve({
                    url: match[1],
                    accountSid: STANDIN_ACCOUNT_SID,
                    authToken: STANDIN_AUTH_TOKEN,
                    stop: () => new Promise((done) => (child.once("exit", done), child.kill("SIGTERM"))),
                });
            }
        });
        child.once("exit", (code) => reject(new Error(`the stand-in exited with ${code}: ${output}`)));
    });
}

/** Creates one message at the stand-in (for getMessage) and returns its Sid. */
async function seedMessage(standin) {
    const response = await fetch(`${standin.url}/2010-04-01/Accounts/${standin.accountSid}/Messages.json`, {
        method: "POST",
        headers: {
            Authorization: "Basic " + Buffer.from(`${standin.accountSid}:${standin.authToken}`).toString("base64"),
            "Content-Type": "application/x-www-form-urlencoded",
        },
        body: new URLSearchParams({ To: "+16175551212", From: "+15005550006", Body: "seed" }),
    });
    return (await response.json()).sid;
}

module.exports = { startStandin, seedMessage };
