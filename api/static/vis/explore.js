/* nenkg explorer: draws the network with vis-network and talks to the /explore JSON API.
 *
 * Everything that comes from the graph (labels, quotes, properties) is put into the page with
 * textContent or as vis-network strings (drawn as text), never as HTML. Links are only followed
 * when they are http(s) or paths of this server.
 */
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("explore-config").textContent);
  var standalone = config.mode === "standalone";
  var embedded = standalone ? JSON.parse(document.getElementById("explore-data").textContent) : null;
  var api = config.api || "/explore";

  var nodes = new vis.DataSet();
  var edges = new vis.DataSet();
  var hiddenKinds = new Set();
  var nodeView = new vis.DataView(nodes, { filter: function (n) { return !hiddenKinds.has(n.kind); } });
  var legendInfo = config.legend || [];
  var refused = false;
  var network = null;
  var physicsOn = true;
  window.nenkgExplorer = { stable: false };
  var selected = null;
  var state = { focus: config.focus || null, depth: config.depth || 2, kinds: config.kinds || [] };

  function $(id) { return document.getElementById(id); }

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }

  function safeHref(href) {
    if (typeof href !== "string") return null;
    if (/^https?:\/\//i.test(href)) return href;
    if (!standalone && href.charAt(0) === "/" && href.charAt(1) !== "/") return href;
    return null;
  }

  function showMessage(text) {
    var m = $("message");
    m.textContent = text;
    m.hidden = !text;
  }

  function setStats() {
    var shown = nodeView.length;
    $("stats").textContent = shown + " of " + nodes.length + " nodes, " + edges.length + " edges" +
      (state.focus ? " \u2014 around " + ((nodes.get(state.focus) || {}).fullLabel || state.focus) +
        " (depth " + state.depth + ")" : "");
  }

  function getJSON(path, params) {
    var query = new URLSearchParams();
    Object.keys(params || {}).forEach(function (k) {
      var v = params[k];
      if (v !== null && v !== undefined && v !== "") query.set(k, Array.isArray(v) ? v.join(",") : v);
    });
    var url = path + (query.toString() ? "?" + query.toString() : "");
    return fetch(url, { headers: { Accept: "application/json" } }).then(function (r) {
      return r.text().then(function (text) {
        var body;
        try { body = JSON.parse(text); } catch (e) { body = { detail: text.trim() }; }
        if (!r.ok) {
          var err = new Error(typeof body.detail === "string" && body.detail ? body.detail : "HTTP " + r.status);
          err.status = r.status;
          throw err;
        }
        return body;
      });
    });
  }

  /* ---- drawing ------------------------------------------------------------------------- */

  function ensureNetwork(options) {
    if (network) return;
    network = new vis.Network($("network"), { nodes: nodeView, edges: edges }, options);
    // The layout runs until it is stable, then physics stops: no endless motion, no busy laptop.
    // "Resume layout" turns it back on.
    network.on("stabilizationIterationsDone", function () {
      setPhysics(false);
      window.nenkgExplorer.stable = true;
    });
    network.on("click", function (params) {
      if (params.nodes.length) selectNode(params.nodes[0]);
    });
    network.on("doubleClick", function (params) {
      if (params.nodes.length) expand(params.nodes[0]);
    });
  }

  function setPhysics(on) {
    physicsOn = on;
    if (network) network.setOptions({ physics: { enabled: on } });
    $("physics").textContent = on ? "Stop layout" : "Resume layout";
  }

  function draw(data, replace, near) {
    showMessage("");
    if (data.legend) legendInfo = data.legend;
    window.nenkgExplorer.stable = false;
    ensureNetwork(data.options);
    if (replace) {
      nodes.clear();
      edges.clear();
      network.setOptions(data.options);
    }
    var fresh = data.nodes.filter(function (n) { return !nodes.get(n.id); });
    if (near) {
      // New neighbours start around the node they came from, so the expansion reads as one.
      var origin = network.getPositions([near])[near] || { x: 0, y: 0 };
      fresh.forEach(function (n, i) {
        var angle = (2 * Math.PI * i) / Math.max(fresh.length, 1);
        n.x = origin.x + 120 * Math.cos(angle);
        n.y = origin.y + 120 * Math.sin(angle);
      });
    }
    nodes.update(replace ? data.nodes : fresh);
    edges.update(data.edges);
    buildLegend();
    setStats();
    if (replace && data.focus && nodes.get(data.focus)) {
      network.once("stabilizationIterationsDone", function () { network.selectNodes([data.focus]); });
    }
    // Lay the new data out in a fixed number of steps; the handler above then stops physics.
    setPhysics(true);
    var steps = (data.options.physics.stabilization || {}).iterations || 200;
    network.stabilize(replace ? steps : Math.min(steps, 150));
    if (replace) network.once("stabilizationIterationsDone", function () { network.fit({ animation: false }); });
  }

  function buildLegend() {
    var counts = {};
    nodes.forEach(function (n) { counts[n.kind] = (counts[n.kind] || 0) + 1; });
    var list = $("legend");
    list.textContent = "";
    legendInfo.forEach(function (k) {
      var li = el("li");
      var label = el("label");
      var box = el("input");
      box.type = "checkbox";
      box.checked = !hiddenKinds.has(k.kind);
      box.dataset.kind = k.kind;
      box.addEventListener("change", function () {
        if (box.checked) hiddenKinds.delete(k.kind); else hiddenKinds.add(k.kind);
        if (refused) {
          // The view was too large to load: ask the server again for the kinds still ticked.
          state.kinds = legendInfo.map(function (x) { return x.kind; })
            .filter(function (x) { return !hiddenKinds.has(x); });
          loadView();
          return;
        }
        nodeView.refresh();
        setStats();
      });
      var swatch = el("span", null, "swatch" + (k.vocabulary ? " vocabulary" : ""));
      swatch.style.backgroundColor = k.colour;
      label.appendChild(box);
      label.appendChild(swatch);
      label.appendChild(el("span", k.label));
      if (!refused) label.appendChild(el("span", " (" + (counts[k.kind] || 0) + ")", "count"));
      li.appendChild(label);
      if (!refused && !counts[k.kind]) li.className = "absent";
      list.appendChild(li);
    });
  }

  /* ---- loading views ------------------------------------------------------------------- */

  function loadView() {
    if (standalone) {
      draw(embedded.graph, true);
      return Promise.resolve();
    }
    showMessage("Loading\u2026");
    var params = { focus: state.focus, depth: state.focus ? state.depth : null, kinds: state.kinds };
    var url = new URL(window.location.href);
    ["focus", "depth", "kinds"].forEach(function (k) {
      if (params[k] !== null && params[k] !== undefined && String(params[k]) !== "") url.searchParams.set(k, params[k]);
      else url.searchParams.delete(k);
    });
    window.history.replaceState(null, "", url.pathname + url.search);
    return getJSON(api + "/graph.json", params).then(function (data) {
      refused = false;
      draw(data, true);
    }).catch(function (err) {
      nodes.clear();
      edges.clear();
      refused = err.status === 413;
      buildLegend();
      setStats();
      showMessage(err.message + (refused ? " Type a name in the search box to focus on one entity, or untick kinds." : ""));
    });
  }

  function focusOn(iri) {
    state.focus = iri;
    if (standalone) {
      if (nodes.get(iri)) { network.focus(iri, { scale: 1.2 }); selectNode(iri); }
      return;
    }
    // For tests and the console: the data, the view and whether the layout has settled.
  window.nenkgExplorer.nodes = nodes;
  window.nenkgExplorer.edges = edges;
  window.nenkgExplorer.view = nodeView;
  window.nenkgExplorer.network = function () { return network; };

  loadView().then(function () { if (nodes.get(iri)) selectNode(iri); });
  }

  function expand(iri) {
    if (standalone) {
      showMessage("This file is a saved view: open it with `nenkg serve` to expand nodes.");
      return;
    }
    getJSON(api + "/neighbours", { iri: iri }).then(function (data) {
      var before = nodes.length;
      draw(data, false, iri);
      $("stats").textContent += " \u2014 expanded: +" + (nodes.length - before) + " nodes";
    }).catch(function (err) { showMessage(err.message); });
  }

  /* ---- side panel ---------------------------------------------------------------------- */

  function kindInfo(kind) {
    for (var i = 0; i < legendInfo.length; i++) if (legendInfo[i].kind === kind) return legendInfo[i];
    return { label: kind, colour: "#999" };
  }

  function selectNode(iri) {
    selected = iri;
    if (network && nodes.get(iri)) network.selectNodes([iri]);
    var promise = standalone
      ? Promise.resolve(embedded.details[iri] || { iri: iri, label: (nodes.get(iri) || {}).fullLabel || iri, properties: [], links: [], evidence: [], types: [] })
      : getJSON(api + "/entity", { iri: iri });
    promise.then(function (d) { if (selected === iri) showDetails(d); })
      .catch(function (err) { showMessage(err.message); });
  }

  function showDetails(d) {
    $("panel-empty").hidden = true;
    $("details").hidden = false;
    $("d-label").textContent = d.label;
    var node = nodes.get(d.iri);
    var kind = kindInfo(node ? node.kind : "");
    var badge = $("d-kind");
    badge.textContent = node ? kind.label : (d.types || []).join(", ");
    badge.style.borderColor = kind.colour;
    var page = $("d-page");
    var href = standalone ? safeHref(d.iri) : safeHref(d.page);
    if (href) { page.href = href; page.hidden = false; } else { page.removeAttribute("href"); page.hidden = true; }

    var evidence = $("d-evidence");
    evidence.textContent = "";
    if (!d.evidence || !d.evidence.length) evidence.appendChild(el("p", "No quote recorded for this entity.", "muted"));
    (d.evidence || []).forEach(function (e) {
      var fig = el("figure", null, "quote");
      fig.appendChild(el("blockquote", e.quote));
      var where = [e.source, e.section, e.table].filter(Boolean).join(" \u00b7 ");
      if (e.start !== null && e.start !== undefined) where += " \u00b7 characters " + e.start + "\u2013" + e.end;
      fig.appendChild(el("figcaption", where));
      evidence.appendChild(fig);
    });

    var props = $("d-props");
    props.textContent = "";
    (d.properties || []).forEach(function (p) {
      props.appendChild(el("dt", p.property));
      var dd = el("dd");
      if (p.iri && nodes.get(p.iri)) {
        var b = el("button", p.value, "linkish");
        b.type = "button";
        b.addEventListener("click", function () { network.focus(p.iri, { scale: 1.2 }); selectNode(p.iri); });
        dd.appendChild(b);
      } else if (p.iri && !standalone && p.iri.indexOf("https://w3id.org/nenkg/id/") === 0) {
        var b2 = el("button", p.value, "linkish");
        b2.type = "button";
        b2.addEventListener("click", function () { focusOn(p.iri); });
        dd.appendChild(b2);
      } else {
        dd.textContent = p.value;
      }
      props.appendChild(dd);
    });

    var links = $("d-links");
    links.textContent = "";
    (d.links || []).forEach(function (l) {
      var href2 = safeHref(l.href);
      var li = el("li");
      if (href2) {
        var a = el("a", l.href);
        a.href = href2;
        a.rel = "noopener noreferrer";
        a.target = "_blank";
        li.appendChild(a);
      } else {
        li.textContent = l.href;
      }
      li.appendChild(el("span", " (" + l.property + ")", "muted"));
      links.appendChild(li);
    });
    if (!links.children.length) links.appendChild(el("li", "none", "muted"));
    $("d-expand").disabled = standalone;
    $("d-path-from").disabled = standalone;
  }

  /* ---- search -------------------------------------------------------------------------- */

  var searchTimer = null;
  function localSearch(text) {
    var needle = text.toLowerCase();
    var hits = nodes.get({ filter: function (n) { return n.fullLabel.toLowerCase().indexOf(needle) >= 0; } });
    hits.sort(function (a, b) {
      var ea = a.fullLabel.toLowerCase() === needle ? 0 : 1, eb = b.fullLabel.toLowerCase() === needle ? 0 : 1;
      return ea - eb || b.degree - a.degree;
    });
    return hits.slice(0, 20).map(function (n) { return { iri: n.id, label: n.fullLabel, kind: n.kind }; });
  }

  function runSearch() {
    var text = $("search").value.trim();
    var list = $("search-results");
    if (!text) { list.hidden = true; list.textContent = ""; return; }
    var found = standalone ? Promise.resolve({ results: localSearch(text) }) : getJSON(api + "/search", { q: text });
    found.then(function (body) {
      list.textContent = "";
      // Matches in the current view are highlighted at once.
      if (network) network.selectNodes(body.results.map(function (r) { return r.iri; }).filter(function (i) { return nodeView.get(i); }));
      if (!body.results.length) list.appendChild(el("li", "no match", "muted"));
      body.results.forEach(function (r) {
        var li = el("li");
        var b = el("button", null, "result");
        b.type = "button";
        b.dataset.iri = r.iri;
        var sw = el("span", null, "swatch");
        sw.style.backgroundColor = kindInfo(r.kind).colour;
        b.appendChild(sw);
        b.appendChild(el("span", r.label));
        b.appendChild(el("span", " " + kindInfo(r.kind).label, "muted"));
        b.addEventListener("click", function () {
          list.hidden = true;
          focusOn(r.iri);
        });
        li.appendChild(b);
        list.appendChild(li);
      });
      list.hidden = false;
    }).catch(function (err) { showMessage(err.message); });
  }

  $("search").addEventListener("input", function () {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(runSearch, 200);
  });
  $("search").addEventListener("keydown", function (e) {
    if (e.key === "Enter") {
      e.preventDefault();
      var first = $("search-results").querySelector("button.result");
      if (first) first.click(); else runSearch();
    } else if (e.key === "Escape") {
      $("search-results").hidden = true;
    }
  });

  /* ---- controls ------------------------------------------------------------------------ */

  document.addEventListener("click", function (e) {
    if (!e.target.closest(".search")) $("search-results").hidden = true;
  });

  $("depth").value = String(state.depth);
  $("depth").disabled = standalone;
  $("depth").addEventListener("change", function () {
    state.depth = parseInt($("depth").value, 10);
    if (state.focus && !standalone) loadView();
  });
  $("physics").addEventListener("click", function () { setPhysics(!physicsOn); });
  $("whole").addEventListener("click", function () {
    if (standalone) { network.fit(); return; }
    state.focus = null;
    loadView();
  });
  $("d-expand").addEventListener("click", function () { if (selected) expand(selected); });
  $("d-focus").addEventListener("click", function () { if (selected) focusOn(selected); });
  $("d-path-from").addEventListener("click", function () {
    if (!selected) return;
    var n = nodes.get(selected);
    $("path-from").value = n ? n.fullLabel : selected;
    $("path-from").dataset.iri = selected;
    $("path-to").focus();
  });
  $("path-from").addEventListener("input", function () { delete $("path-from").dataset.iri; });
  $("path-to").addEventListener("input", function () { delete $("path-to").dataset.iri; });

  function resolve(input) {
    if (input.dataset.iri) return Promise.resolve(input.dataset.iri);
    return getJSON(api + "/search", { q: input.value.trim(), limit: 1 }).then(function (body) {
      if (!body.results.length) throw new Error("nothing matches \u201c" + input.value + "\u201d");
      return body.results[0].iri;
    });
  }

  $("path-form").addEventListener("submit", function (e) {
    e.preventDefault();
    var out = $("path-result");
    out.textContent = "";
    Promise.all([resolve($("path-from")), resolve($("path-to"))]).then(function (ends) {
      return getJSON("/paths", { from: ends[0], to: ends[1] });
    }).then(function (body) {
      if (!body.paths.length) { out.appendChild(el("li", "not connected", "muted")); return; }
      draw(body.graph, false);
      body.paths.forEach(function (path) {
        var li = el("li");
        path.forEach(function (step, i) {
          if (i) li.appendChild(el("span", " \u2192 ", "muted"));
          var b = el("button", step.label, "linkish");
          b.type = "button";
          b.addEventListener("click", function () { network.focus(step.iri, { scale: 1.2 }); selectNode(step.iri); });
          li.appendChild(b);
        });
        out.appendChild(li);
      });
      network.selectNodes(body.paths[0].map(function (s) { return s.iri; }));
    }).catch(function (err) { out.appendChild(el("li", err.message, "error")); });
  });

  function loadAnalytics() {
    var rank = $("rank");
    var ranked = standalone
      ? Promise.resolve({ results: nodes.get().sort(function (a, b) { return b.degree - a.degree; }).slice(0, 10)
          .map(function (n) { return { iri: n.id, label: n.fullLabel, kind: n.kind, score: n.degree }; }) })
      : getJSON(api + "/rank", { measure: "degree", limit: 10 });
    ranked.then(function (body) {
      rank.textContent = "";
      body.results.forEach(function (r) {
        var li = el("li");
        var b = el("button", r.label, "linkish");
        b.type = "button";
        b.addEventListener("click", function () { focusOn(r.iri); });
        li.appendChild(b);
        li.appendChild(el("span", " " + kindInfo(r.kind).label + ", " + r.score, "muted"));
        rank.appendChild(li);
      });
    }).catch(function (err) { rank.appendChild(el("li", err.message, "error")); });
    if (standalone) {
      $("path-section").hidden = true;
      $("components-section").hidden = true;
      return;
    }
    getJSON(api + "/components", {}).then(function (body) {
      var c = body.components;
      $("components").textContent = c.length + " connected components (largest: " + (c[0] ? c[0].size : 0) +
        " nodes); " + body.communities.length + " communities (Louvain).";
    }).catch(function (err) { $("components").textContent = err.message; });
  }

  // For tests and the console: the data, the view and whether the layout has settled.
  window.nenkgExplorer.nodes = nodes;
  window.nenkgExplorer.edges = edges;
  window.nenkgExplorer.view = nodeView;
  window.nenkgExplorer.network = function () { return network; };

  loadView().then(function () {
    loadAnalytics();
    if (config.select) selectNode(config.select);
  });
})();
