// Exceptions: tests skipped for a cluster's next scans, with why, who, when, until
// when and on which nodes, whether they still hide anything; Unskip; the audit trail.
import { html, useState } from "/assets/vendor/htm-preact-3.1.1.js";
import { gql } from "./api.js";
import { ErrorBox, Time, useCursorPages, useLoad } from "./widgets.js";

export const SKIP_FIELDS = "testId reason skippedBy skippedAt expiresAt nodes expired lastMatchedAt unknownNodes";
export const SKIP = `mutation Skip($c: ID!, $t: String!, $r: String, $e: DateTime, $n: [String!]) {
  skipTest(clusterId: $c, testId: $t, reason: $r, expiresAt: $e, nodes: $n) { ${SKIP_FIELDS} } }`;
export const UNSKIP = `mutation Unskip($c: ID!, $t: String!) { unskipTest(clusterId: $c, testId: $t) }`;
const AUDIT = `query A($c: ID!, $after: String) { skipAudit(clusterId: $c, first: 10, after: $after) {
  pageInfo { hasNextPage endCursor } nodes { id testId action replaced by at reason expiresAt nodes } } }`;

/** What an exception covers, in words. */
export function scope(s) {
  const nodes = s.nodes && s.nodes.length ? "on " + s.nodes.join(", ") : "on every node";
  return nodes;
}

/** A warning when the exception names nodes the latest report does not have. */
export function UnknownNodes({ skip }) {
  const unknown = skip.unknownNodes || [];
  if (unknown.length === 0) return null;
  return html`<span class="warning" role="status">Not in the latest report: ${unknown.join(", ")}. The skip hides nothing
    there; check the node names.</span>`;
}

function Audit({ clusterId, version }) {
  const { after, pager } = useCursorPages();
  const { data, error, reload } = useLoad(() => gql(AUDIT, { c: clusterId, after }), [clusterId, after, version]);
  const page = data && data.skipAudit;
  return html`<details class="audit">
    <summary>Audit trail of skips and unskips</summary>
    <${ErrorBox} error=${error} retry=${reload} />
    ${page && page.nodes.length === 0 ? html`<p class="muted">Nothing was skipped or unskipped yet.</p>` : null}
    ${page && page.nodes.length ? html`<table class="grid" aria-label="Audit trail">
      <thead><tr><th>When</th><th>Who</th><th>Action</th><th>Test</th><th>Reason</th><th>Expires</th><th>Nodes</th></tr></thead>
      <tbody>${page.nodes.map((e) => html`<tr>
        <td><${Time} at=${e.at} /></td><td>${e.by}</td><td>${e.action}${e.replaced ? " (replaced)" : ""}</td><td>${e.testId}</td>
        <td>${e.reason || ""}</td><td><${Time} at=${e.expiresAt} /></td><td>${e.nodes.length ? e.nodes.join(", ") : "all"}</td>
      </tr>`)}</tbody></table>` : null}
    ${page ? pager(page.pageInfo, "Audit pages") : null}
  </details>`;
}

export function SkippedTests({ clusterId, skipped, onChange }) {
  const [error, setError] = useState(null);
  const [version, setVersion] = useState(0);
  const unskip = async (testId) => {
    setError(null);
    try {
      await gql(UNSKIP, { c: clusterId, t: testId });
      setVersion(version + 1);
      onChange();
    } catch (e) { setError(e); }
  };
  return html`<section class="panel" aria-labelledby="skips-h">
    <h2 id="skips-h">Skipped tests</h2>
    <p class="muted">Skips apply from the next scan on. "Last hid a result" is the last scan in which the skip turned a
      FAIL, WARN or ERROR into SKIP: a skip that never did may no longer be needed.</p>
    <${ErrorBox} error=${error} />
    ${skipped.length === 0 ? html`<p class="muted">No tests are skipped.</p>` : html`<table class="grid" aria-label="Skipped tests">
      <thead><tr><th>Test</th><th>Reason</th><th>Scope</th><th>Skipped by</th><th>When</th><th>Expires</th><th>Last hid a result</th><th></th></tr></thead>
      <tbody>${skipped.map((s) => html`<tr class=${s.expired ? "expired" : ""}>
        <td>${s.testId}</td><td>${s.reason || html`<span class="muted">none given</span>`}</td><td>${scope(s)} <${UnknownNodes} skip=${s} /></td>
        <td>${s.skippedBy}</td><td><${Time} at=${s.skippedAt} /></td>
        <td>${s.expired ? html`<span class="badge s-FAIL">expired</span> ` : null}${s.expiresAt ? html`<${Time} at=${s.expiresAt} />` : "never"}</td>
        <td>${s.lastMatchedAt ? html`<${Time} at=${s.lastMatchedAt} />` : html`<span class="muted">never</span>`}</td>
        <td><button type="button" onClick=${() => unskip(s.testId)} aria-label=${"Unskip " + s.testId}>Unskip</button></td>
      </tr>`)}</tbody></table>`}
    <${Audit} clusterId=${clusterId} version=${version} />
  </section>`;
}
