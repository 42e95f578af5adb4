// Fleet: one benchmark's checks down, the visible clusters across, each cell the
// check's state in that cluster's newest report of the benchmark.
import { html } from "/assets/vendor/htm-preact-3.1.1.js";
import { gql } from "./api.js";
import { go, href } from "./router.js";
import { ErrorBox, Pager, StateBadge, useLoad } from "./widgets.js";

const PAGE = 25;
const FLEET = `query F($b: String, $first: Int, $offset: Int, $w: Boolean!) {
  fleet(benchmark: $b, first: $first, offset: $offset, worstFirst: $w) {
    benchmark benchmarks { benchmark clusters } totalClusters
    clusters { clusterId clusterName reportId finishedAt summary { fail error warn } }
    checks { id description states counts { fail error warn } } } }`;

export function FleetPage({ params }) {
  const benchmark = params.get("benchmark") || null;
  const offset = parseInt(params.get("offset") || "0", 10) || 0;
  const worst = params.get("worst") === "1";
  const failing = params.get("failing") === "1";
  const { data, error, reload } = useLoad(
    () => gql(FLEET, { b: benchmark, first: PAGE, offset, w: worst }),
    [benchmark, offset, worst]
  );
  const set = (change) => go(href("/fleet", { benchmark, offset, worst: worst ? "1" : null, failing: failing ? "1" : null, ...change }), true);
  const f = data && data.fleet;
  const checks = f ? f.checks.filter((c) => !failing || c.counts.fail + c.counts.error > 0) : [];
  return html`<section>
    <h1>Fleet</h1>
    <${ErrorBox} error=${error} retry=${reload} />
    ${!data && !error ? html`<p class="loading" role="status">Loading…</p>` : null}
    ${f && !f.benchmark ? html`<p class="muted">No visible cluster has a report yet.</p>` : null}
    ${f && f.benchmark ? html`
      <div class="filters">
        <label for="fleet-bench">Benchmark</label>
        <select id="fleet-bench" value=${f.benchmark} onChange=${(e) => set({ benchmark: e.target.value, offset: 0 })}>
          ${f.benchmarks.map((b) => html`<option value=${b.benchmark}>${b.benchmark} (${b.clusters} clusters)</option>`)}
        </select>
        <label class="check"><input type="checkbox" checked=${worst} onChange=${(e) => set({ worst: e.target.checked ? "1" : null })} /> Worst first</label>
        <label class="check"><input type="checkbox" checked=${failing} onChange=${(e) => set({ failing: e.target.checked ? "1" : null })} /> Only checks failing somewhere</label>
      </div>
      <div class="matrix-wrap">
      <table class="grid matrix" aria-label=${"Checks by cluster, " + f.benchmark}>
        <thead><tr><th>Check</th><th class="n">Failing clusters</th>
          ${f.clusters.map((c) => html`<th scope="col">${c.reportId
            ? html`<a href=${"#/reports/" + c.reportId} title=${c.clusterName}>${c.clusterName}</a>`
            : html`<span class="muted" title="no report of this benchmark">${c.clusterName}</span>`}
            ${c.summary ? html`<div class="muted">${c.summary.fail} fail</div>` : null}</th>`)}
        </tr></thead>
        <tbody>${checks.map((k) => html`<tr>
          <th scope="row" title=${k.description}>${k.id} <span class="muted">${k.description}</span></th>
          <td class=${k.counts.fail + k.counts.error ? "n fail" : "n"}>${k.counts.fail + k.counts.error}</td>
          ${k.states.map((s) => html`<td><${StateBadge} state=${s} /></td>`)}
        </tr>`)}</tbody>
      </table></div>
      <${Pager} offset=${offset} limit=${PAGE} total=${f.totalClusters} onChange=${(o) => set({ offset: o })} label="Cluster pages" />` : null}
  </section>`;
}
