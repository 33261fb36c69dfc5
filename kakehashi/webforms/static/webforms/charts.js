// Survey results: draw each chart from its JSON; the tables below carry the same numbers.
(function () {
  "use strict";
  if (!window.Plotly) { return; }
  document.querySelectorAll("[data-chart]").forEach(function (el) {
    var source = document.getElementById(el.dataset.chart);
    if (!source) { return; }
    var figure = JSON.parse(source.textContent);
    window.Plotly.newPlot(el, figure.data, figure.layout, { displayModeBar: false, responsive: true });
  });
})();
