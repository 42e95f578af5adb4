// A cluster's schedules: create, edit, pause or resume, delete; cron, time zone,
// retention, alerts, next run.
import { html, useState } from "/assets/vendor/htm-preact-3.1.1.js";
import { gql } from "./api.js";
import { ErrorBox, Time, useLoad } from "./widgets.js";

const FIELDS = "id cron timezone retention benchmark alertOnFailure alertOnComplete enabled scoredOnly nextRunAt lastRunAt";
const LIST = `query S($c: ID!) { schedules(clusterId: $c) { ${FIELDS} } }`;
const CREATE = `mutation C($c: ID!, $cron: String!, $tz: String, $r: Int, $b: String, $f: Boolean, $d: Boolean, $so: Boolean) {
  createSchedule(clusterId: $c, cron: $cron, timezone: $tz, retention: $r, benchmark: $b, alertOnFailure: $f, alertOnComplete: $d, scoredOnly: $so) { id } }`;
const UPDATE = `mutation U($id: ID!, $cron: String, $tz: String, $r: Int, $b: String, $f: Boolean, $d: Boolean, $so: Boolean, $on: Boolean) {
  updateSchedule(id: $id, cron: $cron, timezone: $tz, retention: $r, benchmark: $b, alertOnFailure: $f, alertOnComplete: $d, scoredOnly: $so, enabled: $on) { id } }`;
const DELETE = `mutation D($id: ID!) { deleteSchedule(id: $id) }`;

const EMPTY = { cron: "0 3 * * *", timezone: "UTC", retention: 3, benchmark: "", alertOnFailure: true, alertOnComplete: false, scoredOnly: false };

function ScheduleForm({ initial, submitLabel, onSubmit, onCancel }) {
  const [f, setF] = useState({ ...EMPTY, ...initial, benchmark: (initial && initial.benchmark) || "" });
  const [error, setError] = useState(null);
  const set = (k) => (e) => setF({ ...f, [k]: e.target.type === "checkbox" ? e.target.checked : e.target.value });
  const submit = async (e) => {
    e.preventDefault();
    setError(null);
    const retention = parseInt(f.retention, 10);
    try {
      await onSubmit({ cron: f.cron, tz: f.timezone || "UTC", r: Number.isNaN(retention) ? null : retention,
        b: f.benchmark || null, f: f.alertOnFailure, d: f.alertOnComplete, so: f.scoredOnly });
    } catch (err) {
      setError(err);
    }
  };
  const id = (k) => `sched-${initial && initial.id ? initial.id : "new"}-${k}`;
  return html`<form class="schedule-form" onSubmit=${submit}>
    <label for=${id("cron")}>Cron</label><input id=${id("cron")} value=${f.cron} onInput=${set("cron")} required
      aria-describedby=${id("cron-help")} />
    <span id=${id("cron-help")} class="muted">5 fields (minute hour day month weekday) or 6 with seconds first</span>
    <label for=${id("tz")}>Time zone</label><input id=${id("tz")} value=${f.timezone} onInput=${set("timezone")} />
    <label for=${id("ret")}>Retention</label><input id=${id("ret")} type="number" min="1" value=${f.retention} onInput=${set("retention")} />
    <label for=${id("bench")}>Benchmark</label><input id=${id("bench")} value=${f.benchmark} onInput=${set("benchmark")} placeholder="chosen from the version" />
    <label class="check"><input type="checkbox" checked=${f.alertOnFailure} onChange=${set("alertOnFailure")} /> Alert on failure</label>
    <label class="check"><input type="checkbox" checked=${f.alertOnComplete} onChange=${set("alertOnComplete")} /> Alert on completion</label>
    <label class="check"><input type="checkbox" checked=${f.scoredOnly} onChange=${set("scoredOnly")} /> Scored checks only</label>
    <${ErrorBox} error=${error} />
    <div class="row"><button type="submit">${submitLabel}</button>
      ${onCancel ? html`<button type="button" onClick=${onCancel}>Cancel</button>` : null}</div>
  </form>`;
}

export function Schedules({ clusterId }) {
  const { data, error, reload } = useLoad(() => gql(LIST, { c: clusterId }), [clusterId]);
  const [editing, setEditing] = useState(null);
  const [creating, setCreating] = useState(false);
  const [actionError, setActionError] = useState(null);
  const act = async (fn) => {
    setActionError(null);
    try { await fn(); reload(); } catch (e) { setActionError(e); }
  };
  return html`<section class="panel" aria-labelledby="sched-h">
    <h2 id="sched-h">Schedules</h2>
    <${ErrorBox} error=${error || actionError} retry=${reload} />
    ${data && data.schedules.length === 0 ? html`<p class="muted">No schedules.</p>` : null}
    ${data && data.schedules.length ? html`<table class="grid" aria-label="Schedules">
      <thead><tr><th>Cron</th><th>Time zone</th><th>Retention</th><th>Benchmark</th><th>Alerts</th><th>State</th><th>Next run</th><th>Last run</th><th></th></tr></thead>
      <tbody>${data.schedules.map((s) => editing === s.id
        ? html`<tr><td colspan="9"><${ScheduleForm} initial=${s} submitLabel="Save schedule"
            onSubmit=${async (v) => { await gql(UPDATE, { id: s.id, ...v }); setEditing(null); reload(); }}
            onCancel=${() => setEditing(null)} /></td></tr>`
        : html`<tr>
          <td><code>${s.cron}</code></td><td>${s.timezone}</td><td>${s.retention}</td><td>${s.benchmark || "by version"}</td>
          <td>${[s.alertOnFailure && "failure", s.alertOnComplete && "completion"].filter(Boolean).join(", ") || "none"}</td>
          <td>${s.enabled ? "active" : "paused"}</td>
          <td>${s.enabled ? html`<${Time} at=${s.nextRunAt} />` : html`<span class="muted">paused</span>`}</td>
          <td><${Time} at=${s.lastRunAt} /></td>
          <td class="actions">
            <button type="button" onClick=${() => setEditing(s.id)} aria-label=${"Edit schedule " + s.cron}>Edit</button>
            <button type="button" onClick=${() => act(() => gql(UPDATE, { id: s.id, on: !s.enabled }))}
              aria-label=${(s.enabled ? "Pause" : "Resume") + " schedule " + s.cron}>${s.enabled ? "Pause" : "Resume"}</button>
            <button type="button" onClick=${() => act(() => gql(DELETE, { id: s.id }))} aria-label=${"Delete schedule " + s.cron}>Delete</button>
          </td></tr>`)}</tbody>
    </table>` : null}
    ${creating
      ? html`<${ScheduleForm} initial=${{}} submitLabel="Create schedule"
          onSubmit=${async (v) => { await gql(CREATE, { c: clusterId, ...v }); setCreating(false); reload(); }}
          onCancel=${() => setCreating(false)} />`
      : html`<button type="button" onClick=${() => setCreating(true)}>New schedule</button>`}
  </section>`;
}
