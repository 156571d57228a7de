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
        });
        item.appendChild(button);
        list.appendChild(item);
      }
    });
})();
