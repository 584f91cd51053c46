/**
 * The end of a benchmark flow: hands each message to the benchmark driver in this process, at no more cost
 * than a node that does nothing.
 */
module.exports = function (RED) {
    function BenchSink(config) {
        RED.nodes.createNode(this, config);
        const output = Number(config.output);
        this.on("input", (msg, send, done) => {
            globalThis.__benchSink(msg, output);
            done();
        });
    }
    RED.nodes.registerType("bench-sink", BenchSink);
};
