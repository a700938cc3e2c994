/* dkg lineage page: draws the embedded lineage with vis-network (physics off, positions from Python).
   Text from the data only ever reaches the page through textContent or the canvas, never as HTML. */
(function () {
  "use strict";
  var DATA = JSON.parse(document.getElementById("dkg-data").textContent);
  var S = DATA.styles;
  var FONT = 'system-ui, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", Arial, sans-serif';
  var DIM = "rgba(200,200,200,0.35)";
  var state = { ready: false, selected: null, highlighted: null, drawnAt: null };

  function fold(s) {
    return (s || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").replace(/Đ/g, "D")
      .toLowerCase().replace(/[^a-z0-9]+/g, " ").trim();
  }

  function text(tag, value, cls) {
    var el = document.createElement(tag);
    if (cls) el.className = cls;
    el.textContent = value;
    return el;
  }

  function rowsOf(n) {
    var F = DATA.fields;
    if (n.kind === "group") {
      return [[F.group, n.label.replace(/\n/g, " ")], [F.owner, n.owner_label], [F.command, n.command]];
    }
    var level = n.level ? (S.levels[n.level] || {}).label : null;
    return [[F.kind, (S.kinds[n.kind] || {}).label], [F.code, n.code], [F.type, n.type], [F.date, n.date],
            [F.issuer, n.issuer], [F.title, n.title], [F.level, level], [F.jurisdiction, n.jurisdiction],
            [F.source, n.source]];
  }

  function tooltip(rows, heading) {
    var box = document.createElement("div");
    box.className = "dkg-tip";
    if (heading) box.appendChild(text("div", heading)).style.fontWeight = "600";
    rows.forEach(function (r) {
      if (r[1] === null || r[1] === undefined || r[1] === "") return;
      var line = document.createElement("div");
      line.appendChild(text("b", r[0] + ": "));
      line.appendChild(document.createTextNode(r[1]));
      box.appendChild(line);
    });
    return box;
  }

  function cut(s, n) {
    s = s || "";
    return s.length > n ? s.slice(0, n - 1) + "…" : s;
  }

  function nodeLook(n) {
    var kind = S.kinds[n.kind] || S.kinds.document;
    var fill = kind.color, border = kind.border;
    if (n.kind === "document" && S.document_types[n.type]) {
      fill = S.document_types[n.type].color;
      border = S.document_types[n.type].border;
    }
    var label;
    if (n.kind === "document") label = n.code || cut(n.label || n.title || n.id, DATA.maxLabel);
    else label = n.kind === "group" ? n.label : cut(n.label || n.title || n.id, DATA.maxLabel);
    var isRoot = n.id === DATA.root;
    var look = {
      id: n.id, x: n.x, y: n.y, label: label, shape: kind.shape,
      color: { background: fill, border: border, highlight: { background: fill, border: "#d62828" },
               hover: { background: fill, border: "#d62828" } },
      font: { color: kind.font, face: FONT, size: n.kind === "task" ? 11 : 13, bold: { color: kind.font } },
      borderWidth: isRoot ? 4 : (n.kind === "group" ? 1.5 : 1.5),
      widthConstraint: n.kind === "task" ? undefined : { maximum: n.kind === "organisation" ? 125 : 190 },
      shapeProperties: { borderDashes: kind.dashes ? [5, 4] : false, borderRadius: 4 },
      title: tooltip(rowsOf(n), n.kind === "group" ? null : (n.label || n.code))
    };
    if (kind.size) look.size = kind.size;
    if (isRoot) look.font = { color: kind.font, face: FONT, size: 15, bold: true };
    return look;
  }

  function edgeLook(e, i) {
    var rel = S.relations[e.relation] || S.relations.grouped;
    var rows = [[DATA.fields.relation, rel.label], [DATA.fields.evidence, e.evidence]];
    if (e.count > 1) rows.push([DATA.fields.links, String(e.count)]);
    return {
      id: "e" + i, from: e.from, to: e.to, arrows: { to: { enabled: true, scaleFactor: 0.6 } },
      color: { color: rel.color, highlight: "#d62828", hover: "#d62828", opacity: 0.9 },
      width: rel.width || 1, dashes: !!(rel.dashes || e.grouped),
      label: DATA.edgeLabels ? rel.label : undefined,
      font: { size: 10, face: FONT, color: "#4a4f5a", strokeWidth: 3, strokeColor: "#ffffff", align: "middle" },
      title: tooltip(rows, null)
    };
  }

  var byId = {};
  DATA.nodes.forEach(function (n) {
    byId[n.id] = n;
    n._primary = fold([n.label, n.code, (n.type || "") + " " + (n.code || "")].join(" "));
    n._secondary = fold([n.title, n.issuer, n.jurisdiction, n.source, n.owner_label].join(" "));
  });
  var looks = DATA.nodes.map(nodeLook);
  var base = {};
  looks.forEach(function (l) { base[l.id] = { color: l.color, font: l.font }; });
  var edgeLooks = DATA.edges.map(edgeLook);
  var edgeBase = {};
  edgeLooks.forEach(function (l) { edgeBase[l.id] = { color: l.color, font: l.font }; });

  var nodes = new vis.DataSet(looks);
  var edges = new vis.DataSet(edgeLooks);
  var container = document.getElementById("dkg-network");
  var many = DATA.nodes.length > 400;
  var network = new vis.Network(container, { nodes: nodes, edges: edges }, {
    physics: { enabled: false },
    layout: { improvedLayout: false, hierarchical: { enabled: false } },
    edges: { smooth: many ? false : { type: "cubicBezier", forceDirection: "vertical", roundness: 0.4 } },
    interaction: { hover: true, tooltipDelay: 120, hideEdgesOnDrag: many, hideEdgesOnZoom: many,
                   multiselect: false, navigationButtons: false, keyboard: false }
  });

  var span = DATA.nodes.reduce(function (a, n) {
    return [Math.min(a[0], n.x), Math.max(a[1], n.x)];
  }, [Infinity, -Infinity]);
  network.on("beforeDrawing", function (ctx) {
    var left = span[0] - 260, width = span[1] - span[0] + 520;
    DATA.bands.forEach(function (b) {
      ctx.fillStyle = b.color;
      ctx.fillRect(left, b.top, width, b.bottom - b.top);
      ctx.fillStyle = "#7a8290";
      ctx.font = "bold 22px " + FONT;
      ctx.fillText(b.label, left + 14, b.top + 30);
    });
  });

  // ---- neighbourhood highlight ------------------------------------------------------------------------------
  function highlight(id) {
    var keep = {};
    keep[id] = true;
    network.getConnectedNodes(id).forEach(function (m) { keep[m] = true; });
    var touching = {};
    network.getConnectedEdges(id).forEach(function (e) { touching[e] = true; });
    nodes.update(nodes.getIds().map(function (n) {
      return keep[n] ? { id: n, color: base[n].color, font: base[n].font }
                     : { id: n, color: { background: DIM, border: DIM }, font: { color: "#c4c7cc" } };
    }));
    edges.update(edges.getIds().map(function (e) {
      return touching[e] ? { id: e, color: edgeBase[e].color, font: edgeBase[e].font }
                         : { id: e, color: { color: DIM }, font: { color: "rgba(0,0,0,0)", strokeWidth: 0 } };
    }));
    state.highlighted = id;
  }

  function clearHighlight() {
    if (state.highlighted === null) return;
    nodes.update(nodes.getIds().map(function (n) { return { id: n, color: base[n].color, font: base[n].font }; }));
    edges.update(edges.getIds().map(function (e) { return { id: e, color: edgeBase[e].color, font: edgeBase[e].font }; }));
    state.highlighted = null;
  }

  // ---- the info panel (also shows how to open a group on its own page) --------------------------------------
  var info = document.getElementById("dkg-info");
  function showInfo(id) {
    info.textContent = "";
    if (id === null || !byId[id]) return;
    var n = byId[id];
    var dl = document.createElement("dl");
    rowsOf(n).forEach(function (r) {
      if (r[1] === null || r[1] === undefined || r[1] === "") return;
      dl.appendChild(text("dt", r[0]));
      var dd = document.createElement("dd");
      dd.appendChild(r[0] === DATA.fields.command ? text("code", r[1]) : document.createTextNode(r[1]));
      dl.appendChild(dd);
    });
    if (n.kind !== "group") {
      dl.appendChild(text("dt", DATA.fields.neighbours));
      dl.appendChild(text("dd", String(network.getConnectedNodes(id).length)));
    }
    info.appendChild(dl);
    if (n.href) {
      var a = text("a", n.kind === "group" ? DATA.fields.openGroup : DATA.fields.openPage);
      a.setAttribute("href", n.href);
      info.appendChild(a);
    }
  }

  network.on("click", function (p) {
    if (p.nodes.length) {
      state.selected = p.nodes[0];
      highlight(p.nodes[0]);
      showInfo(p.nodes[0]);
    } else {
      state.selected = null;
      clearHighlight();
      showInfo(null);
    }
  });

  // ---- search by code or name, with or without diacritics ---------------------------------------------------
  function search(q) {
    var f = fold(q);
    if (!f) return [];
    var words = f.split(" ");
    var scored = [];
    DATA.nodes.forEach(function (n) {
      var score = null;
      var p = " " + n._primary + " ", s = " " + n._secondary + " ";
      if (p.indexOf(" " + f + " ") >= 0) score = 0;
      else if (p.indexOf(" " + f) >= 0) score = 0.5;
      else if (s.indexOf(" " + f) >= 0) score = 1;
      else if (words.every(function (w) { return n._primary.indexOf(w) >= 0; })) score = 2;
      else if (words.every(function (w) { return n._primary.indexOf(w) >= 0 || n._secondary.indexOf(w) >= 0; })) score = 3;
      if (score !== null) {
        var kindRank = { document: 0, organisation: 1, group: 2, task: 3 }[n.kind];
        scored.push([score, kindRank, n._primary.length, n.id]);
      }
    });
    scored.sort(function (a, b) { return a[0] - b[0] || a[1] - b[1] || a[2] - b[2]; });
    return scored.slice(0, 50).map(function (s) { return s[3]; });
  }

  function focus(id) {
    if (!byId[id]) return false;
    state.selected = id;
    network.selectNodes([id]);
    highlight(id);
    showInfo(id);
    network.focus(id, { scale: Math.max(network.getScale(), 0.9), animation: false });
    return true;
  }

  var input = document.getElementById("dkg-search");
  var results = document.getElementById("dkg-results");
  function listResults() {
    results.textContent = "";
    search(input.value).slice(0, 10).forEach(function (id, i) {
      var n = byId[id];
      var li = document.createElement("li");
      if (i === 0) li.className = "active";
      li.appendChild(document.createTextNode(n.kind === "group" ? n.label.replace(/\n/g, " ") : (n.label || n.code || n.id)));
      var more = n.kind === "document" ? [n.issuer, n.date].filter(Boolean).join(", ") : (S.kinds[n.kind] || {}).label;
      if (more) li.appendChild(text("small", " — " + more));
      li.addEventListener("mousedown", function (ev) { ev.preventDefault(); focus(id); results.textContent = ""; });
      results.appendChild(li);
    });
  }
  input.addEventListener("input", listResults);
  input.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter") {
      var hits = search(input.value);
      if (hits.length) focus(hits[0]);
      results.textContent = "";
    } else if (ev.key === "Escape") {
      results.textContent = "";
    }
  });
  input.addEventListener("blur", function () { setTimeout(function () { results.textContent = ""; }, 150); });
  document.getElementById("dkg-fit").addEventListener("click", function () {
    clearHighlight();
    network.unselectAll();
    showInfo(null);
    network.fit({ animation: false });
  });

  function firstView() {
    network.fit({ animation: false });
    // A very wide lineage fits as a thin line: show the root at a readable size instead.
    if (network.getScale() < 0.18) {
      var r = byId[DATA.root], scale = 0.55;
      network.moveTo({ position: { x: r.x, y: r.y + (container.clientHeight / 2 - 90) / scale }, scale: scale,
                       animation: false });
    }
  }
  network.once("afterDrawing", function () {
    state.ready = true;
    state.drawnAt = performance.now();
    document.body.setAttribute("data-ready", "1");
  });
  firstView();

  window.dkgGraph = {
    nodes: nodes, edges: edges, network: network, data: DATA, search: search, focus: focus, fold: fold,
    highlight: highlight, clearHighlight: clearHighlight,
    get ready() { return state.ready; }, get selected() { return state.selected; },
    get highlighted() { return state.highlighted; }, get drawnAt() { return state.drawnAt; }
  };
})();
