/** proxy-from-env ships no types: its one export, as its README documents it. */
declare module "proxy-from-env" {
    /** The proxy URL for `url` from *_PROXY / ALL_PROXY and NO_PROXY (either case), or "" for none. */
    export function getProxyForUrl(url: string | URL): string;
}
