// The report page's charts (Chart.js, vendored from npm). The data comes from a JSON block that
// the server writes into the page (<script type="application/json">, never executed), so the
// strict CSP (script-src 'self') holds. Persian labels and digits, right-to-left legends and
// tooltips, Vazirmatn; a bar opens the records it counts.
(function () {
  "use strict";

  const FONT = "Vazirmatn, Tahoma, sans-serif";
  const digits = new Intl.NumberFormat("fa-IR");

  function options(data) {
    const horizontal = Boolean(data.horizontal);
    const valueAxis = horizontal ? "x" : "y";
    const categoryAxis = horizontal ? "y" : "x";
    const scales = {};
    scales[valueAxis] = {
      beginAtZero: true,
      stacked: Boolean(data.stacked),
      // Right to left: values grow from the right, the value axis sits on the right.
      reverse: horizontal,
      position: horizontal ? "bottom" : "right",
      ticks: { precision: 0, callback: (value) => digits.format(value) },
    };
    scales[categoryAxis] = {
      stacked: Boolean(data.stacked),
      // First month or year on the right, as Persian reads.
      reverse: !horizontal,
      position: horizontal ? "right" : "bottom",
      ticks: { autoSkip: false, maxRotation: horizontal ? 0 : 60 },
    };
    return {
      responsive: true,
      maintainAspectRatio: false,
      locale: "fa-IR",
      indexAxis: horizontal ? "y" : "x",
      animation: false,
      scales: scales,
      plugins: {
        legend: {
          display: data.datasets.length > 1,
          position: "bottom",
          rtl: true,
          textDirection: "rtl",
        },
        tooltip: {
          rtl: true,
          textDirection: "rtl",
          callbacks: {
            label: (item) => `${item.dataset.label}: ${digits.format(item.raw)}`,
          },
        },
      },
      onHover: (event, elements) => {
        event.native.target.style.cursor = elements.length && data.urls[elements[0].index] ? "pointer" : "default";
      },
      onClick: (event, elements) => {
        const url = elements.length ? data.urls[elements[0].index] : null;
        if (url) window.location.assign(url);
      },
    };
  }

  function draw(canvas, data) {
    const chart = new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: data.datasets.map((set) => ({
          label: set.label,
          data: set.values,
          backgroundColor: set.color,
          borderRadius: 3,
          maxBarThickness: 42,
        })),
      },
      options: options(data),
    });
    canvas.dataset.rendered = "1";
    return chart;
  }

  function start() {
    const source = document.getElementById("report-charts");
    if (!source || !window.Chart) return;
    const all = JSON.parse(source.textContent);
    window.Chart.defaults.font.family = FONT;
    window.Chart.defaults.font.size = 13;
    window.Chart.defaults.color = "#343a40";
    const canvases = document.querySelectorAll("canvas[data-chart]");
    // Canvas text is drawn once: wait for the web font, or the labels fall back to another face.
    const ready = document.fonts ? document.fonts.load(`13px ${FONT}`) : Promise.resolve();
    ready.catch(() => null).then(() => {
      canvases.forEach((canvas) => {
        const data = all[canvas.dataset.chart];
        if (data) draw(canvas, data);
      });
    });
  }

  document.addEventListener("DOMContentLoaded", start);
})();
