// GraphiQL on the service's own API. The token the web UI signed in with (kept for the
// browser session) goes in the Authorization header and the websocket's connection_init.
(function () {
  var token = sessionStorage.getItem("cis-scan-token");
  var auth = token ? { Authorization: "Bearer " + token } : {};
  var ws = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/graphql";
  var fetcher = GraphiQL.createFetcher({
    url: location.origin + "/graphql",
    subscriptionUrl: ws,
    headers: auth,
    wsConnectionParams: auth,
  });
  var query =
    "# cis-scan's API. Sign in on the main page (/) to send your token, or add\n" +
    '# {"Authorization": "Bearer <token>"} under Headers below.\n' +
    "{\n  clusters {\n    id\n    name\n    latestReport {\n      id\n      state\n      benchmarkVersion\n" +
    "      summary { total pass fail warn skip notApplicable error }\n    }\n  }\n}\n";
  ReactDOM.createRoot(document.getElementById("graphiql")).render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: query,
      headers: token ? JSON.stringify(auth, null, 2) : undefined,
      shouldPersistHeaders: false,
    })
  );
})();
