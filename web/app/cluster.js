// A cluster: run a scan and watch it, its reports (paged), schedules and skipped tests.
import { html, useState } from "/assets/vendor/htm-preact-3.1.1.js";
import { gql } from "./api.js";
import { RunScan } from "./scan.js";
import { Schedules } from "./schedules.js";
import { SkippedTests, SKIP_FIELDS } from "./skips.js";
import { ErrorBox, StateBadge, Time, useCursorPages, useLoad } from "./widgets.js";

const CLUSTER = `query C($id: ID!) { cluster(id: $id) { id name benchmark sourceKind skippedTests { ${SKIP_FIELDS} } } }`;
const HISTORY = `query H($id: ID!, $after: String) { reports(clusterId: $id, first: 10, after: $after) {
  pageInfo { hasNextPage endCursor }
  nodes { id state benchmarkVersion createdAt finishedAt scoredOnly summary { total pass fail warn skip notApplicable error } } } }`;

function History({ clusterId, version }) {
  const { after, pager } = useCursorPages();
  const { data, error, reload } = useLoad(() => gql(HISTORY, { id: clusterId, after }), [clusterId, after, version]);
  const page = data && data.reports;
  return html`<section class="panel" aria-labelledby="hist-h">
    <h2 id="hist-h">Reports</h2>
    <${ErrorBox} error=${error} retry=${reload} />
    ${page && page.nodes.length === 0 ? html`<p class="muted">No reports yet: run a scan.</p>` : null}
    ${page && page.nodes.length ? html`<table class="grid" aria-label="Reports">
      <thead><tr><th>State</th><th>Report</th><th>Benchmark</th><th class="n">Pass</th><th class="n">Fail</th>
        <th class="n">Warn</th><th class="n">Skip</th><th class="n">N/A</th><th class="n">Error</th><th>Finished</th></tr></thead>
      <tbody>${page.nodes.map((r) => html`<tr>
        <td><${StateBadge} state=${r.state} /></td>
        <td><a href=${"#/reports/" + r.id}>${r.id.slice(0, 8)}</a>${r.scoredOnly ? html` <span class="muted">(scored only)</span>` : null}</td>
        <td>${r.benchmarkVersion}</td>
        <td class="n">${r.summary.pass}</td><td class="n fail">${r.summary.fail}</td><td class="n">${r.summary.warn}</td>
        <td class="n">${r.summary.skip}</td><td class="n">${r.summary.notApplicable}</td><td class="n">${r.summary.error}</td>
        <td><${Time} at=${r.finishedAt} /></td></tr>`)}</tbody></table>` : null}
    ${page ? pager(page.pageInfo, "Report pages") : null}
  </section>`;
}

export function ClusterPage({ id }) {
  const { data, error, reload } = useLoad(() => gql(CLUSTER, { id }), [id]);
  const [version, setVersion] = useState(0);
  if (error) return html`<section><h1>Cluster ${id}</h1><${ErrorBox} error=${error} retry=${reload} /></section>`;
  if (!data) return html`<section><h1>Cluster ${id}</h1><p class="loading" role="status">Loading…</p></section>`;
  const c = data.cluster;
  if (!c) return html`<section><h1>Cluster ${id}</h1><${ErrorBox} error=${{ code: "NOT_FOUND", message: `cluster ${id} not found` }} /></section>`;
  return html`<section>
    <p class="crumbs"><a href="#/">Overview</a> › ${c.name}</p>
    <h1>${c.name}</h1>
    <p class="muted">Source: ${c.sourceKind.toLowerCase()} · benchmark: ${c.benchmark || "chosen from the Kubernetes version"}</p>
    <${RunScan} clusterId=${c.id} defaultBenchmark=${c.benchmark} onFinished=${() => setVersion(version + 1)} />
    <${History} clusterId=${c.id} version=${version} />
    <${Schedules} clusterId=${c.id} />
    <${SkippedTests} clusterId=${c.id} skipped=${c.skippedTests} onChange=${reload} />
  </section>`;
}
