/** RED._ of the package's message catalog: a key and its substitutions to a sentence in the user's language. */
export type Translate = (key: string, substitutions?: Record<string, string | number>) => string;
