// Finds the declared route for a method and path, as express's router would: paths match without
// regard to case or a trailing slash, parameters are percent-decoded (a malformed escape throws
// URIError), HEAD is served by the GET route, and the first route declared wins. It also says which
// methods a path has (the 405's and OPTIONS's Allow header, RFC 9110 §10.2.1).
import { match, type MatchFunction } from 'path-to-regexp';
import type { RouteDefinition } from './route.ts';

export interface RouteMatch {
  route: RouteDefinition;
  params: Record<string, string>;
}

export interface RouteTable {
  /** The route serving `method` (upper case, as node gives it) on `path`, or undefined. */
  find(method: string, path: string): RouteMatch | undefined;
  /** The methods some route serves on `path`, HEAD wherever GET is, sorted; [] for a path no route has. */
  allowedMethods(path: string): string[];
}

interface CompiledRoute {
  route: RouteDefinition;
  method: string;
  /** The path's text before its first parameter, lower-cased: a cheap test before the pattern. */
  literalPrefix: string;
  match: MatchFunction<Record<string, string>>;
}

/** decodeURIComponent, skipped when there is nothing to decode (the router's rule). */
const decodeParam = (value: string) => (value.includes('%') ? decodeURIComponent(value) : value);

export function compileRouteTable(routes: readonly RouteDefinition[]): RouteTable {
  const compiled: CompiledRoute[] = routes.map((route) => {
    const pattern = route.path === '/' ? route.path : route.path.replace(/\/+$/, '');
    const parameter = pattern.search(/[:*{]/);
    return {
      route,
      method: route.method.toUpperCase(),
      literalPrefix: (parameter === -1 ? pattern : pattern.slice(0, parameter)).toLowerCase(),
      match: match<Record<string, string>>(pattern, { sensitive: false, end: true, trailing: true, decode: decodeParam }),
    };
  });
  /** The path's parameters when `candidate`'s pattern takes `path` (`lowered`: the path in lower case). */
  const paramsIf = (candidate: CompiledRoute, path: string, lowered: string) => (lowered.startsWith(candidate.literalPrefix) ? candidate.match(path) || undefined : undefined);
  return {
    // The hot path: one pass, nothing allocated before a route matches.
    find(method, path) {
      const wanted = method === 'HEAD' ? 'GET' : method;
      let lowered: string | undefined;
      for (const candidate of compiled) {
        if (candidate.method !== wanted) continue;
        const found = paramsIf(candidate, path, (lowered ??= path.toLowerCase()));
        if (found) return { route: candidate.route, params: { ...found.params } };
      }
      return undefined;
    },
    allowedMethods(path) {
      const lowered = path.toLowerCase();
      const methods = new Set<string>();
      for (const candidate of compiled) {
        if (methods.has(candidate.method) || !paramsIf(candidate, path, lowered)) continue;
        methods.add(candidate.method);
        if (candidate.method === 'GET') methods.add('HEAD');
      }
      return [...methods].sort();
    },
  };
}
