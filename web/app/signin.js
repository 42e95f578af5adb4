// Sign-in by pasting an API token (created with `cis-scan token create`); the token
// is checked against the API before it is kept for the browser session.
import { html, useState } from "/assets/vendor/htm-preact-3.1.1.js";
import { gql, saveToken, ApiError } from "./api.js";

export function SignIn({ message, onSignedIn }) {
  const [value, setValue] = useState("");
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e) => {
    e.preventDefault();
    const t = value.trim();
    if (!t) {
      setError("Paste a token first.");
      return;
    }
    setBusy(true);
    setError(null);
    saveToken(t);
    try {
      await gql("{ clusters { id } }");
      onSignedIn();
    } catch (err) {
      sessionStorage.removeItem("cis-scan-token");
      setError(err instanceof ApiError ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  return html`<main class="signin">
    <h1>cis-scan</h1>
    <p>CIS Kubernetes Benchmark results for your clusters.</p>
    ${message && !error ? html`<p class="notice" role="status">${message}</p>` : null}
    <form onSubmit=${submit}>
      <label for="token">API token</label>
      <input id="token" type="password" autocomplete="off" value=${value}
        onInput=${(e) => setValue(e.target.value)} aria-describedby="token-help" />
      <p id="token-help" class="muted">An administrator creates one with <code>cis-scan token create --admin</code>
        or <code>--owner CLUSTER</code>. It is kept only for this browser session.</p>
      ${error ? html`<p class="error" role="alert">${error}</p>` : null}
      <button type="submit" disabled=${busy}>Sign in</button>
    </form>
  </main>`;
}
