/* Trading.Reporting daily risk statement: draws its charts from the inlined JSON (script#statement-data) with Apache
   ECharts, in the report's colours (report.js). Embedded into the assembly and inlined after echarts.min.js. */
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('statement-data').textContent);
  var UP = '#cf222e', DOWN = '#1a7f37', STRAT = '#0969da', BENCH = '#8c959f', ACCENT = '#bf8700';
  var FONT = ((window.getComputedStyle && document.body && window.getComputedStyle(document.body).fontFamily) || 'sans-serif').replace(/"/g, "'");
  var PALETTE = ['#0969da', '#cf222e', '#1a7f37', '#bf8700', '#8250df', '#1b7c83', '#bc4c00', '#6e7781', '#d63384',
    '#4c8c2b', '#953800', '#0550ae', '#a40e26', '#116329', '#7d4e00', '#6639ba', '#0a3069', '#ff8182', '#4ac26b', '#d4a72c'];
  var charts = [];

  function pct(v, digits) {
    if (v === null || v === undefined || !isFinite(v)) return '–';
    return (v * 100).toFixed(digits === undefined ? 2 : digits) + '%';
  }
  function base(extra) {
    var o = { animation: false, color: PALETTE, textStyle: { fontFamily: FONT }, tooltip: { trigger: 'axis', confine: true } };
    for (var k in extra) if (Object.prototype.hasOwnProperty.call(extra, k)) o[k] = extra[k];
    return o;
  }
  function make(id, option) {
    var el = document.getElementById(id);
    if (!el) return null;
    var chart = echarts.init(el, null, { renderer: 'svg' });
    chart.setOption(option);
    charts.push(chart);
    return chart;
  }

  /* weights of the positions, largest first */
  (function () {
    var p = data.positions;
    if (!p || !p.labels.length) return;
    make('chart-weights', base({
      grid: { left: 160, right: 32, top: 16, bottom: 28 },
      xAxis: { type: 'value', min: 0, axisLabel: { formatter: function (v) { return pct(v, 0); } } },
      yAxis: { type: 'category', data: p.labels, inverse: true },
      tooltip: { trigger: 'axis', confine: true, valueFormatter: function (v) { return pct(v); } },
      series: [{ name: data.labels.weight, type: 'bar', data: p.weights, color: STRAT }]
    }));
  })();

  /* industry exposure with the cash, as shares of NAV */
  (function () {
    var e = data.industries;
    if (!e || !e.names.length) return;
    var slices = e.names.map(function (n, i) { return { name: n, value: e.weights[i] }; });
    if (e.cash > 0) slices.push({ name: data.labels.cash, value: e.cash, itemStyle: { color: BENCH } });
    make('chart-industry-pie', base({
      tooltip: { trigger: 'item', confine: true, formatter: function (p) { return p.marker + p.name + ': ' + pct(p.value); } },
      series: [{ type: 'pie', radius: ['35%', '68%'], center: ['50%', '52%'], data: slices, avoidLabelOverlap: true,
        label: { formatter: function (p) { return p.name + ' ' + pct(p.value, 1); } } }]
    }));
  })();

  /* distribution of the historical portfolio returns with the VaR thresholds */
  (function () {
    var v = data['var'];
    if (!v) return;
    var labels = v.centers.map(function (c) { return pct(c, 1); });
    function nearest(x) {
      var best = 0;
      v.centers.forEach(function (c, i) { if (Math.abs(c - x) < Math.abs(v.centers[best] - x)) best = i; });
      return labels[best];
    }
    var lines = [];
    if (v.var95 !== null) lines.push({ name: data.labels.var95, xAxis: nearest(v.var95), lineStyle: { color: ACCENT }, label: { formatter: data.labels.var95 + ' ' + pct(-v.var95) } });
    if (v.var99 !== null) lines.push({ name: data.labels.var99, xAxis: nearest(v.var99), lineStyle: { color: UP }, label: { formatter: data.labels.var99 + ' ' + pct(-v.var99) } });
    make('chart-var', base({
      grid: { left: 48, right: 24, top: 36, bottom: 32 },
      xAxis: { type: 'category', data: labels, axisLabel: { hideOverlap: true } },
      yAxis: { type: 'value', name: data.labels.days, minInterval: 1 },
      series: [{ name: data.labels.days, type: 'bar', data: v.counts, color: STRAT, barCategoryGap: '5%',
        markLine: { symbol: 'none', data: lines } }]
    }));
  })();

  /* risk-rule hits by rule */
  (function () {
    var r = data.ruleHits;
    if (!r || !r.rules.length) return;
    make('chart-rule-hits', base({
      grid: { left: 160, right: 24, top: 16, bottom: 24 },
      xAxis: { type: 'value', minInterval: 1 },
      yAxis: { type: 'category', data: r.rules, inverse: true },
      series: [{ name: data.labels.ruleHits, type: 'bar', data: r.counts, color: UP }]
    }));
  })();

  window.addEventListener('resize', function () { charts.forEach(function (c) { c.resize(); }); });
  window.addEventListener('beforeprint', function () { charts.forEach(function (c) { c.resize({ width: 703 }); }); });
  window.addEventListener('afterprint', function () { charts.forEach(function (c) { c.resize({ width: 'auto' }); }); });
  document.documentElement.setAttribute('data-charts', String(charts.length));
})();
