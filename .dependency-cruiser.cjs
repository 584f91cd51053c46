/**
 * The layers of src/, checked by `npm test` (npm run check:layers): no import cycles, even type-only ones, and
 * each layer imports only the ones below it.
 *
 *   catalog (data) ← rules (pure rules, shared with the editor) ← sender (one way to send a request) ← outbox
 *   (store and forward) ← nodes/account ← nodes/operation, nodes/webhook ← nodes/alert ← twilio.ts (the node set)
 *   editor (browser code): catalog and rules only        standin (plays Twilio): rules only
 * A node's folder holds its runtime; the operation and webhook nodes may use the account node they point at, the
 * alert node the account and webhook nodes it points at, and nothing else but twilio.ts uses a node's folder.
 */
const layer = (name, mayImport) => ({
    name: mayImport.length ? `${name}-imports-only-${mayImport.join("-")}`.replace(/\//g, "-") : `${name}-imports-nothing-of-ours`,
    severity: "error",
    comment: `src/${name} may import only ${[name, ...mayImport].map((l) => `src/${l}`).join(", ")}`,
    from: { path: `^src/${name}/` },
    to: { path: "^src/", pathNot: [`^src/(${[name, ...mayImport].join("|")})/`] },
});

module.exports = {
    forbidden: [
        {
            name: "no-circular",
            severity: "error",
            comment: "an import cycle (type-only ones too: they are structure all the same)",
            from: {},
            to: { circular: true },
        },
        layer("catalog", []),
        layer("rules", ["catalog"]),
        layer("sender", ["catalog", "rules"]),
        layer("outbox", ["catalog", "rules", "sender"]),
        layer("nodes/account", ["catalog", "rules", "sender", "outbox"]),
        layer("nodes/operation", ["catalog", "rules", "sender", "outbox", "nodes/account"]),
        layer("nodes/webhook", ["catalog", "rules", "sender", "outbox", "nodes/account"]),
        layer("nodes/alert", ["catalog", "rules", "sender", "outbox", "nodes/account", "nodes/webhook"]),
        layer("editor", ["catalog", "rules"]),
        layer("standin", ["rules"]),
    ],
    options: {
        tsPreCompilationDeps: true,
        tsConfig: { fileName: "tsconfig.json" },
        doNotFollow: { path: "node_modules" },
    },
};
