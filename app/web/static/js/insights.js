/* Insights charts: data comes from the JSON script tag (no inline script, CSP 'self').
 * Every chart has a data table next to it; charts are an addition, not the only view. */
(function () {
  "use strict";

  var BLUE = "#0072B2";     /* Okabe-Ito blue, 5.1:1 on white */
  var ORANGE = "#D55E00";   /* vermillion, 3.9:1 (graphics need 3:1) */
  var GREEN = "#007A5A";    /* darkened bluish green, 5.2:1 */
  var GREY = "#6B7780";
  var BAND = "rgba(213, 94, 0, 0.08)";

  function readJson(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function labels() {
    var node = document.getElementById("insights-labels");
    return node ? node.dataset : {};
  }

  function baseOptions() {
    var still = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    return {
      responsive: true,
      maintainAspectRatio: false,
      animation: still ? false : { duration: 300 },
      plugins: { legend: { labels: { usePointStyle: true } } }
    };
  }

  function histogram(data, text) {
    var canvas = document.getElementById("chart-histogram");
    if (!canvas || !data.histogram) { return; }
    var options = baseOptions();
    options.plugins.legend.display = false;
    options.scales = {
      x: { title: { display: true, text: text.score } },
      y: { beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: text.attempts } }
    };
    new window.Chart(canvas, {
      type: "bar",
      data: { labels: data.histogram.labels, datasets: [{ label: text.attempts, data: data.histogram.counts, backgroundColor: BLUE }] },
      options: options
    });
  }

  /* Shades the band of low discrimination (below the threshold) behind the points. */
  var lowBand = {
    id: "lowBand",
    beforeDatasetsDraw: function (chart, args, pluginOptions) {
      var y = chart.scales.y;
      var area = chart.chartArea;
      if (!y || pluginOptions.below === undefined) { return; }
      var top = Math.max(y.getPixelForValue(pluginOptions.below), area.top);
      var ctx = chart.ctx;
      ctx.save();
      ctx.fillStyle = BAND;
      ctx.fillRect(area.left, top, area.right - area.left, area.bottom - top);
      ctx.restore();
    }
  };

  function scatter(data, text) {
    var canvas = document.getElementById("chart-scatter");
    if (!canvas || !data.scatter) { return; }
    var flagged = data.scatter.filter(function (p) { return p.flagged; });
    var fine = data.scatter.filter(function (p) { return !p.flagged; });
    var options = baseOptions();
    options.scales = {
      x: { min: 0, max: 1, title: { display: true, text: text.difficulty } },
      y: { suggestedMin: -0.2, suggestedMax: 1, title: { display: true, text: text.discrimination } }
    };
    options.plugins.lowBand = { below: data.thresholds.discrimination };
    options.plugins.tooltip = {
      callbacks: {
        label: function (ctx) {
          var p = ctx.raw;
          return p.label + ": p = " + p.x.toFixed(2) + ", D = " + p.y.toFixed(2);
        }
      }
    };
    new window.Chart(canvas, {
      type: "scatter",
      data: {
        datasets: [
          { label: text.ok, data: fine, backgroundColor: BLUE, borderColor: BLUE, pointStyle: "circle", pointRadius: 5 },
          { label: text.flagged, data: flagged, backgroundColor: ORANGE, borderColor: ORANGE, pointStyle: "triangle", pointRadius: 7 }
        ]
      },
      options: options,
      plugins: [lowBand]
    });
  }

  function optionChart(canvas, entry, text) {
    var options = baseOptions();
    options.indexAxis = "y";
    var datasets;
    if (entry.counts) {
      options.plugins.legend.display = false;
      options.scales = { x: { beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: text.count } } };
      datasets = [{ label: text.count, data: entry.counts, backgroundColor: BLUE }];
    } else {
      options.scales = { x: { beginAtZero: true, max: 100, title: { display: true, text: text.share } } };
      datasets = [
        { label: text.top, data: entry.top, backgroundColor: BLUE },
        { label: text.middle, data: entry.middle, backgroundColor: GREY },
        { label: text.bottom, data: entry.bottom, backgroundColor: ORANGE }
      ];
    }
    canvas.parentElement.classList.add("chart-rows-" + Math.min(entry.labels.length, 12));
    new window.Chart(canvas, { type: "bar", data: { labels: entry.labels, datasets: datasets }, options: options });
  }

  /* Per-question charts are drawn when their section is opened (a quiz can have 200). */
  function wireOptionCharts(data, text) {
    var sections = document.querySelectorAll("details[data-item]");
    Array.prototype.forEach.call(sections, function (section) {
      section.addEventListener("toggle", function () {
        var canvas = section.querySelector("canvas[data-options-chart]");
        if (!section.open || !canvas || canvas.dataset.drawn || !window.Chart) { return; }
        var entry = data.options[canvas.dataset.optionsChart];
        if (!entry || !entry.labels.length) { return; }
        canvas.dataset.drawn = "1";
        optionChart(canvas, entry, text);
      });
    });
    /* A link to #item-N opens that question. */
    function openFromHash() {
      var target = window.location.hash && document.getElementById(window.location.hash.slice(1));
      if (target && target.tagName === "DETAILS") { target.open = true; }
    }
    window.addEventListener("hashchange", openFromHash);
    openFromHash();
  }

  function start() {
    var data = readJson("insights-data");
    if (!data) { return; }
    var text = labels();
    if (window.Chart) {
      window.Chart.defaults.color = "#2D3B45";
      window.Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
      histogram(data, text);
      scatter(data, text);
    }
    wireOptionCharts(data, text);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
