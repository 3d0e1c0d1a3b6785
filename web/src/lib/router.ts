/** A small history router: page paths are relative to the base path, links are plain <a href> made under it. */
import { useEffect, useState } from 'preact/hooks';
import { BASE } from './api';

/** The current page path without the base path (`/units/shop/api`) and its query. */
export interface Route {
  path: string;
  query: URLSearchParams;
}

function current(): Route {
  const path = location.pathname.startsWith(BASE) ? location.pathname.slice(BASE.length) || '/' : location.pathname;
  return { path: path.replace(/\/+$/, '') || '/', query: new URLSearchParams(location.search) };
}

const listeners = new Set<() => void>();

/** Goes to a page path (`/apps/shop`) without a reload. */
export function navigate(to: string, replace = false): void {
  const target = `${BASE}${to}`;
  if (replace) history.replaceState(null, '', target);
  else history.pushState(null, '', target);
  for (const l of listeners) l();
  window.scrollTo(0, 0);
}

/** The current route, re-rendering on navigation and on back/forward. */
export function useRoute(): Route {
  const [route, setRoute] = useState(current);
  useEffect(() => {
    const update = () => setRoute(current());
    listeners.add(update);
    window.addEventListener('popstate', update);
    return () => {
      listeners.delete(update);
      window.removeEventListener('popstate', update);
    };
  }, []);
  return route;
}

/** The href of a page path under the base path. */
export function href(to: string): string {
  return `${BASE}${to}`;
}

/** Follows same-app link clicks through the router (a plain click; modified clicks open tabs as usual). */
export function interceptLinks(root: HTMLElement): void {
  root.addEventListener('click', (event) => {
    const a = (event.target as Element).closest?.('a');
    if (!a || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
    if (a.target || a.hasAttribute('download') || a.origin !== location.origin) return;
    if (!a.pathname.startsWith(BASE) || a.dataset.external !== undefined) return;
    const path = a.pathname.slice(BASE.length);
    // Status pages and badges are upkeep's server pages, not the dashboard's.
    if (/^\/(status|badge|api|metrics|ping)\//.test(path)) return;
    event.preventDefault();
    navigate(`${path}${a.search}`);
  });
}

/** A page path's segments after a prefix: `/units/shop/api` after `/units/` → ['shop', 'api'] (decoded). */
export function segments(path: string, prefix: string): string[] {
  return path
    .slice(prefix.length)
    .split('/')
    .filter(Boolean)
    .map((s) => decodeURIComponent(s));
}
