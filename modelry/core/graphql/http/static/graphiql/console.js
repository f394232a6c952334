// Starts GraphiQL on the page GET /graphql serves (modelry/core/graphql/console.py). A file of
// its own, not an inline script: the page's Content-Security-Policy runs own-origin files only.
"use strict";

(function () {
  // The one inline <style> GraphiQL inserts (react-remove-scroll, for its dialogs) takes its
  // nonce from this global; the page's policy refuses inline styles without it.
  window.__webpack_nonce__ = document.currentScript.nonce;

  const endpoint = window.location.origin + window.location.pathname;

  const introduction = [
    "# modelry's GraphQL console: run a query with Ctrl-Enter or the play button.",
    "#",
    "# To call as a user, log in with",
    '#   mutation { authMutation { login(login: "...", password: "...") { token } } }',
    '# and put {"Authorization": "Bearer <token>"} in the Headers tab below',
    "# (headers are not saved: a reload forgets the token).",
    "",
  ].join("\n");

  // Every request is JSON (the server answers 415 to other content types); the headers typed
  // in GraphiQL's headers editor go along, except a Content-Type of their own.
  async function fetcher(params, options) {
    const headers = {};
    for (const [name, value] of Object.entries((options && options.headers) || {})) {
      if (name.toLowerCase() !== "content-type") {
        headers[name] = value;
      }
    }
    headers["Content-Type"] = "application/json";
    headers["Accept"] = "application/json";
    const response = await fetch(endpoint, {
      method: "POST",
      headers: headers,
      body: JSON.stringify(params),
    });
    return response.json();
  }

  function Console() {
    return React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: introduction,
      plugins: [GraphiQLPluginExplorer.explorerPlugin()],
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: false,
      defaultEditorToolsVisibility: "headers",
      inputValueDeprecation: true,
    });
  }

  ReactDOM.createRoot(document.getElementById("graphiql")).render(React.createElement(Console));
})();
