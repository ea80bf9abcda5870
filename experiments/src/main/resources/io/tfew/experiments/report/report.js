// Draws the report's charts from the JSON in #report-data. Sets data-rendered="true" on <body> once
// every chart is drawn, or data-error with the message when anything throws, so a headless browser
// can tell a drawn page from a broken one.
(function () {
  var body = document.body;
  window.addEventListener('error', function (e) {
    body.setAttribute('data-error', String(e.message));
  });
  function pct(v) { return Math.round(v * 1000) / 10; }
  // One colour per method in every chart: ECharts' default palette, by the method's row.
  var PALETTE = ['#5470c6', '#91cc75', '#fac858', '#ee6666', '#73c0de', '#3ba272', '#fc8452', '#9a60b4', '#ea7ccc'];
  function colour(data, method) {
    for (var i = 0; i < data.methods.length; i++) {
      if (data.methods[i].method === method) { return PALETTE[i % PALETTE.length]; }
    }
    return '#888';
  }
  function init(id) {
    return echarts.init(document.getElementById(id), null, { renderer: 'svg' });
  }

  // T-Few's Figure 2: accuracy against the percentage of parameters trained, log x-axis.
  function paramsChart(data) {
    var series = [];
    var zeroShot = null;
    // The y range must hold the zero-shot line too, which ECharts leaves out when it fits the axis.
    var ys = data.methods.map(function (m) { return pct(m.meanOfMedians); });
    data.methods.forEach(function (m) {
      if (m.trainable === 0) { zeroShot = m; return; }
      if (m.percent === null) { return; }
      series.push({
        name: m.method, type: 'scatter', symbolSize: 12, itemStyle: { color: colour(data, m.method) },
        label: { show: true, position: 'right', formatter: m.method },
        data: [[m.percent, pct(m.meanOfMedians)]]
      });
    });
    if (zeroShot !== null) {
      series.push({
        name: zeroShot.method, type: 'line', data: [], itemStyle: { color: colour(data, zeroShot.method) },
        markLine: { symbol: 'none', lineStyle: { type: 'dashed', color: colour(data, zeroShot.method) },
          label: { formatter: zeroShot.method },
          data: [{ yAxis: pct(zeroShot.meanOfMedians) }] }
      });
    }
    init('chart-params').setOption({
      animation: false,
      title: { text: 'Mean of medians (' + data.metric + ') vs % of parameters trained' },
      tooltip: { trigger: 'item' },
      legend: { bottom: 0 },
      xAxis: { type: 'log', name: '% trainable', nameLocation: 'middle', nameGap: 28 },
      yAxis: { type: 'value', name: data.metric + ' x 100',
        min: Math.floor(Math.min.apply(null, ys) - 2), max: Math.ceil(Math.max.apply(null, ys) + 2) },
      series: series
    });
  }

  // A metric in [0, 1] (accuracy, F1) is drawn on a fixed 0-100 axis, so bars of different charts compare
  // and a small difference does not fill the plot; a metric outside that range gets an axis that holds it.
  function valueRange(data) {
    var lo = 0, hi = 1;
    data.methods.forEach(function (m) {
      Object.keys(m.cells).forEach(function (d) {
        var c = m.cells[d];
        lo = Math.min(lo, c.q1, c.median);
        hi = Math.max(hi, c.q3, c.median);
      });
    });
    if (lo >= 0 && hi <= 1) { return { min: 0, max: 100 }; }
    return { min: Math.floor(pct(lo) / 10) * 10, max: Math.ceil(pct(hi) / 10) * 10 };
  }

  // One chart per dataset: each trained method's median as a bar, side by side, its interquartile range as
  // an error bar, and the zero-shot median as a dashed line across the chart.
  function datasetChart(el, data, range) {
    var dataset = el.getAttribute('data-dataset');
    var methods = [], medians = [], ranges = [];
    var zeroShot = null;
    data.methods.forEach(function (m) {
      var c = m.cells[dataset];
      if (!c) { return; }
      if (m.trainable === 0) { zeroShot = { method: m.method, median: pct(c.median) }; return; }
      methods.push(m.method);
      medians.push({ value: pct(c.median), itemStyle: { color: colour(data, m.method) } });
      ranges.push([methods.length - 1, pct(c.q1), pct(c.q3)]);
    });
    var bars = { name: 'median', type: 'bar', data: medians, barMaxWidth: 48 };
    if (zeroShot !== null) {
      bars.markLine = { symbol: 'none', silent: true,
        lineStyle: { type: 'dashed', color: '#333', width: 1.5 },
        // Named in the subtitle: a label on the line would sit on the bars.
        label: { show: false },
        data: [{ yAxis: zeroShot.median }] };
    }
    init(el.id).setOption({
      animation: false,
      title: { text: dataset, textStyle: { fontSize: 14 },
        subtext: zeroShot === null ? '' : '- - - ' + zeroShot.method + ' ' + zeroShot.median },
      tooltip: { trigger: 'axis' },
      grid: { left: 48, right: 16, top: 72, bottom: 64 },
      xAxis: { type: 'category', data: methods, axisLabel: { interval: 0, rotate: methods.length > 3 ? 30 : 0 } },
      yAxis: { type: 'value', name: data.metric + ' x 100', min: range.min, max: range.max },
      series: [
        bars,
        {
          name: 'IQR', type: 'custom', data: ranges, z: 10,
          renderItem: function (params, api) {
            var lo = api.coord([api.value(0), api.value(1)]);
            var hi = api.coord([api.value(0), api.value(2)]);
            var w = api.size([1, 0])[0] * 0.15;
            var style = { stroke: '#333', lineWidth: 1.5 };
            return { type: 'group', children: [
              { type: 'line', shape: { x1: lo[0], y1: lo[1], x2: hi[0], y2: hi[1] }, style: style },
              { type: 'line', shape: { x1: lo[0] - w, y1: lo[1], x2: lo[0] + w, y2: lo[1] }, style: style },
              { type: 'line', shape: { x1: hi[0] - w, y1: hi[1], x2: hi[0] + w, y2: hi[1] }, style: style }
            ] };
          }
        }
      ]
    });
  }

  function lossChart(data) {
    init('chart-loss').setOption({
      animation: false,
      title: { text: 'Training loss' },
      tooltip: { trigger: 'axis' },
      legend: { type: 'scroll', bottom: 0 },
      xAxis: { type: 'value', name: 'step', nameLocation: 'middle', nameGap: 28 },
      yAxis: { type: 'value', name: 'loss', scale: true },
      series: data.curves.map(function (c) {
        return { name: c.label, type: 'line', showSymbol: false, data: c.points };
      })
    });
  }

  try {
    var data = JSON.parse(document.getElementById('report-data').textContent);
    if (document.getElementById('chart-params')) { paramsChart(data); }
    var range = valueRange(data);
    Array.prototype.forEach.call(document.querySelectorAll('.chart[data-dataset]'), function (el) {
      datasetChart(el, data, range);
    });
    if (document.getElementById('chart-loss')) { lossChart(data); }
    body.setAttribute('data-rendered', 'true');
  } catch (e) {
    body.setAttribute('data-error', String(e && e.message || e));
    throw e;
  }
})();
