// The UI talks to the service only through its public API: GraphQL over POST,
// subscriptions over graphql-transport-ws, and the report downloads, all with the
// token the user pasted (kept in sessionStorage: gone when the browser session ends).

const TOKEN_KEY = "cis-scan-token";

export function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function saveToken(t) {
  sessionStorage.setItem(TOKEN_KEY, t);
}

/** Forgets the token and tells the app, which shows sign-in with `message`. */
export function signOut(message) {
  sessionStorage.removeItem(TOKEN_KEY);
  window.dispatchEvent(new CustomEvent("cis-signout", { detail: message || "" }));
}

/** An error with the API's `extensions.code`, or NETWORK when the service could not be reached. */
export class ApiError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

/** Runs a GraphQL operation; rejects with an ApiError. An unauthenticated answer signs out. */
export async function gql(query, variables = {}) {
  let res;
  try {
    res = await fetch("/graphql", {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: "Bearer " + (token() || "") },
      body: JSON.stringify({ query, variables }),
    });
  } catch (e) {
    throw new ApiError("NETWORK", "The service cannot be reached: check the connection and retry.");
  }
  let body;
  try {
    body = await res.json();
  } catch (e) {
    throw new ApiError("NETWORK", `The service answered ${res.status} without a GraphQL response; retry.`);
  }
  if (body.errors && body.errors.length) {
    const first = body.errors[0];
    const code = (first.extensions && first.extensions.code) || "INTERNAL";
    if (code === "UNAUTHENTICATED") signOut(first.message);
    throw new ApiError(code, first.message);
  }
  return body.data;
}

/**
 * Subscribes over graphql-transport-ws. Calls onNext(data) per event, onError(ApiError)
 * once on failure, onComplete() when the server ends the stream. Returns a function that stops it.
 */
export function subscribe(query, variables, { onNext, onError, onComplete }) {
  const scheme = location.protocol === "https:" ? "wss://" : "ws://";
  const ws = new WebSocket(scheme + location.host + "/graphql", "graphql-transport-ws");
  let done = false;
  const finish = (fn, arg) => {
    if (done) return;
    done = true;
    try { ws.close(); } catch (e) { /* already closed */ }
    if (fn) fn(arg);
  };
  ws.onopen = () => {
    ws.send(JSON.stringify({ type: "connection_init", payload: { Authorization: "Bearer " + (token() || "") } }));
  };
  ws.onmessage = (ev) => {
    let msg;
    try { msg = JSON.parse(ev.data); } catch (e) { return; }
    if (msg.type === "connection_ack") {
      ws.send(JSON.stringify({ id: "1", type: "subscribe", payload: { query, variables } }));
    } else if (msg.type === "ping") {
      ws.send(JSON.stringify({ type: "pong" }));
    } else if (msg.type === "next" && msg.payload) {
      if (msg.payload.errors && msg.payload.errors.length) {
        const e = msg.payload.errors[0];
        const code = (e.extensions && e.extensions.code) || "INTERNAL";
        if (code === "UNAUTHENTICATED") signOut(e.message);
        finish(onError, new ApiError(code, e.message));
      } else if (onNext) {
        onNext(msg.payload.data);
      }
    } else if (msg.type === "error") {
      const e = (msg.payload && msg.payload[0]) || {};
      const code = (e.extensions && e.extensions.code) || "INTERNAL";
      if (code === "UNAUTHENTICATED") signOut(e.message);
      finish(onError, new ApiError(code, e.message || "The subscription failed."));
    } else if (msg.type === "complete") {
      finish(onComplete);
    }
  };
  ws.onclose = (ev) => {
    if (ev.code === 4401 || ev.code === 4403) signOut(ev.reason || "The token was refused.");
    finish(onError, new ApiError("NETWORK", "The live connection to the service was lost."));
  };
  return () => finish(null);
}

/** Downloads `/reports/{id}/{format}` with the token and saves it as a file. */
export async function download(reportId, format) {
  let res;
  try {
    res = await fetch(`/reports/${encodeURIComponent(reportId)}/${format}`, {
      headers: { Authorization: "Bearer " + (token() || "") },
    });
  } catch (e) {
    throw new ApiError("NETWORK", "The service cannot be reached: check the connection and retry.");
  }
  if (res.status === 401) {
    signOut("The token was refused; sign in again.");
    throw new ApiError("UNAUTHENTICATED", "The token was refused.");
  }
  if (res.status === 404) throw new ApiError("NOT_FOUND", `Report ${reportId} was not found (deleted?).`);
  if (!res.ok) throw new ApiError("INTERNAL", `The download failed (HTTP ${res.status}); retry.`);
  const blob = await res.blob();
  const ext = { csv: "csv", json: "json", "kube-bench": "json", junit: "xml", xccdf: "xml", oscal: "json", sarif: "sarif" }[format] || format;
  const name = `cis-scan-report-${reportId}${format === ext ? "" : "-" + format}.${ext}`;
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
  return name;
}
