// The query page: fills the editor from a saved query, runs it against /sparql and shows the answer as a table.
// Plain JavaScript with no libraries; every value is put on the page as text, never as HTML.
"use strict";
(function () {
  const base = document.body.dataset.base;
  const ontology = "https://w3id.org/drugkg/ontology#";
  const examples = JSON.parse(document.getElementById("examples").textContent);
  const form = document.getElementById("query-form");
  const editor = document.getElementById("query-editor");
  const select = document.getElementById("saved-query");
  const status = document.getElementById("result-status");
  const results = document.getElementById("results");

  select.addEventListener("change", function () {
    const example = examples.find(function (e) { return e.name === select.value; });
    if (example) { editor.value = example.text; }
  });

  function localHref(iri) {
    if (iri.startsWith(base)) { return "/id/" + iri.slice(base.length); }
    if (iri.startsWith(ontology)) { return "/ontology#" + iri.slice(ontology.length); }
    return "/resource?iri=" + encodeURIComponent(iri);
  }

  const prefixes = Object.entries(JSON.parse(document.getElementById("prefixes").textContent))
    .sort(function (a, b) { return b[1].length - a[1].length; });

  function shortName(iri) {
    const match = prefixes.find(function (entry) { return iri.startsWith(entry[1]) && iri.length > entry[1].length; });
    return match ? match[0] + ":" + iri.slice(match[1].length) : iri;
  }

  function cell(binding) {
    const td = document.createElement("td");
    if (!binding) { return td; }
    if (binding.type === "uri") {
      const a = document.createElement("a");
      a.href = localHref(binding.value);
      a.title = binding.value;
      a.textContent = shortName(binding.value);
      td.append(a);
      return td;
    }
    td.textContent = binding.type === "bnode" ? "_:" + binding.value : binding.value;
    const note = binding["xml:lang"] ? "@" + binding["xml:lang"] : (binding.datatype ? shortName(binding.datatype) : "");
    if (note) {
      const span = document.createElement("span");
      span.className = binding["xml:lang"] ? "lang" : "datatype";
      span.textContent = " " + note;
      td.append(span);
    }
    return td;
  }

  function table(data) {
    const variables = data.head.vars;
    const element = document.createElement("table");
    element.id = "results-table";
    element.className = "results";
    const headRow = element.createTHead().insertRow();
    variables.forEach(function (name) {
      const th = document.createElement("th");
      th.scope = "col";
      th.textContent = name;
      headRow.append(th);
    });
    const body = element.createTBody();
    data.results.bindings.forEach(function (binding) {
      const row = body.insertRow();
      variables.forEach(function (name) { row.append(cell(binding[name])); });
    });
    return element;
  }

  async function run(event) {
    event.preventDefault();
    status.className = "";
    status.textContent = "Running…";
    results.replaceChildren();
    let response;
    try {
      response = await fetch("/sparql", {
        method: "POST",
        headers: {
          "Content-Type": "application/x-www-form-urlencoded",
          "Accept": "application/sparql-results+json, text/turtle;q=0.9"
        },
        body: new URLSearchParams({ query: editor.value })
      });
    } catch (error) {
      status.className = "error";
      status.textContent = "The server did not answer: " + error;
      return;
    }
    const text = await response.text();
    if (!response.ok) {
      status.className = "error";
      status.textContent = response.status + " " + response.statusText + ": " + text.trim();
      return;
    }
    const type = response.headers.get("Content-Type") || "";
    if (type.startsWith("application/sparql-results+json")) {
      const data = JSON.parse(text);
      if ("boolean" in data) {
        status.textContent = "Answer: " + (data.boolean ? "yes" : "no");
        return;
      }
      results.append(table(data));
      const n = data.results.bindings.length;
      status.textContent = n + (n === 1 ? " row" : " rows");
    } else {
      const pre = document.createElement("pre");
      pre.id = "results-text";
      pre.textContent = text;
      results.append(pre);
      status.textContent = "A graph, in Turtle";
    }
  }

  form.addEventListener("submit", run);
}());
