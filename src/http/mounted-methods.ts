// The methods express's routers have for a path: what the declared routes' table says for its own
// paths (route-table.ts, allowedMethods), for the mounts. Express's router only gathers them for an
// OPTIONS request; a 405's Allow needs them for any method. It walks the router's layers with their own
// matchers (so with express's matching rules) into mounted routers and sub-apps; middleware that is not
// a router (static files, guards) names no method. Router internals (router 2.x: Layer#match, Route#_methods):
// should they change, the walk finds nothing and such a request stays a 404.

/** The part of a router 2.x layer the walk reads. */
interface RouterLayer {
  match(path: string): false | { path: string };
  route?: { _methods(): string[] };
  handle: { stack?: readonly RouterLayer[]; router?: { stack?: readonly RouterLayer[] } };
}

/** The methods of the routes under `stack` that take `path` (HEAD wherever GET is); a malformed % escape throws URIError. */
export function mountedMethods(stack: readonly unknown[] | undefined, path: string, into = new Set<string>()): Set<string> {
  for (const layer of (stack ?? []) as readonly RouterLayer[]) {
    if (typeof layer.match !== 'function') continue;
    const matched = layer.match(path);
    if (!matched) continue;
    if (layer.route) {
      for (const method of layer.route._methods()) into.add(method);
      continue;
    }
    const inner = layer.handle.stack ?? layer.handle.router?.stack;
    if (inner) mountedMethods(inner, path.slice(matched.path.length) || '/', into);
  }
  return into;
}
