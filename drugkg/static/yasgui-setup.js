// The query page: YASGUI (vendored in /static/vendor/yasgui) on this server's /sparql, with the saved queries as
// examples, the graph's prefixes preset for the results, the chart plugin (yasr-chart.js), and nothing fetched from
// elsewhere: the prefix.cc and LOV autocompleters are left out, and the endpoint list holds this endpoint only.
"use strict";

(function () {
  const read = (id) => JSON.parse(document.getElementById(id).textContent);
  const examples = read("examples");
  const prefixes = read("prefixes");
  const endpoint = new URL("/sparql", window.location.href).href;

  Yasgui.Yasr.registerPlugin("chart", window.DrugkgChart);
  // Prefix completion from the graph's own prefixes (typing "dkg:" also declares it at the top of the query), and
  // variables; not the class and property completers, which ask LOV on the internet.
  Yasgui.Yasqe.forkAutocompleter("prefixes", {
    name: "graphPrefixes",
    get: () => Object.entries(prefixes).map(([prefix, iri]) => prefix + ": <" + iri + ">"),
  }, false);
  Yasgui.Yasqe.defaults.autocompleters = ["variables", "graphPrefixes"];
  const yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: { endpoint: endpoint, method: "POST" },
    endpointCatalogueOptions: { getData: () => [{ endpoint: endpoint }] },
    copyEndpointOnNewTab: true,
    persistenceId: null,  // the page opens on the query it was given, not on the last session's
    yasqe: { value: read("initial-query") },
    yasr: { prefixes: prefixes, pluginOrder: ["table", "chart", "response"], defaultPlugin: "table" },
  });

  const select = document.getElementById("saved-query");
  select.addEventListener("change", () => {
    const chosen = examples.find((e) => e.name === select.value);
    if (chosen) {
      yasgui.getTab().setQuery(chosen.text);
    }
  });
  window.drugkgYasgui = yasgui;  // for the browser test and the console
})();
