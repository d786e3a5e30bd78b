// The dashboard's browser side: plain ES2020 for any current browser, no build step and no
// network but the page's own origin. Kept as text (the package compiles for Node, without the DOM
// types); spec/browser drives it in Chromium.

/** The page's script: fetches `state.json`, lays the graph out with dagre, follows `events`. */
export const DASHBOARD_CLIENT = String.raw`
(function () {
  'use strict';
  var base = document.body.getAttribute('data-base') || '/bandmaster';
  if (base === '/') base = '';
  var SVGNS = 'http://www.w3.org/2000/svg';
  var W = 184, H = 58, BIG = 200, TIMELINE_ROWS = 60;
  var view = { services: [], byName: new Map(), timeline: null, health: null };
  var nodes = new Map();
  var layoutKey = '', graphSize = { width: 0, height: 0 }, scale = 1, svg = null;
  var $ = function (id) { return document.getElementById(id); };

  function h(tag, attrs, text) {
    var e = document.createElement(tag);
    for (var k in attrs || {}) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function s(tag, attrs, text) {
    var e = document.createElementNS(SVGNS, tag);
    for (var k in attrs || {}) e.setAttribute(k, String(attrs[k]));
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function plural(n, word) { return n + ' ' + word + (n === 1 ? '' : 's'); }
  function clip(text, n) { return text.length > n ? text.slice(0, n - 1) + '…' : text; }
  function describe(sv) {
    var parts = [sv.name + ': ' + sv.state + (sv.required ? '' : ' (optional)'), plural(sv.attempts, 'attempt'), plural(sv.restarts, 'restart')];
    if (sv.critical) parts.push('on the critical path');
    if (sv.error) parts.push('error: ' + sv.error);
    return parts.join(', ');
  }

  function load() {
    return fetch(base + '/state.json', { cache: 'no-store' }).then(function (r) {
      if (!r.ok) throw new Error('state.json answered ' + r.status);
      return r.json();
    }).then(render).catch(function (err) {
      $('summary').textContent = 'Could not read the state: ' + err.message;
    });
  }

  function render(state) {
    performance.mark('bandmaster:state');
    var critical = new Set(state.timeline.criticalPath);
    view.services = state.services;
    view.byName = new Map(state.services.map(function (sv) { sv.critical = critical.has(sv.name); return [sv.name, sv]; }));
    view.timeline = state.timeline;
    view.health = state.health;
    var key = state.services.map(function (sv) { return sv.name + '<' + sv.dependencies.join(','); }).join(';');
    if (key !== layoutKey) { layoutKey = key; drawGraph(state.services); }
    state.services.forEach(updateNode);
    markCritical(state.timeline.criticalPath);
    drawSummary();
    drawProblems();
    drawHealth(state.health);
    drawTimeline(state.timeline);
    drawTable();
    performance.mark('bandmaster:rendered');
  }

  function drawGraph(services) {
    var g = new dagre.graphlib.Graph();
    g.setGraph({ rankdir: 'LR', nodesep: 16, ranksep: 46, marginx: 10, marginy: 10, ranker: services.length > BIG ? 'longest-path' : 'network-simplex' });
    g.setDefaultEdgeLabel(function () { return {}; });
    services.forEach(function (sv) { g.setNode(sv.name, { width: W, height: H }); });
    services.forEach(function (sv) {
      sv.dependencies.forEach(function (dep) {
        if (!g.hasNode(dep)) g.setNode(dep, { width: W, height: H, missing: true });
        g.setEdge(dep, sv.name);
      });
    });
    // a large graph is a hairball whatever the ordering: skip the crossing minimisation (a third
    // of the layout's time at 1,000 services) and keep the layers
    dagre.layout(g, services.length > BIG ? { disableOptimalOrderHeuristic: true } : {});
    performance.mark('bandmaster:layout');
    var size = g.graph();
    graphSize = { width: Math.ceil(size.width || W), height: Math.ceil(size.height || H) };
    svg = s('svg', { viewBox: '0 0 ' + graphSize.width + ' ' + graphSize.height, role: 'group', 'aria-label': 'Dependency graph of ' + plural(services.length, 'service') });
    svg.appendChild(s('title', {}, 'Dependency graph of ' + plural(services.length, 'service') + '; the service table below lists the same data'));
    var defs = s('defs');
    var marker = s('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 10, refY: 5, markerWidth: 8, markerHeight: 8, markerUnits: 'userSpaceOnUse', orient: 'auto-start-reverse' });
    marker.appendChild(s('path', { d: 'M0,0L10,5L0,10z', fill: '#6b7280' }));
    defs.appendChild(marker);
    svg.appendChild(defs);
    var edges = s('g', { 'aria-hidden': 'true' });
    g.edges().forEach(function (e) {
      var pts = g.edge(e).points || [];
      var d = pts.map(function (p, i) { return (i ? 'L' : 'M') + p.x.toFixed(1) + ',' + p.y.toFixed(1); }).join('');
      edges.appendChild(s('path', { d: d, class: 'edge', 'data-from': e.v, 'data-to': e.w, 'marker-end': 'url(#arrow)' }));
    });
    svg.appendChild(edges);
    nodes = new Map();
    var layer = s('g');
    g.nodes().forEach(function (name) {
      var n = g.node(name);
      var x = n.x - W / 2, y = n.y - H / 2;
      if (n.missing) {
        var m = s('g', { class: 'node missing', 'data-missing': name, transform: 'translate(' + x + ',' + y + ')' });
        m.appendChild(s('rect', { width: W, height: H, rx: 6 }));
        m.appendChild(s('text', { x: 8, y: 20, class: 'name' }, clip(name, 26)));
        m.appendChild(s('text', { x: 8, y: 38 }, 'not registered'));
        layer.appendChild(m);
        return;
      }
      var node = s('g', { class: 'node', 'data-service': name, tabindex: 0, role: 'button', transform: 'translate(' + x + ',' + y + ')' });
      var title = s('title');
      node.appendChild(title);
      node.appendChild(s('rect', { width: W, height: H, rx: 6 }));
      node.appendChild(s('text', { x: 8, y: 17, class: 'name' }, clip(name, 26)));
      var line = s('text', { x: 8, y: 34 });
      var err = s('text', { x: 8, y: 50, class: 'error' });
      node.appendChild(line);
      node.appendChild(err);
      node.addEventListener('keydown', function (ev) {
        if (ev.key === 'Enter' || ev.key === ' ') { ev.preventDefault(); select(name); }
      });
      node.addEventListener('click', function () { select(name); });
      layer.appendChild(node);
      nodes.set(name, { g: node, title: title, line: line, err: err });
    });
    svg.appendChild(layer);
    var box = $('graph');
    box.textContent = '';
    box.appendChild(svg);
    var names = $('service-names');
    names.textContent = '';
    services.forEach(function (sv) { names.appendChild(h('option', { value: sv.name })); });
    fit();
  }

  function zoom(next) {
    scale = Math.max(0.1, Math.min(3, next));
    if (!svg) return;
    svg.setAttribute('width', String(Math.round(graphSize.width * scale)));
    svg.setAttribute('height', String(Math.round(graphSize.height * scale)));
  }
  function fit() {
    var width = $('graph').clientWidth || 1000;
    // below a third of full size the names are not legible: scroll instead
    zoom(Math.max(0.34, Math.min(1, (width - 4) / graphSize.width)));
  }

  function updateNode(sv) {
    var n = nodes.get(sv.name);
    if (!n) return;
    n.g.setAttribute('data-state', sv.state);
    n.g.setAttribute('aria-label', describe(sv));
    n.title.textContent = describe(sv);
    n.line.textContent = sv.state + ' · ' + plural(sv.attempts, 'attempt') + (sv.restarts ? ' · ' + plural(sv.restarts, 'restart') : '');
    n.err.textContent = sv.error ? clip(sv.error, 28) : '';
    if (sv.error) n.g.setAttribute('data-error', sv.error); else n.g.removeAttribute('data-error');
  }

  function markCritical(path) {
    var on = new Set(path);
    nodes.forEach(function (n, name) { n.g.setAttribute('data-critical', on.has(name) ? 'true' : 'false'); });
    if (!svg) return;
    var pairs = new Set();
    for (var i = 1; i < path.length; i++) pairs.add(path[i - 1] + '\u0000' + path[i]);
    svg.querySelectorAll('.edge').forEach(function (e) {
      e.classList.toggle('critical', pairs.has(e.getAttribute('data-from') + '\u0000' + e.getAttribute('data-to')));
    });
  }

  function select(name) {
    var sv = view.byName.get(name);
    if (!sv) return;
    nodes.forEach(function (n, other) { n.g.classList.toggle('selected', other === name); });
    var d = $('details');
    d.textContent = '';
    d.appendChild(h('strong', {}, sv.name));
    d.appendChild(document.createTextNode(' — ' + describe(sv).slice(sv.name.length + 2) + '. Depends on: ' + (sv.dependencies.join(', ') || 'nothing') + '.'));
  }

  function find(name) {
    var n = nodes.get(name);
    if (!n) return;
    n.g.scrollIntoView({ block: 'center', inline: 'center' });
    n.g.focus();
    select(name);
  }

  function drawSummary() {
    var counts = {};
    view.services.forEach(function (sv) { counts[sv.state] = (counts[sv.state] || 0) + 1; });
    var parts = Object.keys(counts).sort().map(function (k) { return counts[k] + ' ' + k; });
    $('summary').textContent = plural(view.services.length, 'service') + ': ' + (parts.join(', ') || 'none registered');
    $('services-summary').textContent = 'All ' + plural(view.services.length, 'service') + ' as a table';
  }

  function drawProblems() {
    var list = $('problems');
    list.textContent = '';
    var failed = view.services.filter(function (sv) { return sv.error || sv.state === 'failed'; });
    if (failed.length === 0) { list.appendChild(h('li', {}, 'No service has failed.')); return; }
    failed.slice(0, 200).forEach(function (sv) {
      var li = h('li', { 'data-error-for': sv.name });
      li.appendChild(h('strong', {}, sv.name));
      li.appendChild(document.createTextNode(' (' + sv.state + (sv.required ? '' : ', optional') + '): '));
      li.appendChild(h('span', { class: 'error' }, sv.error || 'failed'));
      list.appendChild(li);
    });
    if (failed.length > 200) list.appendChild(h('li', {}, (failed.length - 200) + ' more in the table below.'));
  }

  function drawHealth(health) {
    var bad = health.services.filter(function (x) { return !x.healthy && view.byName.has(x.name) && view.byName.get(x.name).state === 'started'; });
    $('health').textContent = (health.healthy ? 'Healthy' : 'Not healthy') + ': ' + plural(health.services.filter(function (x) { return x.healthy; }).length, 'service') + ' pass their checks' + (bad.length ? ', ' + bad.length + ' started ones fail them.' : '.');
    $('health').setAttribute('data-healthy', String(health.healthy));
    var list = $('health-list');
    list.textContent = '';
    bad.slice(0, 100).forEach(function (x) {
      var li = h('li', {});
      li.appendChild(h('strong', {}, x.name));
      li.appendChild(document.createTextNode(': '));
      li.appendChild(h('span', { class: 'error' }, x.error || 'unhealthy'));
      list.appendChild(li);
    });
  }

  function drawTimeline(t) {
    var box = $('timeline');
    box.textContent = '';
    if (!t.entries.length) { $('timeline-summary').textContent = 'No boot yet.'; return; }
    $('timeline-summary').textContent = 'Boot of ' + plural(t.entries.length, 'service') + ' in ' + Math.round(t.totalMs) + ' ms; critical path (bold, outlined): ' + t.criticalPath.join(' → ');
    var rows = t.entries;
    if (rows.length > TIMELINE_ROWS) {
      var keep = rows.filter(function (e) { return e.critical; });
      var slow = rows.filter(function (e) { return !e.critical; }).sort(function (a, b) { return b.settledMs - a.settledMs; }).slice(0, TIMELINE_ROWS - keep.length);
      var chosen = new Set(keep.concat(slow));
      rows = rows.filter(function (e) { return chosen.has(e); });
      box.appendChild(h('p', {}, 'Showing the critical path and the ' + slow.length + ' services that settled last, of ' + t.entries.length + '.'));
    }
    var total = t.totalMs || 1;
    rows.forEach(function (e) {
      var row = h('div', { class: 'row', 'data-timeline': e.name, 'data-critical': String(e.critical), 'data-state': e.state });
      row.appendChild(h('span', { class: 'name' }, (e.critical ? '★ ' : '') + e.name));
      var bar = h('span', { class: 'bar', role: 'img', 'aria-label': e.name + ' waited ' + Math.round(e.waitedMs) + ' ms, started in ' + Math.round(e.startMs) + ' ms' + (e.critical ? ', on the critical path' : '') });
      var wait = h('span', { class: 'wait' });
      wait.style.left = (100 * e.queuedMs / total) + '%';
      wait.style.width = (100 * e.waitedMs / total) + '%';
      var run = h('span', { class: 'run' });
      run.style.left = (100 * (e.queuedMs + e.waitedMs) / total) + '%';
      run.style.width = Math.max(0.3, 100 * e.startMs / total) + '%';
      bar.appendChild(wait);
      bar.appendChild(run);
      row.appendChild(bar);
      row.appendChild(h('span', {}, e.state === 'failed' ? 'failed' : 'ready at ' + Math.round(e.settledMs) + ' ms'));
      box.appendChild(row);
    });
  }

  function drawTable() {
    var body = $('services-table').tBodies[0];
    body.textContent = '';
    view.services.forEach(function (sv) {
      var tr = h('tr', { 'data-row': sv.name, 'data-state': sv.state });
      [sv.name, sv.state, sv.required ? 'yes' : 'no', String(sv.attempts), String(sv.restarts), sv.dependencies.join(', '), sv.error || ''].forEach(function (text, i) {
        tr.appendChild(h(i === 0 ? 'th' : 'td', i === 0 ? { scope: 'row' } : {}, text));
      });
      body.appendChild(tr);
    });
    if (view.services.length <= 50 && !$('services-details').hasAttribute('data-touched')) $('services-details').open = true;
  }

  var refreshTimer = 0;
  function refreshSoon() {
    if (refreshTimer) return;
    refreshTimer = setTimeout(function () { refreshTimer = 0; load(); }, 400);
  }

  function onLifecycle(ev) {
    var e = JSON.parse(ev.data);
    var sv = view.byName.get(e.service);
    if (sv) {
      sv.state = e.state;
      if (e.type === 'starting') sv.attempts = e.attempt;
      if (e.type === 'started') { if (sv.started) sv.restarts += 1; delete sv.error; }
      if (e.type === 'start-failed' || e.type === 'stop-failed') sv.error = e.error;
      sv.started = sv.started || e.type === 'started';
      updateNode(sv);
    }
    if (e.type === 'start-failed' || e.type === 'stop-failed') $('announce').textContent = e.service + ' failed to ' + (e.type === 'start-failed' ? 'start' : 'stop') + ': ' + e.error;
    refreshSoon();
  }

  function follow() {
    var source = new EventSource(base + '/events');
    source.addEventListener('lifecycle', onLifecycle);
    // the state is read once the stream is open (and again after each reconnection), so no
    // event falls between the two
    source.addEventListener('open', function () {
      $('live').textContent = 'live';
      $('live').classList.remove('down');
      load();
    });
    source.addEventListener('error', function () { $('live').textContent = 'reconnecting…'; $('live').classList.add('down'); });
  }

  $('zoom-in').addEventListener('click', function () { zoom(scale * 1.25); });
  $('zoom-out').addEventListener('click', function () { zoom(scale / 1.25); });
  $('zoom-fit').addEventListener('click', fit);
  $('graph').addEventListener('keydown', function (ev) {
    if (ev.key === '+' || ev.key === '=') zoom(scale * 1.25);
    else if (ev.key === '-') zoom(scale / 1.25);
    else if (ev.key === '0') fit();
  });
  $('find').addEventListener('change', function (ev) { find(ev.target.value); });
  $('find').addEventListener('keydown', function (ev) { if (ev.key === 'Enter') find(ev.target.value); });
  $('services-details').addEventListener('toggle', function () { $('services-details').setAttribute('data-touched', ''); });
  setInterval(load, 10000);
  follow();
})();
`;
