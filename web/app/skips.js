// Tests skipped for a cluster's next scans, with why, who and when; Unskip.
import { html, useState } from "/assets/vendor/htm-preact-3.1.1.js";
import { gql } from "./api.js";
import { ErrorBox, Time } from "./widgets.js";

export const SKIP_FIELDS = "testId reason skippedBy skippedAt";
export const SKIP = `mutation Skip($c: ID!, $t: String!, $r: String) { skipTest(clusterId: $c, testId: $t, reason: $r) { ${SKIP_FIELDS} } }`;
export const UNSKIP = `mutation Unskip($c: ID!, $t: String!) { unskipTest(clusterId: $c, testId: $t) }`;

export function SkippedTests({ clusterId, skipped, onChange }) {
  const [error, setError] = useState(null);
  const unskip = async (testId) => {
    setError(null);
    try { await gql(UNSKIP, { c: clusterId, t: testId }); onChange(); } catch (e) { setError(e); }
  };
  return html`<section class="panel" aria-labelledby="skips-h">
    <h2 id="skips-h">Skipped tests</h2>
    <p class="muted">Skips apply from the next scan on.</p>
    <${ErrorBox} error=${error} />
    ${skipped.length === 0 ? html`<p class="muted">No tests are skipped.</p>` : html`<table class="grid" aria-label="Skipped tests">
      <thead><tr><th>Test</th><th>Reason</th><th>Skipped by</th><th>When</th><th></th></tr></thead>
      <tbody>${skipped.map((s) => html`<tr>
        <td>${s.testId}</td><td>${s.reason || html`<span class="muted">none given</span>`}</td><td>${s.skippedBy}</td>
        <td><${Time} at=${s.skippedAt} /></td>
        <td><button type="button" onClick=${() => unskip(s.testId)} aria-label=${"Unskip " + s.testId}>Unskip</button></td>
      </tr>`)}</tbody></table>`}
  </section>`;
}
