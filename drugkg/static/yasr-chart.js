// A bar chart of a SELECT answer with a numeric column, drawn with Chart.js, and a text alternative that states every
// bar (the figure's caption, also its canvas's label). The labels are the first column that is not numeric (IRIs
// shortened with the page's prefixes), the values the first numeric column; up to MAX_BARS rows are drawn, and the
// caption says so, as it says when the scale is logarithmic (values two orders of magnitude apart). As a Yasr results plugin it is registered on the query page by yasgui-setup.js as "chart";
// DrugkgChart.figure(parent, variables, bindings, prefixes) draws the same chart anywhere (the saved queries' pages,
// saved-query-chart.js).
"use strict";

window.DrugkgChart = (function () {
  const NUMERIC = /#(integer|decimal|double|float|long|int|short|byte|nonNegativeInteger|positiveInteger|nonPositiveInteger|negativeInteger|unsignedLong|unsignedInt|unsignedShort|unsignedByte)$/;
  const MAX_BARS = 100;

  function isNumber(term) {
    return term !== undefined && (term.type === "literal" || term.type === "typed-literal") &&
      NUMERIC.test(term.datatype || "") && Number.isFinite(Number(term.value));
  }

  // The columns to chart, from the variables and SPARQL JSON bindings of an answer: {value, label}, or null.
  function columns(vars, rows) {
    const value = vars.find((v) => rows.length > 0 && rows.every((row) => isNumber(row[v])));
    const label = vars.find((v) => v !== value && rows.some((row) => row[v] !== undefined && !isNumber(row[v])));
    return value === undefined ? null : { value: value, label: label };
  }

  function shorten(iri, prefixes) {
    for (const [prefix, namespace] of Object.entries(prefixes || {})) {
      if (namespace && iri.startsWith(namespace) && iri.length > namespace.length) {
        return prefix + ":" + iri.slice(namespace.length);
      }
    }
    return iri;
  }

  class DrugkgChart {
    constructor(yasr) {
      this.yasr = yasr;
      this.priority = 5;
      this.label = "Chart";
      this.chart = null;
    }

    canHandleResults() {
      const results = this.yasr.results;
      return Boolean(results && !results.hasError() && results.getType() === "json" &&
                     results.getBoolean() === undefined && columns(results.getVariables(), results.getBindings()));
    }

    getIcon() {
      const icon = document.createElement("span");
      icon.className = "drugkg-chart-icon";
      icon.textContent = "▮▮";
      return icon;
    }

    destroy() {
      if (this.chart) {
        this.chart.destroy();
        this.chart = null;
      }
    }

    draw() {
      this.destroy();
      const results = this.yasr.results;
      const prefixes = this.yasr.getPrefixes ? this.yasr.getPrefixes() : {};
      this.chart = figure(this.yasr.resultsEl, results.getVariables(), results.getBindings(), prefixes);
    }
  }

  // Draw the chart of an answer (its variables and SPARQL JSON bindings) in a new figure at the end of parent; the
  // Chart.js chart, or null when no column is numeric.
  function figure(parent, vars, bindings, prefixes) {
    const picked = columns(vars, bindings);
    if (picked === null) return null;
    const rows = bindings.slice(0, MAX_BARS);
    const labels = rows.map((row, i) => {
      const term = picked.label ? row[picked.label] : undefined;
      if (term === undefined) return String(i + 1);
      return term.type === "uri" ? shorten(term.value, prefixes) : term.value;
    });
    const values = rows.map((row) => Number(row[picked.value].value));
    const shown = labels.map((label, i) => label + ": " + values[i]).join("; ");
    // counts far apart (the dataset's triples beside its single entities): a logarithmic scale shows the small ones
    const logarithmic = values.every((v) => v > 0) && Math.max(...values) >= 100 * Math.min(...values);
    const alternative = "Bar chart of " + picked.value + (picked.label ? " by " + picked.label : "") + ". " +
      shown + "." + (bindings.length > rows.length ? " The first " + rows.length + " of " + bindings.length +
      " rows are drawn." : "") + (logarithmic ? " The scale is logarithmic." : "");

    const element = document.createElement("figure");
    element.className = "drugkg-chart";
    const canvas = document.createElement("canvas");
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", alternative);
    canvas.textContent = alternative;  // shown where canvas is not
    const caption = document.createElement("figcaption");
    caption.textContent = alternative;
    element.appendChild(caption);
    parent.appendChild(element);
    const horizontal = labels.length > 12;  // many bars: one per line, the figure as tall as they need
    const holder = document.createElement("div");
    holder.className = "drugkg-chart-area";
    if (horizontal) holder.style.height = (labels.length * 22 + 60) + "px";
    element.insertBefore(holder, caption);
    holder.appendChild(canvas);
    const scales = { y: { ticks: { autoSkip: false } } };
    const valueAxis = horizontal ? "x" : "y";
    scales[valueAxis] = Object.assign(scales[valueAxis] || {}, { type: logarithmic ? "logarithmic" : "linear" });
    return new window.Chart(canvas, {
      type: "bar",
      data: { labels: labels, datasets: [{ label: picked.value, data: values }] },
      options: { animation: false, responsive: true, maintainAspectRatio: !horizontal,
                 indexAxis: horizontal ? "y" : "x", scales: scales },
    });
  }

  DrugkgChart.figure = figure;
  return DrugkgChart;
})();
