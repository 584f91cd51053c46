/**
 * The webhook's POST route on Node-RED's HTTP node server (RED.httpNode, an express app), added and removed
 * as core's http in node does (21-httpin.js): express has no API to remove a route, so its layer is taken out
 * of the router's stack.
 */
import type { IncomingMessage, ServerResponse } from "node:http";

export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** An express middleware, as settings.js' httpNodeMiddleware holds them. */
export type Middleware = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;

interface Layer {
    route?: { path: unknown; methods: Record<string, boolean>; stack: Array<{ handle: unknown }> };
}

export interface ExpressApp {
    post(path: string, ...handlers: Array<Handler | Middleware>): unknown;
    _router?: { stack: Layer[] };
    router?: { stack: Layer[] };
}

function stackOf(app: ExpressApp): Layer[] {
    // express 4 (Node-RED 3 to 5) keeps the router in _router, made with the first route, and throws on
    // app.router; express 5 names it router
    if (app._router) return app._router.stack;
    try {
        return app.router?.stack ?? [];
    } catch {
        return [];
    }
}

/** Whether any node already serves POST at this path (another webhook or an http in node). */
export function isServed(app: ExpressApp, path: string): boolean {
    return stackOf(app).some((layer) => layer.route?.path === path && layer.route.methods.post);
}

/**
 * settings.js' httpNodeMiddleware (a function or a list of them) runs before the handler, as it does for the
 * routes of core's http in nodes: e.g. an IP allow list in front of every flow route.
 */
export function middlewareOf(setting: unknown): Middleware[] {
    if (typeof setting === "function") return [setting as Middleware];
    return Array.isArray(setting) ? setting.filter((item): item is Middleware => typeof item === "function") : [];
}

export function addRoute(app: ExpressApp, path: string, handler: Handler, middleware: Middleware[] = []): void {
    app.post(path, ...middleware, handler);
}

/** Removes this handler's route, and no other node's. */
export function removeRoute(app: ExpressApp, path: string, handler: Handler): void {
    const stack = stackOf(app);
    for (let i = stack.length - 1; i >= 0; i--) {
        const route = stack[i].route;
        if (route?.path === path && route.methods.post && route.stack.some((layer) => layer.handle === handler)) stack.splice(i, 1);
    }
}
