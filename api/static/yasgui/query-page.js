// The nenkg query page: YASGUI against this server's /sparql, the named queries as examples.
// Everything is served by nenkg itself; nothing is loaded from another origin.
(function () {
  "use strict";
  const endpoint = window.location.origin + "/sparql";
  const yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: { endpoint: endpoint, method: "POST" },
    copyEndpointOnNewTab: false,
    endpointCatalogueOptions: { getData: () => [{ endpoint: endpoint }] },
    persistenceId: "nenkg-query-page",
    yasqe: { autocompleters: ["variables"] },
  });
  window.nenkgYasgui = yasgui;

  // A named query's parameters are bound by the server (/queries/NAME?param=value), not in the editor:
  // show them with a link that runs the query with its defaults.
  function showParameters(query) {
    const panel = document.getElementById("example-parameters");
    panel.textContent = "";
    if (!query.params.length) return;
    const search = new URLSearchParams();
    for (const param of query.params) {
      if (param.default !== null) search.append(param.name, param.default);
    }
    search.append("format", "csv");
    const text = query.params.map((p) => `?${p.name} (${p.type}${p.default !== null ? " = " + p.default : ""})`);
    panel.append("Parameters, bound by the server: " + text.join(", ") + ". ");
    const link = document.createElement("a");
    link.href = `/queries/${encodeURIComponent(query.name)}?${search}`;
    link.textContent = "Run with these values";
    panel.append(link);
    panel.append(" (in the editor they are plain variables).");
  }
  fetch("/queries", { headers: { Accept: "application/json" } })
    .then((response) => response.json())
    .then((queries) => {
      const list = document.getElementById("example-list");
      for (const query of queries) {
        const item = document.createElement("li");
        const button = document.createElement("button");
        button.type = "button";
        button.className = "example";
        button.dataset.name = query.name;
        button.textContent = query.title;
        button.title = query.description;
        button.addEventListener("click", () => {
          const tab = yasgui.getTab();
          tab.setQuery(query.sparql);
          showParameters(query);
        });
        item.appendChild(button);
        list.appendChild(item);
      }
    });
})();
