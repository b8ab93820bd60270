// The live dashboard page: the snapshot and updates of /hubs/live rendered as tiles, tables and ECharts charts, and the
// notes, controls and report library of dash-core's APIs. Data is written with textContent only (never as HTML).
// window.__dashboard records what browser tests and the load test read: ready, the last push-to-render latencies (ms,
// render done in requestAnimationFrame minus the server's sentAt), the last seq, and each chart's state.
(function () {
  'use strict';

  var MAX_LATENCIES = 2000, MAX_EVENTS = 200;
  var D = window.__dashboard = { ready: false, latencies: [], lastSeq: 0, messages: 0, charts: {}, me: null, connection: 'connecting' };
  var zh = (navigator.language || 'zh').toLowerCase().indexOf('zh') === 0;
  var state = null;          // the last snapshot, its sections replaced by updates
  var liveEvents = [];       // events pushed since the page loaded, newest first
  var expanded = {};         // parent ids whose slices are shown
  var charts = {};

  // ---- small helpers ----

  function $(id) { return document.getElementById(id); }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  function td(text, cls) { return el('td', cls, text); }

  function money(v) {
    if (v === null || v === undefined) return '—';
    return Number(v).toLocaleString('zh-CN', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  }

  function pct(v, digits) {
    if (v === null || v === undefined) return '—';
    return (v * 100).toFixed(digits === undefined ? 2 : digits) + '%';
  }

  function signed(v, text) { return (v > 0 ? '+' : '') + text; }

  /** Red for up, green for down (A-share convention). */
  function tone(v) { return v > 0 ? 'up' : v < 0 ? 'down' : ''; }

  function setTone(node, v) { node.classList.remove('up', 'down'); if (tone(v)) node.classList.add(tone(v)); }

  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }

  function sideText(side) {
    if (zh) return side === 'Buy' ? '买入' : side === 'Sell' ? '卖出' : side;
    return side === 'Buy' ? 'BUY' : side === 'Sell' ? 'SELL' : side;
  }

  function timeOf(iso) { return iso && iso.length >= 19 ? iso.substring(11, 19) : (iso || ''); }

  function api(path, options) {
    options = options || {};
    var headers = { 'Accept': 'application/json' };
    if (options.body !== undefined) headers['Content-Type'] = 'application/json';
    if (options.method && options.method !== 'GET' && D.me && D.me.csrf) headers['X-CSRF-TOKEN'] = D.me.csrf;
    return fetch(path, { method: options.method || 'GET', headers: headers, credentials: 'same-origin',
      body: options.body === undefined ? undefined : JSON.stringify(options.body) })
      .then(function (r) {
        return r.text().then(function (t) {
          var body = null;
          try { body = t ? JSON.parse(t) : null; } catch (e) { body = { text: t }; }
          return { status: r.status, ok: r.ok, body: body };
        });
      });
  }

  // ---- charts (Apache ECharts, the HTML report's library) ----

  var UP = '#d9342b', DOWN = '#1f9d55';

  function chart(name) {
    if (!charts[name]) charts[name] = echarts.init($('chart-' + name), null, { renderer: 'canvas' });
    return charts[name];
  }

  function rendered(name, items) {
    D.charts[name] = { rendered: true, items: items, at: Date.now() };
  }

  function renderEquity(eq) {
    var points = eq.points || [];
    var dates = points.map(function (p) { return p.date; });
    var series = [{ name: zh ? '组合净值' : 'Portfolio', type: 'line', showSymbol: false, data: points.map(function (p) { return p.index; }),
      lineStyle: { width: 2, color: UP }, itemStyle: { color: UP } }];
    if (eq.hasBenchmark)
      series.push({ name: zh ? '沪深300' : 'CSI 300', type: 'line', showSymbol: false, data: points.map(function (p) { return p.benchmark; }),
        lineStyle: { width: 1.5, color: '#6b7785' }, itemStyle: { color: '#6b7785' } });
    chart('equity').setOption({
      animation: false, tooltip: { trigger: 'axis' }, legend: { top: 0 }, grid: { left: 50, right: 20, top: 30, bottom: 30 },
      xAxis: { type: 'category', data: dates }, yAxis: { type: 'value', scale: true }, series: series
    }, true);
    rendered('equity', points.length);
  }

  function renderRisk(risk) {
    chart('industry').setOption({
      animation: false, tooltip: { trigger: 'item', formatter: '{b}: {d}%' },
      series: [{ type: 'pie', radius: ['35%', '70%'], data: risk.industries.map(function (i) { return { name: i.industry, value: Number(i.marketValue) }; }),
        label: { formatter: '{b}\n{d}%' } }]
    }, true);
    rendered('industry', risk.industries.length);
    var top = risk.top10.slice().reverse();
    chart('top10').setOption({
      animation: false, tooltip: { trigger: 'axis', valueFormatter: function (v) { return (v * 100).toFixed(2) + '%'; } },
      grid: { left: 90, right: 30, top: 10, bottom: 25 },
      xAxis: { type: 'value', axisLabel: { formatter: function (v) { return (v * 100).toFixed(0) + '%'; } } },
      yAxis: { type: 'category', data: top.map(function (t) { return t.name; }) },
      series: [{ type: 'bar', data: top.map(function (t) { return t.weight; }), itemStyle: { color: '#2f6fdf' } }]
    }, true);
    rendered('top10', top.length);
    $('r-largest').textContent = pct(risk.largestWeight);
    $('r-hhi').textContent = risk.hhi.toFixed(4) + ' / ' + risk.effectiveN.toFixed(1);
    $('r-beta').textContent = risk.beta === null ? (zh ? '数据不足 (' : 'too few days (') + risk.betaDays + ')' : risk.beta.toFixed(2) + ' (' + risk.betaDays + 'd)';
    $('r-leverage').textContent = risk.leverage.toFixed(2) + '×';
  }

  // ---- sections ----

  function renderOverview(o) {
    $('t-nav').textContent = money(o.nav);
    $('t-estimated').textContent = o.estimated ? (zh ? '盘中估算' : 'intraday estimate') : (o.lastNavDate ? (zh ? '收盘 ' : 'close ') + o.lastNavDate : '');
    $('t-cash').textContent = money(o.cash);
    $('t-mv').textContent = money(o.marketValue);
    $('t-day').textContent = o.dayPnl === null ? '—' : signed(o.dayPnl, money(o.dayPnl));
    setTone($('t-day'), o.dayPnl);
    $('t-day-pct').textContent = o.dayReturn === null ? '' : signed(o.dayReturn, pct(o.dayReturn));
    setTone($('t-day-pct'), o.dayReturn);
    $('t-cum').textContent = o.cumulativeReturn === null ? '—' : signed(o.cumulativeReturn, pct(o.cumulativeReturn));
    setTone($('t-cum'), o.cumulativeReturn);
    $('t-since').textContent = o.firstNavDate ? (zh ? '自 ' : 'since ') + o.firstNavDate : '';
  }

  function renderPositions(rows) {
    var body = $('positions').tBodies[0];
    clear(body);
    rows.forEach(function (p) {
      var tr = el('tr', p.changedToday ? 'changed' : '');
      tr.appendChild(td(p.symbol));
      tr.appendChild(td(p.name));
      tr.appendChild(td(p.quantity.toLocaleString(), 'n'));
      tr.appendChild(td(p.sellable.toLocaleString(), 'n'));
      tr.appendChild(td(pct(p.weight), 'n'));
      tr.appendChild(td(Number(p.averageCost).toFixed(3), 'n'));
      tr.appendChild(td(Number(p.last).toFixed(2), 'n ' + tone(Number(p.last) - Number(p.averageCost))));
      tr.appendChild(td(money(p.marketValue), 'n'));
      tr.appendChild(td(signed(p.floatingPnl, money(p.floatingPnl)), 'n ' + tone(p.floatingPnl)));
      tr.appendChild(td(p.floatingReturn === null ? '—' : signed(p.floatingReturn, pct(p.floatingReturn)), 'n ' + tone(p.floatingReturn)));
      body.appendChild(tr);
    });
  }

  function noteButton(kind, id) {
    var b = el('button', 'note-link note-write', zh ? '笔记' : 'note');
    b.type = 'button';
    b.title = (zh ? '写笔记: ' : 'Write a note on ') + kind + ' ' + id;
    b.addEventListener('click', function () { writeNoteOn(kind, id); });
    return b;
  }

  function orderRow(o, cls, algo) {
    var tr = el('tr', cls);
    tr.appendChild(td(''));
    tr.appendChild(td(o.orderId));
    tr.appendChild(td(o.symbol));
    tr.appendChild(td(o.name));
    tr.appendChild(td(sideText(o.side), o.side === 'Buy' ? 'up' : 'down'));
    tr.appendChild(td(o.quantity.toLocaleString(), 'n'));
    tr.appendChild(td(Number(o.limitPrice).toFixed(2), 'n'));
    tr.appendChild(td(o.filled.toLocaleString(), 'n'));
    tr.appendChild(td(o.status + (o.reason ? ' (' + o.reason + ')' : '')));
    tr.appendChild(td(algo || ''));
    tr.appendChild(td(timeOf(o.createdAt)));
    var last = td('');
    last.appendChild(noteButton('order', o.orderId));
    tr.appendChild(last);
    return tr;
  }

  function renderOrders(view) {
    var body = $('orders').tBodies[0];
    clear(body);
    view.parents.forEach(function (p) {
      var tr = el('tr', 'parent');
      var toggle = el('button', 'note-link', expanded[p.parentId] ? '−' : '+');
      toggle.type = 'button';
      toggle.title = (zh ? '子单 ' : 'slices ') + p.slices.length;
      toggle.addEventListener('click', function () { expanded[p.parentId] = !expanded[p.parentId]; renderOrders(state.orders); });
      var first = td('');
      first.appendChild(toggle);
      tr.appendChild(first);
      tr.appendChild(td(p.parentId));
      tr.appendChild(td(p.symbol));
      tr.appendChild(td(p.name));
      tr.appendChild(td(sideText(p.side), p.side === 'Buy' ? 'up' : 'down'));
      tr.appendChild(td(p.quantity.toLocaleString(), 'n'));
      tr.appendChild(td(Number(p.limitPrice).toFixed(2), 'n'));
      tr.appendChild(td(p.filled.toLocaleString(), 'n'));
      tr.appendChild(td(p.status + (p.reason ? ' (' + p.reason + ')' : '')));
      tr.appendChild(td(p.algo + ' ' + p.window + ' ×' + p.slices.length));
      tr.appendChild(td(timeOf(p.acceptedAt)));
      var last = td('');
      last.appendChild(noteButton('order', p.parentId));
      tr.appendChild(last);
      body.appendChild(tr);
      if (expanded[p.parentId]) p.slices.forEach(function (s) { body.appendChild(orderRow(s, 'slice', zh ? '子单' : 'slice')); });
    });
    view.orders.forEach(function (o) { body.appendChild(orderRow(o, '', '')); });
  }

  function renderTrades(trades) {
    var list = $('trades');
    clear(list);
    trades.forEach(function (t) {
      // "09:30:00 买入 平安银行 1000股 @ ¥13.50 成交1000" in Chinese (the server's line); the same fields in English otherwise.
      var text = zh ? t.text : t.time + ' ' + sideText(t.side) + ' ' + t.name + ' ' + t.orderQuantity + ' sh @ ¥' + Number(t.price).toFixed(2) + ' filled ' + t.quantity;
      list.appendChild(el('li', t.side === 'Buy' ? 'up' : 'down', text));
    });
  }

  function alertItem(severity, at, text, kind, seq) {
    var li = el('li', severity);
    li.appendChild(el('span', 'sev ' + severity, severity));
    li.appendChild(el('span', 'at', at));
    li.appendChild(document.createTextNode(text));
    if (seq !== undefined) li.appendChild(noteButton('alert', String(seq)));
    li.dataset.kind = kind;
    return li;
  }

  function eventItem(e) {
    var li = alertItem(e.severity, timeOf(e.at), '[' + e.kind + '] ' + e.text, e.kind);
    li.dataset.live = '1';
    return li;
  }

  function renderAlerts() {
    var list = $('alerts');
    clear(list);
    liveEvents.forEach(function (e) { list.appendChild(eventItem(e)); });
    (state.alerts || []).forEach(function (a) { list.appendChild(alertItem(a.severity, timeOf(a.at), '[' + a.kind + '] ' + a.source + ': ' + a.message, a.kind, a.seq)); });
  }

  /** New live events on top of the list, the oldest beyond the bound removed: no rebuild at 50 events a second. */
  function prependEvents(events) {
    var list = $('alerts');
    events.forEach(function (e) { list.insertBefore(eventItem(e), list.firstChild); });
    var live = list.querySelectorAll('li[data-live]');
    for (var i = MAX_EVENTS; i < live.length; i++) list.removeChild(live[i]);
  }

  function renderCluster(c) {
    var modes = { cluster: zh ? '集群' : 'cluster', single: zh ? '单节点' : 'single node', standalone: zh ? '独立（只读数据库）' : 'standalone (database only)',
      unavailable: zh ? '状态不可用' : 'status unavailable' };
    $('c-mode').textContent = modes[c.mode] || c.mode;
    $('c-primary').textContent = c.primary || '—';
    $('c-epoch').textContent = c.epoch === null ? '—' : c.epoch;
    $('c-failover').textContent = c.lastFailoverAt ? c.lastFailoverAt.replace('T', ' ').substring(0, 19) + ' ' + (c.lastFailover || '') : '—';
    $('c-link').textContent = c.brokerLink;
    $('c-link').className = c.brokerLink === 'up' ? 'down' : c.brokerLink === 'unknown' ? '' : 'up';
    $('t-cluster').textContent = modes[c.mode] || c.mode;
    $('t-link').textContent = (zh ? '券商 ' : 'broker ') + c.brokerLink;
    var members = $('c-members');
    clear(members);
    c.members.forEach(function (m) {
      members.appendChild(el('li', '', m.address + ' [' + m.roles + '] ' + m.status + (m.reachable ? '' : ' unreachable') + (m.isPrimary ? ' ★' : '')));
    });
  }

  var renderers = {
    overview: renderOverview, positions: renderPositions, equity: renderEquity, risk: renderRisk,
    orders: renderOrders, trades: renderTrades, alerts: renderAlerts, cluster: renderCluster
  };

  function renderHeader() {
    $('account').textContent = state.accountId;
    $('trading-day').textContent = state.tradingDay || '—';
    $('as-of').textContent = new Date().toLocaleTimeString('zh-CN', { hour12: false });
  }

  /** Records push-to-render latency once the browser has painted what the message changed. */
  function measured(message) {
    D.lastSeq = Math.max(D.lastSeq, message.seq);
    D.messages++;
    requestAnimationFrame(function () {
      D.latencies.push(Date.now() - message.sentAt);
      if (D.latencies.length > MAX_LATENCIES) D.latencies.splice(0, D.latencies.length - MAX_LATENCIES);
      D.ready = true;
    });
  }

  function onSnapshot(message) {
    state = message.snapshot;
    renderHeader();
    Object.keys(renderers).forEach(function (name) { renderers[name](name === 'alerts' ? null : state[name]); });
    measured(message);
    loadDayNotes();
  }

  function onUpdate(message) {
    if (!state) return;
    (message.changed || []).forEach(function (name) { state[name] = message.sections[name]; });
    (message.events || []).forEach(function (e) { liveEvents.unshift(e); });
    if (liveEvents.length > MAX_EVENTS) liveEvents.length = MAX_EVENTS;
    renderHeader();
    (message.changed || []).forEach(function (name) { if (name !== 'alerts') renderers[name](state[name]); });
    if ((message.changed || []).indexOf('alerts') >= 0) renderAlerts();
    else if ((message.events || []).length > 0) prependEvents(message.events);
    measured(message);
  }

  function setConnection(status) {
    D.connection = status;
    var badge = $('connection');
    badge.className = 'badge ' + (status === 'connected' ? 'on' : status === 'reconnecting' || status === 'connecting' ? 'wait' : 'off');
    badge.textContent = { connected: '实时 live', reconnecting: '重连中 reconnecting', connecting: '连接中 connecting', disconnected: '已断开 offline' }[status];
  }

  function connect() {
    // The hub's negotiate (and any long-polling send) is a POST: it carries the antiforgery token like every other POST.
    var hub = new signalR.HubConnectionBuilder().withUrl('/hubs/live', { headers: D.me && D.me.csrf ? { 'X-CSRF-TOKEN': D.me.csrf } : {} })
      .withAutomaticReconnect()
      .configureLogging(signalR.LogLevel.Warning).build();
    hub.on('snapshot', onSnapshot);
    hub.on('update', onUpdate);
    hub.onreconnecting(function () { setConnection('reconnecting'); });
    hub.onreconnected(function () { setConnection('connected'); });
    hub.onclose(function () { setConnection('disconnected'); });
    setConnection('connecting');
    hub.start().then(function () { setConnection('connected'); }, function () { setConnection('disconnected'); });
    D.hub = hub;
  }

  // ---- tabs, notes, controls, reports (dash-core's APIs) ----

  function showTab(name) {
    document.querySelectorAll('.tabs button').forEach(function (b) { b.classList.toggle('active', b.dataset.tab === name); });
    document.querySelectorAll('.tab').forEach(function (s) { s.hidden = s.id !== 'tab-' + name; });
    if (name === 'live') Object.keys(charts).forEach(function (k) { charts[k].resize(); });
    if (name === 'notes') loadNotes();
    if (name === 'reports') loadReports();
  }

  function writeNoteOn(kind, id) {
    var form = $('note-form');
    form.elements.targetKind.value = kind;
    form.elements.targetId.value = id;
    showTab('notes');
    form.elements.text.focus();
  }

  function loadNotes() {
    var f = $('notes-filter').elements;
    var day = state && state.tradingDay ? state.tradingDay : new Date().toISOString().substring(0, 10);
    if (!f.from.value) f.from.value = day;
    if (!f.to.value) f.to.value = day;
    api('/api/notes?from=' + encodeURIComponent(f.from.value) + '&to=' + encodeURIComponent(f.to.value)).then(function (r) {
      var list = $('notes');
      clear(list);
      if (!r.ok) { list.appendChild(el('li', '', (zh ? '无法读取笔记: ' : 'notes unavailable: ') + r.status)); return; }
      r.body.forEach(function (n) {
        var li = el('li', '');
        li.appendChild(el('span', 'at', n.at.replace('T', ' ').substring(0, 16) + ' ' + n.author));
        li.appendChild(el('b', '', n.targetKind + ' ' + n.targetId + ': '));
        li.appendChild(document.createTextNode(n.text));
        list.appendChild(li);
      });
    });
  }

  /** The trading day's notes beside its trades and alerts (the day's timeline), oldest first. */
  function loadDayNotes() {
    var day = state && state.tradingDay;
    if (!day) return;
    api('/api/notes?from=' + encodeURIComponent(day) + '&to=' + encodeURIComponent(day)).then(function (r) {
      var list = $('day-notes');
      clear(list);
      if (!r.ok) return;
      if (r.body.length === 0) list.appendChild(el('li', 'muted', zh ? '今日暂无笔记' : 'no notes today'));
      r.body.forEach(function (n) {
        var li = el('li', '');
        li.appendChild(el('span', 'at', new Date(n.at).toLocaleTimeString('zh-CN', { hour12: false, timeZone: 'Asia/Shanghai' }) + ' ' + n.author));
        li.appendChild(el('b', '', ' ' + n.targetKind + ' ' + n.targetId + ': '));
        li.appendChild(document.createTextNode(n.text));
        list.appendChild(li);
      });
    });
  }

  function saveNote(ev) {
    ev.preventDefault();
    var f = $('note-form').elements;
    api('/api/notes', { method: 'POST', body: { targetKind: f.targetKind.value, targetId: f.targetId.value, text: f.text.value } }).then(function (r) {
      $('note-result').textContent = r.ok ? (zh ? '已保存' : 'saved') : (zh ? '未保存: ' : 'not saved: ') + r.status + (r.body && r.body.text ? ' ' + r.body.text : '');
      if (r.ok) { f.text.value = ''; loadNotes(); loadDayNotes(); }
    });
  }

  function confirmed(text) {
    var dialog = $('confirm');
    $('confirm-text').textContent = text;
    return new Promise(function (resolve) {
      dialog.addEventListener('close', function once() {
        dialog.removeEventListener('close', once);
        resolve(dialog.returnValue === 'ok');
      });
      dialog.returnValue = '';
      dialog.showModal();
    });
  }

  function control(button) {
    var command = button.dataset.command, args = [];
    if (button.dataset.strategy) {
      var s = $('ctl-strategy').value.trim();
      if (!s) { $('control-result').textContent = zh ? '请填写策略名 name the strategy' : 'name the strategy'; return; }
      args.push(s);
    }
    if (button.dataset.arg) args.push(button.dataset.arg);
    var needsConfirm = command !== 'reconcile';
    var go = needsConfirm ? confirmed((zh ? '确认执行 ' : 'Confirm ') + button.textContent + (args.length ? ' (' + args.join(' ') + ')' : '') + '?') : Promise.resolve(true);
    go.then(function (ok) {
      if (!ok) return;
      api('/api/control', { method: 'POST', body: { command: command, args: args, confirm: needsConfirm } }).then(function (r) {
        $('control-result').textContent = r.status + ' ' + (r.body && r.body.text ? r.body.text : '');
      });
    });
  }

  function loadReports(ev) {
    if (ev) ev.preventDefault();
    var f = $('reports-filter').elements;
    var q = ['q', 'from', 'to', 'strategy'].map(function (k) { return k + '=' + encodeURIComponent(f[k].value); }).join('&');
    api('/api/reports?' + q).then(function (r) {
      var list = $('reports');
      clear(list);
      if (!r.ok) { list.appendChild(el('li', '', (zh ? '无法读取报告库: ' : 'report library unavailable: ') + r.status)); return; }
      r.body.forEach(function (rep) {
        var li = el('li', '');
        li.appendChild(el('span', 'at', rep.date + ' ' + rep.kind));
        var open = el('button', 'link-button', rep.title);
        open.type = 'button';
        open.addEventListener('click', function () { var frame = $('report-frame'); frame.hidden = false; frame.src = rep.url; });
        li.appendChild(open);
        li.appendChild(el('span', 'at', ' ' + (rep.strategy || '')));
        list.appendChild(li);
      });
    });
  }

  function loadMe() {
    return api('/api/me').then(function (r) {
      if (!r.ok) { $('me').textContent = '—'; return; }
      D.me = r.body;
      $('me').textContent = r.body.user + ' (' + r.body.role + ')';
      // Controls exist on the page only for operators and admins (the server refuses a viewer anyway: 403).
      var canControl = r.body.role === 'operator' || r.body.role === 'admin';
      $('controls-tab').hidden = !canControl;
      if (!canControl) { var tab = $('tab-controls'); tab.parentNode.removeChild(tab); }
      // Notes are written by operators and admins (issue 15); a viewer reads them.
      $('note-form').hidden = !canControl;
      document.body.classList.toggle('read-only', !canControl);
    });
  }

  function logout() {
    api('/logout', { method: 'POST', body: {} }).then(function () { window.location.href = '/login'; });
  }

  function start() {
    document.querySelectorAll('.tabs button').forEach(function (b) { b.addEventListener('click', function () { showTab(b.dataset.tab); }); });
    document.querySelectorAll('.controls button[data-command]').forEach(function (b) { b.addEventListener('click', function () { control(b); }); });
    $('note-form').addEventListener('submit', saveNote);
    $('notes-filter').addEventListener('submit', function (ev) { ev.preventDefault(); loadNotes(); });
    $('reports-filter').addEventListener('submit', loadReports);
    $('logout').addEventListener('click', logout);
    window.addEventListener('resize', function () { Object.keys(charts).forEach(function (k) { charts[k].resize(); }); });
    loadMe().then(connect, connect);
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start); else start();
})();
