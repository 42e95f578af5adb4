// Pages live in the URL's fragment (#/clusters/demo, #/reports/ID?state=FAIL), so a
// refresh or a shared link lands on the same page and the server serves one file.
import { useState, useEffect } from "/assets/vendor/htm-preact-3.1.1.js";

/** The current route: its path parts and its query parameters. */
export function parse(hash) {
  const raw = (hash || "").replace(/^#/, "") || "/";
  const [path, query] = raw.split("?");
  const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
  const params = new URLSearchParams(query || "");
  return { parts, params };
}

/** A link target for a path and optional parameters (empty values left out). */
export function href(path, params = {}) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== "" && !(Array.isArray(v) && v.length === 0)) {
      q.set(k, Array.isArray(v) ? v.join(",") : String(v));
    }
  }
  const s = q.toString();
  return "#" + path + (s ? "?" + s : "");
}

/** Goes to a page; `replace` keeps the history entry (filters typed into a search box). */
export function go(target, replace = false) {
  if (replace) history.replaceState(null, "", target);
  else history.pushState(null, "", target);
  window.dispatchEvent(new HashChangeEvent("hashchange"));
}

/** The route, updated on every navigation. */
export function useRoute() {
  const [route, setRoute] = useState(parse(location.hash));
  useEffect(() => {
    const on = () => setRoute(parse(location.hash));
    window.addEventListener("hashchange", on);
    window.addEventListener("popstate", on);
    return () => {
      window.removeEventListener("hashchange", on);
      window.removeEventListener("popstate", on);
    };
  }, []);
  return route;
}
