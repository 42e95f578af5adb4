// Run scan with a live progress bar: the scanProgress subscription drives it, a
// poll of the scan takes over if the live connection drops, and the report opens when done.
import { html, useState, useEffect, useRef } from "/assets/vendor/htm-preact-3.1.1.js";
import { gql, subscribe } from "./api.js";
import { go } from "./router.js";
import { ErrorBox } from "./widgets.js";

const PROGRESS_FIELDS = "scanId phase nodesDone nodesTotal checksDone checksTotal message state reportId";
const RUN = `mutation Run($c: ID!, $b: String) { runScan(clusterId: $c, benchmark: $b) { id state } }`;
const WATCH = `subscription Watch($id: ID!) { scanProgress(scanId: $id) { ${PROGRESS_FIELDS} } }`;
const POLL = `query Poll($id: ID!) { scan(id: $id) { message progress { ${PROGRESS_FIELDS} } } }`;
const CANCEL = `mutation Cancel($id: ID!) { cancelScan(id: $id) { id state } }`;
const CHOICES = `{ benchmarks { id title provider } profiles { id title } }`;

/** Percent done, from the phase and its counters. */
export function percent(p) {
  if (!p) return 0;
  const frac = (done, total) => (total > 0 ? Math.min(1, done / total) : 0);
  switch (p.phase) {
    case "QUEUED": return 0;
    case "DISCOVERING": return 5;
    case "COLLECTING": return Math.round(10 + 50 * frac(p.nodesDone, p.nodesTotal));
    case "EVALUATING": return Math.round(60 + 35 * frac(p.checksDone, p.checksTotal));
    case "SAVING": return 95;
    case "DONE": return p.state === "SUCCEEDED" ? 100 : 0;
    default: return 0;
  }
}

const FINAL = ["SUCCEEDED", "FAILED", "CANCELLED", "INTERRUPTED"];

export function RunScan({ clusterId, defaultBenchmark, onFinished }) {
  const [choices, setChoices] = useState(null);
  const [benchmark, setBenchmark] = useState("");
  const [progress, setProgress] = useState(null);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const stop = useRef(null);
  const poller = useRef(null);

  useEffect(() => {
    gql(CHOICES).then(setChoices, () => setChoices({ benchmarks: [], profiles: [] }));
    return () => {
      if (stop.current) stop.current();
      clearInterval(poller.current);
    };
  }, []);

  const finished = (p, message) => {
    setBusy(false);
    clearInterval(poller.current);
    if (p.state === "SUCCEEDED" && p.reportId) {
      if (onFinished) onFinished();
      // leave the full bar on screen a moment, then open the report
      setTimeout(() => go("#/reports/" + p.reportId), 700);
    } else {
      setError({ code: p.state, message: `The scan ${p.state.toLowerCase()}: ${message || p.message || "no message"}` });
    }
  };

  const poll = (id) => {
    clearInterval(poller.current);
    poller.current = setInterval(async () => {
      try {
        const d = await gql(POLL, { id });
        setProgress(d.scan.progress);
        setError(null);
        if (FINAL.includes(d.scan.progress.state)) finished(d.scan.progress, d.scan.message);
      } catch (e) {
        setError(e);
      }
    }, 1000);
  };

  const run = async () => {
    setError(null);
    setBusy(true);
    setProgress({ phase: "QUEUED", state: "QUEUED", nodesDone: 0, nodesTotal: 0, checksDone: 0, checksTotal: 0, message: "queued" });
    let scan;
    try {
      scan = (await gql(RUN, { c: clusterId, b: benchmark || null })).runScan;
    } catch (e) {
      setBusy(false);
      setProgress(null);
      setError(e);
      return;
    }
    stop.current = subscribe(WATCH, { id: scan.id }, {
      onNext: (d) => {
        const p = d.scanProgress;
        setProgress(p);
        if (FINAL.includes(p.state)) finished(p);
      },
      onError: (e) => {
        if (e.code === "NETWORK") poll(scan.id);
        else { setBusy(false); setError(e); }
      },
      onComplete: () => {},
    });
  };

  const cancel = async () => {
    if (!progress || !progress.scanId) return;
    try { await gql(CANCEL, { id: progress.scanId }); } catch (e) { setError(e); }
  };

  const pct = percent(progress);
  return html`<section class="panel" aria-labelledby="run-h">
    <h2 id="run-h">Run a scan</h2>
    <div class="row">
      <label for="bench">Benchmark</label>
      <select id="bench" value=${benchmark} onChange=${(e) => setBenchmark(e.target.value)} disabled=${busy}>
        <option value="">${defaultBenchmark ? "Cluster default (" + defaultBenchmark + ")" : "Chosen from the Kubernetes version"}</option>
        ${choices ? choices.benchmarks.map((b) => html`<option value=${b.id}>${b.id} — ${b.title}</option>`) : null}
        ${choices ? choices.profiles.map((p) => html`<option value=${p.id}>${p.id} — ${p.title} (profile)</option>`) : null}
      </select>
      <button type="button" onClick=${run} disabled=${busy}>Run scan</button>
      ${busy && progress && progress.scanId ? html`<button type="button" onClick=${cancel}>Cancel scan</button>` : null}
    </div>
    ${progress ? html`<div class="progress">
      <div role="progressbar" aria-label="Scan progress" aria-valuemin="0" aria-valuemax="100" aria-valuenow=${pct}
        aria-valuetext=${`${pct}%: ${progress.phase.toLowerCase()}`}>
        <div class="bar" style=${"width:" + pct + "%"}></div>
      </div>
      <p class="muted" aria-live="polite">${progress.phase}: nodes ${progress.nodesDone}/${progress.nodesTotal},
        checks ${progress.checksDone}/${progress.checksTotal}${progress.message ? " — " + progress.message : ""}
        ${pct === 100 ? " — opening the report…" : ""}</p>
    </div>` : null}
    <${ErrorBox} error=${error} />
  </section>`;
}
