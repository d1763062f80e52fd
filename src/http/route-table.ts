// Finds the declared route for a method and path, as express's router would: paths match without
// regard to case or a trailing slash, parameters are percent-decoded (a malformed escape throws
// URIError), HEAD is served by the GET route, and the first route declared wins.
import { match, type MatchFunction } from 'path-to-regexp';
import type { RouteDefinition } from './route.ts';

export interface RouteMatch {
  route: RouteDefinition;
  params: Record<string, string>;
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

export function compileRouteTable(routes: readonly RouteDefinition[]): (method: string, path: string) => RouteMatch | undefined {
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
  return (method, path) => {
    const wanted = method === 'HEAD' ? 'GET' : method;
    let lowered: string | undefined;
    for (const candidate of compiled) {
      if (candidate.method !== wanted) continue;
      lowered ??= path.toLowerCase();
      if (!lowered.startsWith(candidate.literalPrefix)) continue;
      const found = candidate.match(path);
      if (found) return { route: candidate.route, params: { ...found.params } };
    }
    return undefined;
  };
}
