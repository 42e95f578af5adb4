// Overview: every cluster the token may see, worst first, with its latest report's
// counts, its next scheduled scan and the failures of its recent reports.
import { html, useState, useEffect } from "/assets/vendor/htm-preact-3.1.1.js";
import { gql } from "./api.js";
import { ErrorBox, StateBadge, Time, Trend, useLoad } from "./widgets.js";

const OVERVIEW = `{
  clusters { id name benchmark
    latestReport { id state benchmarkVersion finishedAt
      summary { total pass fail warn skip notApplicable error } } }
  schedules { id clusterId nextRunAt enabled }
}`;

const TREND = `query Trend($id: ID!) { reports(clusterId: $id, first: 12) { nodes { id summary { fail error } } } }`;

function badness(c) {
  const s = c.latestReport && c.latestReport.summary;
  return s ? [s.fail + s.error, s.warn] : [-1, -1];
}

/** Worst first: most failures, then most warnings, then by name. */
export function worstFirst(clusters) {
  return [...clusters].sort((a, b) => {
    const [fa, wa] = badness(a);
    const [fb, wb] = badness(b);
    return fb - fa || wb - wa || a.name.localeCompare(b.name);
  });
}

function nextRun(schedules, clusterId) {
  const next = schedules
    .filter((s) => s.clusterId === clusterId && s.enabled)
    .map((s) => s.nextRunAt)
    .sort();
  return next[0] || null;
}

function useTrends(clusters) {
  const [trends, setTrends] = useState({});
  useEffect(() => {
    if (!clusters) return;
    let live = true;
    // a few at a time: the service gives each client a share, the overview should not take it all
    const queue = clusters.map((c) => c.id);
    const worker = async () => {
      while (live && queue.length) {
        const id = queue.shift();
        try {
          const d = await gql(TREND, { id });
          const points = d.reports.nodes.map((r) => r.summary.fail + r.summary.error).reverse();
          if (live) setTrends((t) => ({ ...t, [id]: points }));
        } catch (e) {
          if (live) setTrends((t) => ({ ...t, [id]: null }));
        }
      }
    };
    Promise.all([worker(), worker(), worker()]);
    return () => { live = false; };
  }, [clusters]);
  return trends;
}

export function Overview() {
  const { data, error, loading, reload } = useLoad(() => gql(OVERVIEW), []);
  const clusters = data ? worstFirst(data.clusters) : null;
  const trends = useTrends(data ? data.clusters : null);
  return html`<section>
    <h1>Overview</h1>
    <${ErrorBox} error=${error} retry=${reload} />
    ${loading && !data ? html`<p class="loading" role="status">Loading clusters…</p>` : null}
    ${clusters && clusters.length === 0 ? html`<p>No clusters are visible to this token.</p>` : null}
    ${clusters && clusters.length > 0 ? html`<table class="grid" aria-label="Clusters">
      <thead><tr>
        <th>State</th><th>Cluster</th><th>Benchmark</th>
        <th class="n">Pass</th><th class="n">Fail</th><th class="n">Warn</th><th class="n">Skip</th>
        <th class="n">N/A</th><th class="n">Error</th><th>Last run</th><th>Next scan</th><th>Failures, recent reports</th>
      </tr></thead>
      <tbody>${clusters.map((c) => {
        const r = c.latestReport;
        const s = r ? r.summary : null;
        return html`<tr>
          <td>${r ? html`<a href=${"#/reports/" + r.id} aria-label=${"Latest report of " + c.name}><${StateBadge} state=${r.state} /></a>` : html`<span class="muted">no report</span>`}</td>
          <td><a href=${"#/clusters/" + encodeURIComponent(c.id)}>${c.name}</a></td>
          <td>${r ? r.benchmarkVersion : c.benchmark || html`<span class="muted">by version</span>`}</td>
          <td class="n">${s ? s.pass : ""}</td><td class="n fail">${s ? s.fail : ""}</td><td class="n">${s ? s.warn : ""}</td>
          <td class="n">${s ? s.skip : ""}</td><td class="n">${s ? s.notApplicable : ""}</td><td class="n">${s ? s.error : ""}</td>
          <td>${r ? html`<${Time} at=${r.finishedAt} />` : ""}</td>
          <td><${Time} at=${nextRun(data.schedules, c.id)} /></td>
          <td>${trends[c.id] === undefined ? html`<span class="muted">…</span>` : html`<${Trend} points=${trends[c.id]} />`}</td>
        </tr>`;
      })}</tbody>
    </table>` : null}
  </section>`;
}
