// A report: summary, what changed since the cluster's previous report, checks worst
// first with state / section / text filters (kept in the URL), paged from the server,
// each opening to its remediation and nodes; downloads and delete.
import { html, useState, useEffect, useRef } from "/assets/vendor/htm-preact-3.1.1.js";
import { gql, download } from "./api.js";
import { go, href } from "./router.js";
import { CheckDetail } from "./check.js";
import { SKIP_FIELDS } from "./skips.js";
import { ErrorBox, Pager, StateBadge, STATES, SummaryStrip, Time, useLoad } from "./widgets.js";

const PAGE = 50;
const HEADER = `query R($id: ID!) { report(id: $id) { id state clusterId benchmarkVersion benchmarkTitle benchmarkReason
  scoredOnly kubernetesVersion provider mode createdAt startedAt finishedAt nodes excludedNodes { node reason }
  summary { total pass fail warn skip notApplicable error } sections { id title checks } downloads { format }
  previous { id finishedAt } } }`;
const SKIPS = `query K($c: ID!) { cluster(id: $c) { id name skippedTests { ${SKIP_FIELDS} } } }`;
const RESULTS = `query Res($id: ID!, $states: [CheckState!], $section: String, $q: String, $offset: Int!, $limit: Int) {
  report(id: $id) { resultCount(states: $states, section: $section, search: $q)
    results(states: $states, section: $section, search: $q, order: WORST_FIRST, offset: $offset, limit: $limit) {
      id description state scored automated nodeType reason } } }`;
const COMPARE = `query Cmp($b: ID!, $h: ID!) { compareReports(base: $b, head: $h) {
  newFailures { id description before after } fixed { id description before after }
  stillFailing { id } changed { id description before after } } }`;
const DELETE = `mutation Del($id: ID!) { deleteReport(id: $id) }`;
const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;
const FORMAT_LABEL = { json: "JSON", "kube-bench": "kube-bench JSON", junit: "JUnit", xccdf: "XCCDF", oscal: "OSCAL", sarif: "SARIF" };

function Changes({ report }) {
  const prev = report.previous;
  const { data, error, reload } = useLoad(
    () => (prev ? gql(COMPARE, { b: prev.id, h: report.id }) : Promise.resolve(null)),
    [report.id]
  );
  if (!prev) return html`<section class="panel"><h2>Changes</h2><p class="muted">The cluster's first report: nothing to compare with.</p></section>`;
  const c = data && data.compareReports;
  const list = (items) => html`<ul>${items.map((i) => html`<li>
    <a href=${href("/reports/" + report.id, { open: i.id })}>${i.id}</a> ${i.description}
    (<${StateBadge} state=${i.before} /> → <${StateBadge} state=${i.after} />)</li>`)}</ul>`;
  return html`<section class="panel" aria-labelledby="chg-h">
    <h2 id="chg-h">Changes since the previous report</h2>
    <p class="muted">Compared with <a href=${"#/reports/" + prev.id}>the report of <${Time} at=${prev.finishedAt} /></a>.</p>
    <${ErrorBox} error=${error} retry=${reload} />
    ${c ? html`<p>${plural(c.newFailures.length, "new failure")}, ${c.fixed.length} fixed, ${c.stillFailing.length} still failing, ${plural(c.changed.length, "other change")}.</p>
      ${c.newFailures.length ? html`<h3>New failures</h3>${list(c.newFailures)}` : null}
      ${c.fixed.length ? html`<h3>Fixed</h3>${list(c.fixed)}` : null}` : null}
  </section>`;
}

function DeleteReport({ report }) {
  const [asking, setAsking] = useState(false);
  const [error, setError] = useState(null);
  const confirmRef = useRef(null);
  useEffect(() => { if (asking && confirmRef.current) confirmRef.current.focus(); }, [asking]);
  const remove = async () => {
    try {
      await gql(DELETE, { id: report.id });
      go("#/clusters/" + encodeURIComponent(report.clusterId));
    } catch (e) {
      setError(e);
    }
  };
  return html`<span class="delete">
    <button type="button" class="danger" onClick=${() => setAsking(true)} disabled=${asking}>Delete report</button>
    ${asking ? html`<div role="alertdialog" aria-labelledby="del-q" class="confirm">
      <p id="del-q">Delete this report and all its results? This cannot be undone.</p>
      <button type="button" class="danger" ref=${confirmRef} onClick=${remove}>Confirm delete</button>
      <button type="button" onClick=${() => setAsking(false)}>Cancel</button>
    </div>` : null}
    <${ErrorBox} error=${error} />
  </span>`;
}

function Downloads({ report }) {
  const [error, setError] = useState(null);
  const get = (f) => download(report.id, f).then(() => setError(null), setError);
  return html`<div class="downloads">
    <button type="button" onClick=${() => get("csv")}>Download CSV</button>
    ${report.downloads.filter((d) => d.format !== "csv").map((d) => html`
      <button type="button" class="secondary" onClick=${() => get(d.format)}>Download ${FORMAT_LABEL[d.format] || d.format}</button>`)}
    <${ErrorBox} error=${error} />
  </div>`;
}

function Filters({ report, params, set }) {
  const states = (params.get("state") || "").split(",").filter(Boolean);
  const [text, setText] = useState(params.get("q") || "");
  useEffect(() => {
    const t = setTimeout(() => { if (text !== (params.get("q") || "")) set({ q: text }); }, 250);
    return () => clearTimeout(t);
  }, [text]);
  const toggle = (s) => set({ state: states.includes(s) ? states.filter((x) => x !== s) : [...states, s] });
  const count = { FAIL: "fail", ERROR: "error", WARN: "warn", SKIP: "skip", PASS: "pass", NOT_APPLICABLE: "notApplicable" };
  return html`<div class="filters" role="group" aria-label="Filters">
    <span role="group" aria-label="State">${STATES.map((s) => html`
      <button type="button" class=${"state-filter s-" + s} aria-pressed=${states.includes(s) ? "true" : "false"}
        aria-label=${s} onClick=${() => toggle(s)}>${s === "NOT_APPLICABLE" ? "N/A" : s} ${report.summary[count[s]]}</button>`)}</span>
    <label for="search">Search</label>
    <input id="search" type="search" value=${text} placeholder="id or text" maxlength="200" onInput=${(e) => setText(e.target.value)} />
    <label for="section">Section</label>
    <select id="section" value=${params.get("section") || ""} onChange=${(e) => set({ section: e.target.value })}>
      <option value="">All sections</option>
      ${report.sections.map((s) => html`<option value=${s.id}>${s.id}${s.title ? " " + s.title : ""} (${s.checks})</option>`)}
    </select>
  </div>`;
}

export function ReportPage({ id, params }) {
  const head = useLoad(() => gql(HEADER, { id }), [id]);
  const report = head.data && head.data.report;
  const skips = useLoad(() => (report ? gql(SKIPS, { c: report.clusterId }) : Promise.resolve(null)), [report && report.clusterId]);
  const states = (params.get("state") || "").split(",").filter(Boolean);
  const section = params.get("section") || null;
  const q = params.get("q") || null;
  const offset = parseInt(params.get("offset") || "0", 10) || 0;
  const open = params.get("open");
  const results = useLoad(
    () => gql(RESULTS, { id, states: states.length ? states : null, section, q, offset, limit: PAGE }),
    [id, params.toString().replace(/&?open=[^&]*/, "")]
  );
  // filters change the URL (replacing the entry), so a refresh or a shared link shows the same view
  const set = (change) => {
    const next = { state: states, section, q, offset: 0, open: null, ...change };
    go(href("/reports/" + id, next), true);
  };
  if (head.error) return html`<section><h1>Report</h1><${ErrorBox} error=${head.error} retry=${head.reload} /></section>`;
  if (!report) return html`<section><h1>Report</h1><p class="loading" role="status">Loading report…</p></section>`;
  const skipped = (skips.data && skips.data.cluster && skips.data.cluster.skippedTests) || [];
  const clusterName = (skips.data && skips.data.cluster && skips.data.cluster.name) || report.clusterId;
  const page = results.data && results.data.report;
  return html`<section>
    <p class="crumbs"><a href="#/">Overview</a> › <a href=${"#/clusters/" + encodeURIComponent(report.clusterId)}>${clusterName}</a> › report</p>
    <h1>Report <${StateBadge} state=${report.state} /></h1>
    <p class="muted">${report.benchmarkTitle} (${report.benchmarkVersion})${report.benchmarkReason ? " — " + report.benchmarkReason : ""} ·
      Kubernetes ${report.kubernetesVersion || "unknown"} · ${report.nodes.length} nodes · ${report.mode || ""}${" "}
      · finished <${Time} at=${report.finishedAt} />${report.scoredOnly ? " · scored checks only" : ""}</p>
    <${SummaryStrip} summary=${report.summary} />
    ${report.excludedNodes.length ? html`<p class="notice">Left out: ${report.excludedNodes.map((n) => n.node + " (" + n.reason + ")").join(", ")}</p>` : null}
    <div class="toolbar"><${Downloads} report=${report} /><${DeleteReport} report=${report} /></div>
    <${Changes} report=${report} />
    <section class="panel" aria-labelledby="checks-h">
      <h2 id="checks-h">Checks</h2>
      <${Filters} report=${report} params=${params} set=${set} />
      <${ErrorBox} error=${results.error} retry=${results.reload} />
      ${page ? html`<p class="muted" role="status">${page.resultCount === 1 ? "1 check matches" : page.resultCount + " checks match"}.</p>
      <ul class="checks" aria-label="Checks">${page.results.map((c) => {
        const isOpen = open === c.id;
        return html`<li class=${isOpen ? "open" : ""}>
          <button type="button" class="check-row" aria-expanded=${isOpen ? "true" : "false"} aria-controls=${"detail-" + c.id}
            onClick=${() => go(href("/reports/" + id, { state: states, section, q, offset, open: isOpen ? null : c.id }), true)}>
            <${StateBadge} state=${c.state} /> <span class="cid">${c.id}</span> <span class="desc">${c.description}</span>
            <span class="muted">${c.nodeType}${c.scored ? "" : " · not scored"}${c.automated ? "" : " · manual"}</span>
          </button>
          ${isOpen ? html`<${CheckDetail} reportId=${id} clusterId=${report.clusterId} checkId=${c.id}
            skip=${skipped.find((s) => s.testId === c.id)} onSkipsChanged=${skips.reload} />` : null}
        </li>`;
      })}</ul>
      <${Pager} offset=${offset} limit=${PAGE} total=${page.resultCount} onChange=${(o) => set({ offset: o })} label="Check pages" />` : null}
    </section>
  </section>`;
}
