// The diagram on a drug product's page: its neighbourhood in the graph (the JSON in #diagram-data, written by the
// server from drugkg.server.work.neighbourhood), drawn by Cytoscape.js (vendored in /static/vendor/cytoscape) in
// #diagram: a tree from the product (at the top) to its neighbours and theirs, coloured by what they are to the product. A click on a node opens its page. The text alternative, every link as a sentence, is the list the
// server wrote in the figure's caption.
"use strict";

(function () {
  const data = JSON.parse(document.getElementById("diagram-data").textContent);
  const COLOURS = {
    product: "#22384f", substance: "#1a5fb4", construct: "#2e7d6b", ingredient: "#7a4a00", package: "#6b7580",
    disease: "#a0111f", "adverse-event": "#c05a14",
  };
  const elements = [
    ...data.nodes.map((n) => ({ data: { id: n.id, label: n.label, kind: n.kind, href: n.href || "" } })),
    ...data.edges.map((e, i) => ({ data: { id: "edge-" + i, source: e.source, target: e.target, label: e.label } })),
  ];
  const style = [
    { selector: "node", style: {
      "label": "data(label)", "font-size": 10, "text-wrap": "wrap", "text-max-width": 90, "text-valign": "bottom",
      "text-margin-y": 3, "width": 16, "height": 16, "color": "#1d2329",
    } },
    { selector: "node[href != '']", style: { "border-width": 2, "border-color": "#ffffff" } },
    { selector: "edge", style: {
      "label": "data(label)", "font-size": 8, "color": "#5c6670", "curve-style": "bezier", "width": 1.2,
      "line-color": "#a8b2bc", "target-arrow-shape": "triangle", "target-arrow-color": "#a8b2bc",
      "text-rotation": "autorotate", "text-background-color": "#fbfcfd", "text-background-opacity": 1,
    } },
    ...Object.entries(COLOURS).map(([kind, colour]) => ({
      selector: "node[kind = '" + kind + "']", style: { "background-color": colour },
    })),
    { selector: "node[kind = 'product']", style: {
      "width": 26, "height": 26, "font-size": 12, "font-weight": "bold", "text-max-width": 220,
    } },
  ];
  const cy = window.cytoscape({
    container: document.getElementById("diagram"),
    elements: elements,
    style: style,
    layout: { name: "preset" },  // laid out below
    userZoomingEnabled: false,  // the page scrolls over the diagram; it is drawn to fit
    boxSelectionEnabled: false,
    autoungrabify: true,
  });
  // a tree from the product: its neighbours in the row below it, theirs below them, and so on
  cy.layout({ name: "breadthfirst", roots: [data.nodes[0].id], directed: false, spacingFactor: 0.9, animate: false,
              padding: 10, nodeDimensionsIncludeLabels: true }).run();
  cy.on("tap", "node", (event) => {
    const href = event.target.data("href");
    if (href) window.location.assign(href);
  });
  window.drugkgDiagram = cy;  // for the browser test and the console
})();
