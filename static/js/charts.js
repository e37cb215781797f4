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

  // Below this width the labels beside the plot's right edge take too much of it: the legend names
  // those lines anyway. Each legend entry then takes a row of its own, so the figure grows for them.
  var NARROW = 640;
  var LEGEND_ROW_HEIGHT = 22;

  function fitToWidth(element, layout, traces) {
    if (element.clientWidth >= NARROW || !layout.legend || layout.legend.orientation !== "h") { return; }
    if (layout.annotations && layout.annotations.length) {
      layout.annotations = [];
      layout.margin.r = 20;
    }
    var shown = traces.filter(function (trace) { return trace.showlegend !== false; });
    var rowsMade = Math.ceil(shown.length / 3);  // charts.py made room for three entries a row
    var rows = shown.reduce(function (sum, trace) {  // a long name is broken over lines (<br>)
      return sum + 1 + ((trace.name || "").match(/<br>/g) || []).length;
    }, 0);
    var extra = LEGEND_ROW_HEIGHT * (rows - rowsMade);
    if (layout.height && extra > 0 && layout.yaxis && layout.margin) {
      layout.height += extra;
      layout.margin.b += extra;
    }
  }

  // The toolbar keeps only "download as PNG", and stays out of the tab order (its links would add a
  // tab stop each; every number is in the tables, with CSV and XLSX downloads).
  function untab(element) {
    Array.prototype.forEach.call(element.querySelectorAll(".modebar a, .modebar button"), function (link) {
      link.setAttribute("tabindex", "-1");
    });
  }

  function draw(element) {
    var figure = readFigure(element.getAttribute("data-figure"));
    if (!figure || !window.Plotly) { return; }
    var config = {
      responsive: true, displaylogo: false, typesetMath: false,
      modeBarButtons: [["toImage"]],
      toImageButtonOptions: { filename: element.id || "chart" }
    };
    var layout = figure.layout || {};
    fitToWidth(element, layout, figure.data);
    // Responsive redraws (a resize, printing, a full-page screenshot) size the plot to its element:
    // give the element the figure's height, or it falls back to plotly's 450px and the legend spills out.
    // (The stylesheet's minimum height holds the place before drawing; drawn, the figure decides.)
    if (layout.height) { element.style.height = layout.height + "px"; element.style.minHeight = "0"; }
    window.Plotly.newPlot(element, figure.data, layout, config).then(function () {
      untab(element);
      element.on("plotly_afterplot", function () { untab(element); });  // plotly redraws the toolbar
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
