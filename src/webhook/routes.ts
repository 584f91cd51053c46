/**
 * The webhook's POST route on Node-RED's HTTP node server (RED.httpNode, an express app), added and removed
 * as core's http in node does (21-httpin.js): express has no API to remove a route, so its layer is taken out
 * of the router's stack.
 */
import type { IncomingMessage, ServerResponse } from "node:http";

export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

interface Layer {
    route?: { path: unknown; methods: Record<string, boolean>; stack: Array<{ handle: unknown }> };
}

interface ExpressApp {
    post(path: string, handler: Handler): unknown;
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

export function addRoute(app: ExpressApp, path: string, handler: Handler): void {
    app.post(path, handler);
}

/** Removes this handler's route, and no other node's. */
export function removeRoute(app: ExpressApp, path: string, handler: Handler): void {
    const stack = stackOf(app);
    for (let i = stack.length - 1; i >= 0; i--) {
        const route = stack[i].route;
        if (route?.path === path && route.methods.post && route.stack.some((layer) => layer.handle === handler)) stack.splice(i, 1);
    }
}
