// Draws every .chart[data-figure] with the vendored plotly.js, on load and after each
// htmx swap (the same partial arrives in a full page or as a swap).
(function () {
  "use strict";
  function draw(root) {
    if (!window.Plotly) { return; }
    var nodes = (root || document).querySelectorAll(".chart[data-figure]");
    Array.prototype.forEach.call(nodes, function (node) {
      var figure = JSON.parse(node.getAttribute("data-figure"));
      var layout = Object.assign({ autosize: true, height: 340 }, figure.layout);
      window.Plotly.react(node, figure.data, layout, {
        displaylogo: false, responsive: true, modeBarButtonsToRemove: ["lasso2d", "select2d"]
      });
    });
  }
  document.addEventListener("DOMContentLoaded", function () { draw(document); });
  document.addEventListener("htmx:afterSettle", function (event) { draw(event.detail.target); });
  window.addEventListener("beforeprint", function () {
    Array.prototype.forEach.call(document.querySelectorAll(".chart.js-plotly-plot"), function (n) {
      window.Plotly.relayout(n, { width: 680 });
    });
  });
})();
