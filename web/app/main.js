// The web UI's shell: sign-in, the header, and the page the URL names.
import { html, render, useState, useEffect } from "/assets/vendor/htm-preact-3.1.1.js";
import { token, signOut } from "./api.js";
import { useRoute } from "./router.js";
import { SignIn } from "./signin.js";
import { Overview } from "./overview.js";
import { ClusterPage } from "./cluster.js";
import { ReportPage } from "./report.js";
import { FleetPage } from "./fleet.js";

function Page({ route }) {
  const [kind, id] = route.parts;
  if (!kind) return html`<${Overview} params=${route.params} />`;
  if (kind === "clusters" && id) return html`<${ClusterPage} id=${id} key=${id} />`;
  if (kind === "fleet") return html`<${FleetPage} params=${route.params} />`;
  if (kind === "reports" && id) return html`<${ReportPage} id=${id} params=${route.params} key=${id} />`;
  return html`<div class="error" role="alert"><strong>Not found</strong> There is no page here. <a href="#/">Back to the overview</a></div>`;
}

function App() {
  const [signedIn, setSignedIn] = useState(!!token());
  const [message, setMessage] = useState("");
  const route = useRoute();
  useEffect(() => {
    const on = (e) => {
      setSignedIn(false);
      setMessage(e.detail || "");
    };
    window.addEventListener("cis-signout", on);
    return () => window.removeEventListener("cis-signout", on);
  }, []);
  useEffect(() => {
    const main = document.querySelector("main h1");
    if (main) document.title = main.textContent + " · cis-scan";
  });
  if (!signedIn) {
    return html`<${SignIn} message=${message} onSignedIn=${() => { setMessage(""); setSignedIn(true); }} />`;
  }
  return html`
    <header class="top">
      <a class="brand" href="#/">cis-scan</a>
      <nav aria-label="Main">
        <a href="#/" aria-current=${route.parts.length === 0 ? "page" : undefined}>Overview</a>
        <a href="#/fleet" aria-current=${route.parts[0] === "fleet" ? "page" : undefined}>Fleet</a>
        <a href="/graphiql">GraphiQL</a>
      </nav>
      <button type="button" class="signout" onClick=${() => signOut("You signed out.")}>Sign out</button>
    </header>
    <main><${Page} route=${route} /></main>`;
}

const root = document.getElementById("app");
root.textContent = ""; // the "Loading" placeholder
render(html`<${App} />`, root);
