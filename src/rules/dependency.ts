/**
 * A dependency loaded at its first use, not when the module that uses it loads: Node-RED requires every
 * installed node's file at start, whether a flow uses it or not, and the libraries behind the rules (zod,
 * libphonenumber-js, Twilio's calculator and SDK) take longer to load than all of this package's own code.
 * A node loads what it needs when it is deployed or sends (measured in bench/results.md).
 *
 * The id is not a literal on purpose: the editor's bundle imports modules of rules/ for their constants, and
 * must not take in a library it never calls (esbuild bundles a require() of a literal).
 */
declare const require: (id: string) => unknown;

export function dependency<T>(id: string): () => T {
    let loaded: T | undefined;
    return () => (loaded ??= require(id) as T);
}
