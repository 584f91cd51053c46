/**
 * A forward proxy for the tests: an HTTP server on 127.0.0.1 that answers CONNECT, as a corporate proxy does,
 * and logs each tunnel it is asked for. Like a real proxy it resolves the host it is asked to connect to: here
 * from `hosts` ("api.dublin.ie1.twilio.com:443" -> "127.0.0.1:PORT", so that Twilio's names reach a local
 * stand-in without any DNS), else only a 127.0.0.1 target; anything else gets 502 and no connection.
 * With `credentials` it asks for Basic proxy authentication (407 without the right Proxy-Authorization).
 */
"use strict";
const http = require("node:http");
const net = require("node:net");

class ConnectProxy {
    /**
     * @param {object} [options]
     * @param {Record<string, string>} [options.hosts] "host:port" -> "127.0.0.1:port"
     * @param {{username: string, password: string}} [options.credentials]
     */
    constructor(options = {}) {
        this.hosts = options.hosts ?? {};
        this.credentials = options.credentials;
        /** Every request the proxy received: {method, target, status, proxyAuthorization} */
        this.log = [];
        this.sockets = new Set();
        this.server = http.createServer((req, res) => {
            // only tunnels are offered: a plain proxied request is refused, and logged as such
            this.log.push({ method: req.method, target: req.url, status: 405 });
            res.writeHead(405).end();
        });
        this.server.on("connect", (req, client, head) => this.tunnel(req, client, head));
        this.server.on("connection", (socket) => {
            this.sockets.add(socket);
            socket.on("close", () => this.sockets.delete(socket));
        });
    }

    async start() {
        await new Promise((resolve) => this.server.listen(0, "127.0.0.1", resolve));
        this.url = `http://127.0.0.1:${this.server.address().port}`;
        return this.url;
    }

    async stop() {
        for (const socket of this.sockets) socket.destroy();
        await new Promise((resolve) => this.server.close(resolve));
    }

    tunnel(req, client, head) {
        const entry = { method: "CONNECT", target: req.url, status: 0, proxyAuthorization: req.headers["proxy-authorization"] };
        this.log.push(entry);
        const refuse = (status, headers = {}) => {
            entry.status = status;
            const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join("");
            client.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\n${lines}Content-Length: 0\r\n\r\n`);
        };
        if (this.credentials) {
            const expected = "Basic " + Buffer.from(`${this.credentials.username}:${this.credentials.password}`).toString("base64");
            if (req.headers["proxy-authorization"] !== expected) return refuse(407, { "Proxy-Authenticate": 'Basic realm="test"' });
        }
        const destination = this.hosts[req.url] ?? (req.url.startsWith("127.0.0.1:") ? req.url : undefined);
        if (!destination) return refuse(502);
        const [host, port] = [destination.slice(0, destination.lastIndexOf(":")), Number(destination.slice(destination.lastIndexOf(":") + 1))];
        const upstream = net.connect(port, host, () => {
            entry.status = 200;
            client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
            if (head.length) upstream.write(head);
            upstream.pipe(client);
            client.pipe(upstream);
        });
        upstream.on("error", () => (entry.status ? client.destroy() : refuse(502)));
        client.on("error", () => upstream.destroy());
        client.on("close", () => upstream.destroy());
        upstream.on("close", () => client.destroy());
    }
}

module.exports = { ConnectProxy };
