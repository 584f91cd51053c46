/**
 * The layers of src/, checked by `npm test` (npm run check:layers): no import cycles, even type-only ones, and
 * each layer imports only the ones below it.
 *
 *   catalog (data) ← rules (patterns, validation, request building, texts) ← runtime ← webhook ← entries
 *   editor: catalog and rules only        standin: rules only (it plays Twilio, not this package)
 */
const layer = (name, mayImport) => ({
    name: mayImport.length ? `${name}-imports-only-${mayImport.join("-")}` : `${name}-imports-nothing-of-ours`,
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
        layer("runtime", ["catalog", "rules"]),
        layer("webhook", ["catalog", "rules", "runtime"]),
        layer("editor", ["catalog", "rules"]),
        layer("standin", ["rules"]),
    ],
    options: {
        tsPreCompilationDeps: true,
        tsConfig: { fileName: "tsconfig.json" },
        doNotFollow: { path: "node_modules" },
    },
};
