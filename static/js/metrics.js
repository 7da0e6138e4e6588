// The metrics dashboard: period picker behaviour and the charts, drawn with Chart.js from the JSON
// at the URL in #metrics-charts[data-source]. No inline script or style anywhere (strict CSP).
(function () {
  'use strict';

  var COLOURS = ['#0d6efd', '#dc3545', '#198754', '#fd7e14', '#6f42c1', '#20c997'];

  function ready(fn) {
    if (document.readyState !== 'loading') { fn(); } else { document.addEventListener('DOMContentLoaded', fn); }
  }

  function pickerBehaviour() {
    document.querySelectorAll('.metrics-picker').forEach(function (form) {
      var kind = form.querySelector('.period-kind');
      if (!kind) { return; }
      function sync() {
        var custom = kind.value === 'custom';
        form.querySelectorAll('.period-custom input').forEach(function (i) { i.disabled = !custom; });
        form.querySelectorAll('.period-fixed input').forEach(function (i) { i.disabled = custom || (kind.value === 'year' && i.name === 'number'); });
        form.querySelectorAll('.period-custom').forEach(function (el) { el.classList.toggle('d-none', !custom); });
        form.querySelectorAll('.period-fixed').forEach(function (el) { el.classList.toggle('d-none', custom); });
      }
      kind.addEventListener('change', sync);
      sync();
    });
  }

  function baseOptions(extra) {
    var options = {
      responsive: true, maintainAspectRatio: false, animation: false,
      plugins: { legend: { position: 'bottom', labels: { boxWidth: 12 } } },
      scales: { y: { min: 0, max: 100, ticks: { callback: function (v) { return v + ' %'; } } } }
    };
    return Object.assign(options, extra || {});
  }

  function done(canvas, chart) {
    canvas.dataset.rendered = '1';
    return chart;
  }

  function levelCodes(c, mapping) {
    return (c.level_order || Object.keys(mapping)).filter(function (k) { return mapping[k] !== undefined; });
  }

  function trendChart(canvas, data) {
    var c = data.charts, datasets = [];
    levelCodes(c, c.trend.levels).forEach(function (code, i) {
      var colour = COLOURS[i % COLOURS.length], name = c.level_names[code] || code;
      datasets.push({ label: name, data: c.trend.levels[code].rates, borderColor: colour, backgroundColor: colour,
                      spanGaps: true, tension: 0.2 });
      datasets.push({ label: c.labels.target + ' ' + name, data: c.trend.levels[code].targets, borderColor: colour,
                      borderDash: [6, 4], pointRadius: 0, borderWidth: 1.5, fill: false });
    });
    return done(canvas, new window.Chart(canvas, { type: 'line', data: { labels: c.trend.months, datasets: datasets },
                                                   options: baseOptions() }));
  }

  function levelsChart(canvas, data) {
    var c = data.charts, codes = levelCodes(c, c.levels);
    return done(canvas, new window.Chart(canvas, {
      type: 'bar',
      data: { labels: codes.map(function (k) { return c.level_names[k] || k; }),
              datasets: [{ label: c.labels.rate, data: codes.map(function (k) { return c.levels[k].rate; }), backgroundColor: COLOURS[0] },
                         { label: c.labels.target, data: codes.map(function (k) { return c.levels[k].target; }), backgroundColor: '#adb5bd' }] },
      options: baseOptions()
    }));
  }

  function unitsChart(canvas, data) {
    var c = data.charts, units = c.units.slice(0, 25);
    var box = canvas.parentNode;
    box.classList.add('rows-' + Math.min(25, Math.max(5, Math.ceil(units.length / 5) * 5)));
    var options = baseOptions({ indexAxis: 'y' });
    options.scales = { x: { min: 0, max: 100, ticks: { callback: function (v) { return v + ' %'; } } },
                       y: { ticks: { autoSkip: false, font: { size: 11 } } } };
    return done(canvas, new window.Chart(canvas, {
      type: 'bar',
      data: { labels: units.map(function (u) { return u.name; }),
              datasets: [{ label: c.labels.rate, data: units.map(function (u) { return u.rate; }),
                           backgroundColor: units.map(function (u) { return u.target !== null && u.rate >= u.target ? '#198754' : '#dc3545'; }) },
                         { label: c.labels.target, type: 'line', data: units.map(function (u) { return u.target; }),
                           borderColor: '#6c757d', borderDash: [6, 4], pointRadius: 0, fill: false }] },
      options: options
    }));
  }

  function tthcChart(canvas, data) {
    var c = data.charts, codes = levelCodes(c, c.tthc);
    return done(canvas, new window.Chart(canvas, {
      type: 'bar',
      data: { labels: codes.map(function (k) { return c.level_names[k] || k; }),
              datasets: [{ label: c.labels.online_rate, data: codes.map(function (k) { return c.tthc[k].rate; }), backgroundColor: COLOURS[2] },
                         { label: c.labels.target, data: codes.map(function (k) { return c.tthc[k].target; }), backgroundColor: '#adb5bd' }] },
      options: baseOptions()
    }));
  }

  var DRAW = { trend: trendChart, levels: levelsChart, units: unitsChart, tthc: tthcChart };

  function drawCharts() {
    var section = document.getElementById('metrics-charts');
    if (!section || !section.dataset.source || !window.Chart) { return; }
    fetch(section.dataset.source, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then(function (response) {
        if (!response.ok) { throw new Error('HTTP ' + response.status); }
        return response.json();
      })
      .then(function (data) {
        section.querySelectorAll('canvas[data-chart]').forEach(function (canvas) {
          var draw = DRAW[canvas.dataset.chart];
          if (draw) { draw(canvas, data); }
        });
        section.dataset.loaded = '1';
      })
      .catch(function (error) {
        section.dataset.error = String(error);
        section.classList.add('charts-failed');
      });
  }

  ready(function () {
    pickerBehaviour();
    drawCharts();
  });
}());
