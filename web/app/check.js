// One check of a report, opened: its remediation, its per-node results (paged, so a
// 1,000-node report never renders whole) and Skip / Unskip for the next scans.
import { html, useState } from "/assets/vendor/htm-preact-3.1.1.js";
import { gql } from "./api.js";
import { SKIP, UNSKIP, UnknownNodes, scope } from "./skips.js";
import { ErrorBox, Pager, StateBadge, STATES, Time, useLoad } from "./widgets.js";

const NODE_PAGE = 50;
const DETAIL = `query D($id: ID!, $check: String!, $states: [CheckState!], $offset: Int!, $limit: Int) {
  report(id: $id) { results(section: $check, limit: 1) { id remediation reason
    nodeCount(states: $states)
    nodes(states: $states, offset: $offset, limit: $limit) { node state actual expected source reason audit } } } }`;

function SkipControl({ clusterId, checkId, skip, onChange }) {
  const [reason, setReason] = useState("");
  const [expires, setExpires] = useState("");
  const [nodes, setNodes] = useState("");
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const run = async (op, vars) => {
    setBusy(true);
    setError(null);
    try { await gql(op, vars); onChange(); } catch (e) { setError(e); } finally { setBusy(false); }
  };
  if (skip) {
    return html`<div class="skip">
      <p>${skip.expired ? "An expired skip (no longer applied) by" : "Skipped for the next scans by"} <b>${skip.skippedBy}</b>${" "}
        (<${Time} at=${skip.skippedAt} />), ${scope(skip)}${skip.expiresAt ? html`, until <${Time} at=${skip.expiresAt} />` : ""}${skip.reason ? ": " + skip.reason : ""}.</p>
      <${UnknownNodes} skip=${skip} />
      <button type="button" disabled=${busy} onClick=${() => run(UNSKIP, { c: clusterId, t: checkId })}>Unskip</button>
      <${ErrorBox} error=${error} />
    </div>`;
  }
  const submit = (e) => {
    e.preventDefault();
    // a date means the end of that day, in the browser's time zone
    const at = expires ? new Date(expires + "T23:59:59").toISOString() : null;
    const names = nodes.split(/[\s,]+/).filter(Boolean);
    run(SKIP, { c: clusterId, t: checkId, r: reason.trim() || null, e: at, n: names.length ? names : null });
  };
  const id = (k) => `${k}-${checkId}`;
  return html`<form class="skip" onSubmit=${submit}>
    <label for=${id("reason")}>Reason</label>
    <input id=${id("reason")} value=${reason} onInput=${(e) => setReason(e.target.value)}
      placeholder="why this check does not apply here" maxlength="1000" />
    <label for=${id("expires")}>Expires</label>
    <input id=${id("expires")} type="date" value=${expires} onInput=${(e) => setExpires(e.target.value)} />
    <label for=${id("nodes")}>Only on nodes</label>
    <input id=${id("nodes")} value=${nodes} onInput=${(e) => setNodes(e.target.value)} placeholder="all nodes" />
    <button type="submit" disabled=${busy}>Skip</button>
    <span class="muted">The next scans report it as SKIP with this reason.</span>
    <${ErrorBox} error=${error} />
  </form>`;
}

export function CheckDetail({ reportId, clusterId, checkId, skip, onSkipsChanged }) {
  const [offset, setOffset] = useState(0);
  const [nodeState, setNodeState] = useState("");
  const states = nodeState ? [nodeState] : null;
  const { data, error, reload } = useLoad(
    () => gql(DETAIL, { id: reportId, check: checkId, states, offset, limit: NODE_PAGE }),
    [reportId, checkId, offset, nodeState]
  );
  const c = data && data.report && data.report.results.find((r) => r.id === checkId);
  return html`<div class="detail" id=${"detail-" + checkId}>
    <${ErrorBox} error=${error} retry=${reload} />
    ${!data && !error ? html`<p class="loading" role="status">Loading…</p>` : null}
    ${c ? html`
      ${c.reason ? html`<p><b>Why:</b> ${c.reason}</p>` : null}
      <h4>Remediation</h4>
      <pre class="remediation">${c.remediation || "none given"}</pre>
      <h4>Nodes</h4>
      <div class="row">
        <label for=${"ns-" + checkId}>Node state</label>
        <select id=${"ns-" + checkId} value=${nodeState} onChange=${(e) => { setOffset(0); setNodeState(e.target.value); }}>
          <option value="">All</option>${STATES.map((s) => html`<option value=${s}>${s}</option>`)}
        </select>
      </div>
      <table class="grid nodes" aria-label=${"Nodes of " + checkId}>
        <thead><tr><th>Node</th><th>State</th><th>Actual</th><th>Expected</th><th>Source</th><th>Reason</th><th>Check by hand</th></tr></thead>
        <tbody>${c.nodes.map((n) => html`<tr>
          <td>${n.node}</td><td><${StateBadge} state=${n.state} /></td><td><code>${n.actual}</code></td>
          <td><code>${n.expected}</code></td><td><code>${n.source}</code></td><td>${n.reason || ""}</td>
          <td>${n.audit ? html`<code class="audit">${n.audit}</code>` : ""}</td></tr>`)}
        </tbody></table>
      ${c.nodes.length === 0 ? html`<p class="muted">No node results${nodeState ? " in this state" : ""}.</p>` : null}
      <${Pager} offset=${offset} limit=${NODE_PAGE} total=${c.nodeCount} onChange=${setOffset} label=${"Node pages of " + checkId} />
      <${SkipControl} clusterId=${clusterId} checkId=${checkId} skip=${skip} onChange=${onSkipsChanged} />` : null}
  </div>`;
}
