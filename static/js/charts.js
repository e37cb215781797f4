/* Draws the charts of a page: every element with data-figure="<id>" gets the plotly figure whose
 * JSON the page put in <script type="application/json" id="<id>"> (Django's json_script). One
 * static file, no inline script or event handler, so a strict content security policy holds.
 *
 * Traces marked meta.role = "comparison" start hidden (visible: "legendonly"); a checkbox per
 * trace switches each on and off (the legend does too, and the two stay in step).
 */
(function () {
  "use strict";

  function readFigure(id) {
    var source = document.getElementById(id);
    return source ? JSON.parse(source.textContent) : null;
  }

  function isComparison(trace) {
    return trace.meta && trace.meta.role === "comparison";
  }

  function addComparisonSwitches(element, figure) {
    var indexes = [];
    figure.data.forEach(function (trace, index) {
      if (isComparison(trace)) { indexes.push(index); }
    });
    if (!indexes.length) { return; }
    var fieldset = document.createElement("fieldset");
    fieldset.className = "comparison-switches";
    var legend = document.createElement("legend");
    legend.textContent = "Compare with";
    fieldset.appendChild(legend);
    var boxes = {};
    indexes.forEach(function (index) {
      var label = document.createElement("label");
      var box = document.createElement("input");
      box.type = "checkbox";
      box.value = String(index);
      box.checked = figure.data[index].visible === true;
      box.addEventListener("change", function () {
        window.Plotly.restyle(element, { visible: box.checked ? true : "legendonly" }, [index]);
      });
      boxes[index] = box;
      label.appendChild(box);
      label.appendChild(document.createTextNode(" " + figure.data[index].name));
      fieldset.appendChild(label);
    });
    element.parentNode.insertBefore(fieldset, element.nextSibling);
    // Clicking the legend changes visibility too: keep the boxes in step.
    element.on("plotly_restyle", function () {
      element.data.forEach(function (trace, index) {
        if (boxes[index]) { boxes[index].checked = trace.visible === true || trace.visible === undefined; }
      });
    });
  }

  function draw(element) {
    var figure = readFigure(element.getAttribute("data-figure"));
    if (!figure || !window.Plotly) { return; }
    var config = { responsive: true, displaylogo: false, typesetMath: false };
    // Responsive redraws (a resize, printing, a full-page screenshot) size the plot to its element:
    // give the element the figure's height, or it falls back to plotly's 450px and the legend spills out.
    if (figure.layout && figure.layout.height) { element.style.height = figure.layout.height + "px"; }
    window.Plotly.newPlot(element, figure.data, figure.layout || {}, config).then(function () {
      addComparisonSwitches(element, figure);
      element.setAttribute("data-drawn", "true");
    });
  }

  function drawAll() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-figure]"), draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
