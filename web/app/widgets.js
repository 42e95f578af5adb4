// Small pieces every page uses: state badges, the summary strip, errors with a way
// out, a pager, a trend sparkline, times, and a hook that loads and reloads data.
import { html, useState, useEffect, useCallback } from "/assets/vendor/htm-preact-3.1.1.js";

export const STATES = ["FAIL", "ERROR", "WARN", "SKIP", "PASS", "NOT_APPLICABLE"];
const LABEL = { NOT_APPLICABLE: "N/A" };

export function StateBadge({ state }) {
  if (!state) return html`<span class="badge none">—</span>`;
  return html`<span class="badge s-${state}">${LABEL[state] || state}</span>`;
}

/** Counts per state, worst first; zero counts greyed. */
export function SummaryStrip({ summary }) {
  if (!summary) return null;
  const items = [
    ["FAIL", summary.fail], ["ERROR", summary.error], ["WARN", summary.warn],
    ["SKIP", summary.skip], ["PASS", summary.pass], ["NOT_APPLICABLE", summary.notApplicable],
  ];
  return html`<ul class="summary" aria-label="Summary">
    ${items.map(([s, n]) => html`<li class=${"s-" + s + (n ? "" : " zero")}><b>${n}</b> ${LABEL[s] || s}</li>`)}
    <li class="total"><b>${summary.total}</b> total</li>
  </ul>`;
}

/** An error shown where it happened, with the way out that fits it. */
export function ErrorBox({ error, retry }) {
  if (!error) return null;
  const lost = error.code === "NETWORK";
  return html`<div class="error" role="alert">
    <strong>${lost ? "Connection lost" : error.code === "NOT_FOUND" ? "Not found" : "Error"}</strong>
    <span> ${error.message}</span>
    ${retry && error.code !== "NOT_FOUND" ? html` <button type="button" onClick=${retry}>Retry</button>` : null}
    ${error.code === "NOT_FOUND" ? html` <a href="#/">Back to the overview</a>` : null}
  </div>`;
}

/** Previous / next over offset paging. */
export function Pager({ offset, limit, total, onChange, label }) {
  if (total <= limit && offset === 0) return null;
  const last = Math.min(offset + limit, total);
  return html`<nav class="pager" aria-label=${label || "Pages"}>
    <button type="button" disabled=${offset === 0} onClick=${() => onChange(Math.max(0, offset - limit))}>Previous</button>
    <span>${total ? offset + 1 : 0}–${last} of ${total}</span>
    <button type="button" disabled=${last >= total} onClick=${() => onChange(offset + limit)}>Next</button>
  </nav>`;
}

/**
 * Pages of a Relay connection, newest first: keeps the cursors of the pages seen, so
 * "Newer" goes back without a backward cursor. Returns { after, pager(pageInfo, label) }.
 */
export function useCursorPages() {
  const [cursors, setCursors] = useState([null]);
  const after = cursors[cursors.length - 1];
  const pager = (pageInfo, label) =>
    cursors.length > 1 || pageInfo.hasNextPage
      ? html`<nav class="pager" aria-label=${label}>
          <button type="button" disabled=${cursors.length === 1} onClick=${() => setCursors(cursors.slice(0, -1))}>Newer</button>
          <span>page ${cursors.length}</span>
          <button type="button" disabled=${!pageInfo.hasNextPage} onClick=${() => setCursors([...cursors, pageInfo.endCursor])}>Older</button>
        </nav>`
      : null;
  return { after, pager };
}

/** Failures (FAIL + ERROR) over recent reports, oldest left, as a tiny bar chart. */
export function Trend({ points }) {
  if (!points || points.length === 0) return html`<span class="muted">no reports</span>`;
  const max = Math.max(1, ...points);
  const w = 6;
  const desc = `failures over the last ${points.length} reports, oldest first: ${points.join(", ")}`;
  return html`<svg class="trend" width=${points.length * (w + 2)} height="24" role="img" aria-label=${desc}>
    ${points.map((p, i) => {
      const h = Math.max(1, Math.round((p / max) * 22));
      return html`<rect x=${i * (w + 2)} y=${24 - h} width=${w} height=${h} class=${p ? "bad" : "good"}><title>${p}</title></rect>`;
    })}
  </svg>`;
}

/** A time as the user's locale shows it, with the exact value on hover. */
export function Time({ at }) {
  if (!at) return html`<span class="muted">—</span>`;
  const d = new Date(at);
  return html`<time datetime=${at} title=${at}>${d.toLocaleString()}</time>`;
}

/**
 * Loads data with `load()` when `deps` change; returns { data, error, loading, reload }.
 * A newer load wins over an older one still in flight.
 */
export function useLoad(load, deps) {
  const [st, setSt] = useState({ data: null, error: null, loading: true });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setSt((s) => ({ data: s.data, error: null, loading: true }));
    load().then(
      (data) => live && setSt({ data, error: null, loading: false }),
      (error) => live && setSt({ data: null, error, loading: false })
    );
    return () => { live = false; };
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { ...st, reload };
}
