// The chart on a saved query's page (a query tagged "statistics" whose answer is a name and a count a row): the
// answer the server wrote as JSON in #chart-data ({"variables": [...], "rows": [[SPARQL JSON term or null, ...]],
// "prefixes": {...}}) drawn by yasr-chart.js's DrugkgChart.figure in #results-chart, with the caption stating every
// bar as on the query page.
"use strict";

(function () {
  const data = JSON.parse(document.getElementById("chart-data").textContent);
  const bindings = data.rows.map((row) => Object.fromEntries(
    data.variables.map((name, i) => [name, row[i]]).filter((pair) => pair[1] !== null)));
  window.drugkgChart = window.DrugkgChart.figure(document.getElementById("results-chart"), data.variables, bindings,
                                                 data.prefixes);
})();
