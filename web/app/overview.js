// Overview: the clusters the token may see, worst first, a page at a time (the server
// orders and pages them, so a fleet of thousands renders one page), searchable by name,
// with each latest report's counts, the next scheduled scan and the failures of its
// recent reports.
import { html, useState, useEffect } from "/assets/vendor/htm-preact-3.1.1.js";
import { gql } from "./api.js";
import { go, href } from "./router.js";
import { ErrorBox, Pager, StateBadge, Time, Trend, useLoad } from "./widgets.js";

const PAGE = 25;
const OVERVIEW = `query Overview($first: Int!, $offset: Int!, $search: String) {
  clusterCount(search: $search)
  clusters(first: $first, offset: $offset, worstFirst: true, search: $search) { id name benchmark
    latestReport { id state benchmarkVersion finishedAt
      summary { total pass fail warn skip notApplicable error } } }
}`;

// per cluster of the page: its recent failures and its schedules' next runs
const DETAIL = `query Detail($id: ID!) {
  reports(clusterId: $id, first: 12) { nodes { id summary { fail error } } }
  schedules(clusterId: $id) { nextRunAt enabled }
}`;

function nextRun(schedules) {
  const next = schedules
    .filter((s) => s.enabled && s.nextRunAt)
    .map((s) => s.nextRunAt)
    .sort();
  return next[0] || null;
}

function useDetails(clusters) {
  const [details, setDetails] = useState({});
  useEffect(() => {
    if (!clusters) return;
    let live = true;
    // a few at a time: the service gives each client a share, the overview should not take it all
    const queue = clusters.map((c) => c.id);
    const worker = async () => {
      while (live && queue.length) {
        const id = queue.shift();
        try {
          const d = await gql(DETAIL, { id });
          const points = d.reports.nodes.map((r) => r.summary.fail + r.summary.error).reverse();
          if (live) setDetails((t) => ({ ...t, [id]: { points, next: nextRun(d.schedules) } }));
        } catch (e) {
          if (live) setDetails((t) => ({ ...t, [id]: { points: null, next: null } }));
        }
      }
    };
    Promise.all([worker(), worker(), worker()]);
    return () => { live = false; };
  }, [clusters]);
  return details;
}

export function Overview({ params }) {
  const offset = parseInt(params.get("offset") || "0", 10) || 0;
  const search = params.get("q") || "";
  const [typed, setTyped] = useState(search);
  useEffect(() => setTyped(search), [search]);
  const { data, error, loading, reload } = useLoad(
    () => gql(OVERVIEW, { first: PAGE, offset, search: search || null }),
    [offset, search]
  );
  const clusters = data ? data.clusters : null;
  const details = useDetails(clusters);
  const set = (change) => go(href("/", { q: search || null, offset: offset || null, ...change }), true);
  const submit = (e) => {
    e.preventDefault();
    set({ q: typed.trim() || null, offset: null });
  };
  return html`<section>
    <h1>Overview</h1>
    <form class="filters" role="search" onSubmit=${submit}>
      <label for="cluster-search">Find a cluster</label>
      <input id="cluster-search" type="search" maxlength="100" value=${typed}
        onInput=${(e) => setTyped(e.target.value)} placeholder="name or id" />
      <button type="submit">Search</button>
      ${search ? html`<button type="button" onClick=${() => set({ q: null, offset: null })}>Show all</button>` : null}
    </form>
    <${ErrorBox} error=${error} retry=${reload} />
    ${loading && !data ? html`<p class="loading" role="status">Loading clusters…</p>` : null}
    ${clusters && clusters.length === 0 ? html`<p>${search ? "No cluster matches this search." : "No clusters are visible to this token."}</p>` : null}
    ${clusters && clusters.length > 0 ? html`<table class="grid" aria-label="Clusters">
      <thead><tr>
        <th>State</th><th>Cluster</th><th>Benchmark</th>
        <th class="n">Pass</th><th class="n">Fail</th><th class="n">Warn</th><th class="n">Skip</th>
        <th class="n">N/A</th><th class="n">Error</th><th>Last run</th><th>Next scan</th><th>Failures, recent reports</th>
      </tr></thead>
      <tbody>${clusters.map((c) => {
        const r = c.latestReport;
        const s = r ? r.summary : null;
        const d = details[c.id];
        return html`<tr>
          <td>${r ? html`<a href=${"#/reports/" + r.id} aria-label=${"Latest report of " + c.name}><${StateBadge} state=${r.state} /></a>` : html`<span class="muted">no report</span>`}</td>
          <td><a href=${"#/clusters/" + encodeURIComponent(c.id)}>${c.name}</a></td>
          <td>${r ? r.benchmarkVersion : c.benchmark || html`<span class="muted">by version</span>`}</td>
          <td class="n">${s ? s.pass : ""}</td><td class="n fail">${s ? s.fail : ""}</td><td class="n">${s ? s.warn : ""}</td>
          <td class="n">${s ? s.skip : ""}</td><td class="n">${s ? s.notApplicable : ""}</td><td class="n">${s ? s.error : ""}</td>
          <td>${r ? html`<${Time} at=${r.finishedAt} />` : ""}</td>
          <td>${d === undefined ? html`<span class="muted">…</span>` : html`<${Time} at=${d.next} />`}</td>
          <td>${d === undefined ? html`<span class="muted">…</span>` : html`<${Trend} points=${d.points} />`}</td>
        </tr>`;
      })}</tbody>
    </table>
    <${Pager} offset=${offset} limit=${PAGE} total=${data.clusterCount} onChange=${(o) => set({ offset: o })} label="Cluster pages" />` : null}
  </section>`;
}
