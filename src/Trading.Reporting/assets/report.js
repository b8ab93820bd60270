/* Trading.Reporting HTML report: builds the charts from the inlined JSON (script#report-data) with Apache ECharts.
   Embedded into the assembly and inlined after echarts.min.js. No network access, no timers, no animation. */
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var UP = '#cf222e', DOWN = '#1a7f37', STRAT = '#0969da', BENCH = '#8c959f', ACCENT = '#bf8700';
  // the body's font stack with single quotes, as ECharts writes it into SVG attributes
  var FONT = ((window.getComputedStyle && document.body && window.getComputedStyle(document.body).fontFamily) || 'sans-serif').replace(/"/g, "'");
  var PALETTE = ['#0969da', '#cf222e', '#1a7f37', '#bf8700', '#8250df', '#1b7c83', '#bc4c00', '#6e7781', '#d63384',
    '#4c8c2b', '#953800', '#0550ae', '#a40e26', '#116329', '#7d4e00', '#6639ba', '#0a3069', '#ff8182', '#4ac26b', '#d4a72c'];
  var charts = [];

  function pct(v, digits) {
    if (v === null || v === undefined || !isFinite(v)) return '–';
    return (v * 100).toFixed(digits === undefined ? 2 : digits) + '%';
  }
  function num(v, digits) {
    if (v === null || v === undefined || !isFinite(v)) return '–';
    return Number(v).toFixed(digits === undefined ? 2 : digits);
  }
  function base(extra) {
    var o = {
      animation: false,
      color: PALETTE,
      // the page's own font stack (report.css), so chart labels show Chinese names with the same CJK face
      textStyle: { fontFamily: FONT },
      grid: { left: 56, right: 24, top: 36, bottom: 56, containLabel: false },
      tooltip: { trigger: 'axis', confine: true }
    };
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
  function dateAxis(dates) {
    return { type: 'category', data: dates, boundaryGap: false, axisLabel: { hideOverlap: true } };
  }
  function pctAxis(extra) {
    var a = { type: 'value', scale: true, axisLabel: { formatter: function (v) { return (v * 100).toFixed(0) + '%'; } } };
    for (var k in extra) if (Object.prototype.hasOwnProperty.call(extra, k)) a[k] = extra[k];
    return a;
  }
  function zoom() {
    return [{ type: 'inside', xAxisIndex: 0 }, { type: 'slider', xAxisIndex: 0, height: 18, bottom: 8 }];
  }
  function pctTooltip(params) {
    var list = Array.isArray(params) ? params : [params];
    var lines = [list.length ? list[0].axisValueLabel : ''];
    list.forEach(function (p) { lines.push(p.marker + p.seriesName + ': ' + pct(Array.isArray(p.value) ? p.value[p.value.length - 1] : p.value)); });
    return lines.join('<br>');
  }

  /* equity vs benchmark, with a log-scale toggle */
  var equitySeries = [{ name: data.labels.strategy, type: 'line', data: data.equity, showSymbol: false, lineStyle: { width: 1.6 }, color: STRAT }];
  if (data.benchmark) equitySeries.push({ name: data.labels.benchmark, type: 'line', data: data.benchmark, showSymbol: false, lineStyle: { width: 1.2 }, color: BENCH });
  function equityAxis(log) {
    return log ? { type: 'log', logBase: 10, scale: true, axisLabel: { formatter: function (v) { return num(v, 2); } } }
               : { type: 'value', scale: true, axisLabel: { formatter: function (v) { return num(v, 2); } } };
  }
  var equity = make('chart-equity', base({
    legend: { top: 0 },
    xAxis: dateAxis(data.dates),
    yAxis: equityAxis(false),
    dataZoom: zoom(),
    tooltip: { trigger: 'axis', confine: true, valueFormatter: function (v) { return num(v, 4); } },
    series: equitySeries
  }));
  var logBox = document.getElementById('equity-log');
  if (logBox && equity) logBox.addEventListener('change', function () { equity.setOption({ yAxis: equityAxis(logBox.checked) }); });

  /* underwater drawdown */
  make('chart-drawdown', base({
    xAxis: dateAxis(data.dates),
    yAxis: pctAxis({ max: 0, scale: false }),
    dataZoom: zoom(),
    tooltip: { trigger: 'axis', confine: true, formatter: pctTooltip },
    series: [{ name: data.labels.drawdown, type: 'line', data: data.drawdown, showSymbol: false, color: DOWN,
      lineStyle: { width: 1 }, areaStyle: { opacity: 0.35 } }]
  }));

  /* monthly returns heatmap (years × months) */
  (function () {
    var m = data.monthly;
    if (!m) return;
    var cells = [], maxAbs = 0.0001;
    for (var y = 0; y < m.years.length; y++)
      for (var c = 0; c < 13; c++) {
        var v = m.values[y][c];
        if (v === null) continue;
        cells.push([c, y, v]);
        if (c < 12) maxAbs = Math.max(maxAbs, Math.abs(v));
      }
    make('chart-monthly', base({
      grid: { left: 56, right: 24, top: 16, bottom: 64 },
      tooltip: { trigger: 'item', formatter: function (p) { return m.years[p.value[1]] + ' ' + m.months[p.value[0]] + ': ' + pct(p.value[2]); } },
      xAxis: { type: 'category', data: m.months, splitArea: { show: true } },
      yAxis: { type: 'category', data: m.years.map(String), inverse: true, splitArea: { show: true } },
      visualMap: { type: 'continuous', min: -maxAbs, max: maxAbs, calculable: false, orient: 'horizontal', left: 'center', bottom: 0,
        itemHeight: 160, inRange: { color: [DOWN, '#f6f8fa', UP] }, formatter: function (v) { return pct(v, 1); }, dimension: 2 },
      series: [{ type: 'heatmap', data: cells, label: { show: true, fontSize: 10, formatter: function (p) { return num(p.value[2] * 100, 1); } },
        itemStyle: { borderColor: '#fff', borderWidth: 1 } }]
    }));
  })();

  /* yearly returns vs benchmark */
  (function () {
    var yr = data.yearly;
    if (!yr) return;
    var series = [{ name: data.labels.strategy, type: 'bar', data: yr.strategy, color: STRAT }];
    if (yr.benchmark) series.push({ name: data.labels.benchmark, type: 'bar', data: yr.benchmark, color: BENCH });
    make('chart-yearly', base({
      legend: { top: 0 },
      xAxis: { type: 'category', data: yr.years.map(String) },
      yAxis: pctAxis({ scale: false }),
      tooltip: { trigger: 'axis', confine: true, formatter: pctTooltip },
      grid: { left: 56, right: 24, top: 36, bottom: 32 },
      series: series
    }));
  })();

  /* rolling Sharpe / volatility / beta */
  function rolling(id, name, values, color, asPct) {
    if (!values) return;
    make(id, base({
      title: { text: name, left: 'center', textStyle: { fontSize: 12, fontWeight: 600 } },
      grid: { left: 48, right: 16, top: 30, bottom: 28 },
      xAxis: dateAxis(data.dates),
      yAxis: asPct ? pctAxis() : { type: 'value', scale: true },
      tooltip: { trigger: 'axis', confine: true, valueFormatter: function (v) { return asPct ? pct(v) : num(v, 2); } },
      series: [{ name: name, type: 'line', data: values, showSymbol: false, color: color, lineStyle: { width: 1.2 } }]
    }));
  }
  rolling('chart-rolling-sharpe', data.labels.rollingSharpe, data.rolling.sharpe, STRAT, false);
  rolling('chart-rolling-vol', data.labels.rollingVol, data.rolling.volatility, ACCENT, true);
  rolling('chart-rolling-beta', data.labels.rollingBeta, data.rolling.beta, '#8250df', false);

  /* daily return distribution */
  (function () {
    var h = data.histogram;
    if (!h) return;
    var labels = h.centers.map(function (c) { return pct(c, 1); });
    var series = [{ name: data.labels.strategy, type: 'bar', data: h.counts, color: STRAT, barGap: '0%', barCategoryGap: '5%' }];
    if (h.benchmark) series.push({ name: data.labels.benchmark, type: 'bar', data: h.benchmark, color: BENCH, barGap: '0%' });
    make('chart-histogram', base({
      legend: { top: 0 },
      xAxis: { type: 'category', data: labels, axisLabel: { hideOverlap: true } },
      yAxis: { type: 'value', name: data.labels.days },
      grid: { left: 56, right: 24, top: 36, bottom: 32 },
      series: series
    }));
  })();

  /* industry exposure over time (stacked area, share of NAV) */
  (function () {
    var e = data.industry;
    if (!e) return;
    var series = e.industries.map(function (name, i) {
      return { name: name, type: 'line', stack: 'w', data: e.weights[i], showSymbol: false, lineStyle: { width: 0.5 }, areaStyle: { opacity: 0.85 },
        emphasis: { focus: 'series' } };
    });
    make('chart-industry', base({
      legend: { type: 'plain', top: 0, itemWidth: 14, itemHeight: 9, itemGap: 8 },
      grid: { left: 56, right: 24, top: 72, bottom: 56 },
      xAxis: dateAxis(e.dates),
      yAxis: pctAxis({ scale: false, min: 0 }),
      dataZoom: zoom(),
      tooltip: { trigger: 'axis', confine: true, formatter: function (params) {
        var rows = params.filter(function (p) { return p.value > 0; }).sort(function (a, b) { return b.value - a.value; }).slice(0, 12);
        return [params.length ? params[0].axisValueLabel : ''].concat(rows.map(function (p) { return p.marker + p.seriesName + ': ' + pct(p.value, 1); })).join('<br>');
      } },
      series: series
    }));
  })();

  /* top-10 holdings: latest and average weight */
  (function () {
    var t = data.holdings;
    if (!t || !t.labels.length) return;
    make('chart-holdings', base({
      legend: { top: 0 },
      grid: { left: 150, right: 24, top: 32, bottom: 24 },
      xAxis: pctAxis({ scale: false, min: 0 }),
      yAxis: { type: 'category', data: t.labels, inverse: true },
      tooltip: { trigger: 'axis', confine: true, formatter: pctTooltip },
      series: [{ name: data.labels.latestWeight, type: 'bar', data: t.latest, color: STRAT },
               { name: data.labels.averageWeight, type: 'bar', data: t.average, color: BENCH }]
    }));
  })();

  /* turnover over time */
  (function () {
    var t = data.turnover;
    if (!t) return;
    make('chart-turnover', base({
      xAxis: { type: 'category', data: t.labels, axisLabel: { hideOverlap: true } },
      yAxis: pctAxis({ scale: false, min: 0 }),
      grid: { left: 56, right: 24, top: 24, bottom: 32 },
      tooltip: { trigger: 'axis', confine: true, formatter: pctTooltip },
      series: [{ name: data.labels.turnover, type: 'bar', data: t.values, color: ACCENT }]
    }));
  })();

  /* risk: rejections by rule */
  (function () {
    var r = data.rejections;
    if (!r || !r.rules.length) return;
    make('chart-rejections', base({
      grid: { left: 160, right: 24, top: 16, bottom: 24 },
      xAxis: { type: 'value', minInterval: 1 },
      yAxis: { type: 'category', data: r.rules, inverse: true },
      series: [{ name: data.labels.rejections, type: 'bar', data: r.counts, color: UP }]
    }));
  })();

  /* factor section: IC series, IC decay, quantile returns + long-short */
  (data.factors || []).forEach(function (f, i) {
    make('chart-factor-' + i + '-ic', base({
      legend: { top: 0 },
      xAxis: { type: 'category', data: f.dates, axisLabel: { hideOverlap: true } },
      yAxis: { type: 'value', scale: true },
      dataZoom: zoom(),
      tooltip: { trigger: 'axis', confine: true, valueFormatter: function (v) { return num(v, 3); } },
      series: [{ name: 'IC', type: 'bar', data: f.ic, color: BENCH, large: true },
               { name: data.labels.rankIc, type: 'line', data: f.rankIc, showSymbol: false, color: STRAT, lineStyle: { width: 0.8 } },
               { name: data.labels.rankIcMean, type: 'line', data: f.rankIcRolling, showSymbol: false, color: UP, lineStyle: { width: 1.6 } }]
    }));
    make('chart-factor-' + i + '-decay', base({
      grid: { left: 56, right: 16, top: 24, bottom: 36 },
      xAxis: { type: 'category', data: f.decay.horizons.map(function (h) { return h + 'd'; }), name: data.labels.horizon, nameLocation: 'middle', nameGap: 24 },
      yAxis: { type: 'value', scale: false },
      tooltip: { trigger: 'axis', confine: true, valueFormatter: function (v) { return num(v, 4); } },
      series: [{ name: data.labels.rankIcMean, type: 'bar', data: f.decay.values, color: STRAT }]
    }));
    var qLabels = f.quantiles.map(function (_, q) { return 'Q' + (q + 1); }).concat(['L−S']);
    var qValues = f.quantiles.map(function (v) { return { value: v, itemStyle: { color: STRAT } }; })
      .concat([{ value: f.longShort, itemStyle: { color: f.longShort >= 0 ? UP : DOWN } }]);
    make('chart-factor-' + i + '-quantiles', base({
      grid: { left: 56, right: 16, top: 24, bottom: 28 },
      xAxis: { type: 'category', data: qLabels },
      yAxis: pctAxis({ scale: false }),
      tooltip: { trigger: 'axis', confine: true, formatter: pctTooltip },
      series: [{ name: data.labels.quantileReturn, type: 'bar', data: qValues }]
    }));
  });

  /* resizing: window, and A4 for printing / saving as PDF */
  var printing = false;
  function sizeForPrint() {
    printing = true;
    charts.forEach(function (c) {
      var el = c.getDom();
      var h = el.classList.contains('small') ? 234 : el.classList.contains('tall') ? 416 : 333;
      c.resize({ width: 703, height: h });
    });
  }
  function sizeForScreen() {
    if (!printing) return;
    printing = false;
    charts.forEach(function (c) { c.resize({ width: 'auto', height: 'auto' }); });
  }
  window.addEventListener('resize', function () { if (!printing) charts.forEach(function (c) { c.resize(); }); });
  window.addEventListener('beforeprint', sizeForPrint);
  window.addEventListener('afterprint', sizeForScreen);
  if (window.matchMedia) {
    var mq = window.matchMedia('print');
    var onChange = function (e) { if (e.matches) sizeForPrint(); else sizeForScreen(); };
    if (mq.addEventListener) mq.addEventListener('change', onChange); else if (mq.addListener) mq.addListener(onChange);
  }
  document.documentElement.setAttribute('data-charts', String(charts.length));
})();
