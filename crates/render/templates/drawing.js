// Zoom and pan for the drawings (the model, interview maps): each is shown
// to fit its box as far as its text stays readable (12 px or more), with
// buttons to zoom in and out, to fit it again and to see it at its own
// size; "+", "-" and "0" do the same while the drawing has the focus.
// Panning is the box's own scrolling: arrow keys, a finger, a scroll wheel.
// No inline style is written (the workspace's pages forbid it): the SVG's
// own width and height attributes change.
(function () {
  "use strict";
  var SMALLEST_TEXT = 12;
  document.querySelectorAll("figure.diagram").forEach(function (figure, number) {
    var svg = figure.querySelector("svg");
    if (!svg || !svg.viewBox || !svg.viewBox.baseVal || !svg.viewBox.baseVal.width) return;
    var naturalWidth = svg.viewBox.baseVal.width;
    var naturalHeight = svg.viewBox.baseVal.height;
    var sizes = Array.prototype.map.call(svg.querySelectorAll("text[font-size]"), function (t) { return parseFloat(t.getAttribute("font-size")); })
      .filter(function (s) { return s > 0; }).sort(function (a, b) { return a - b; });
    var usual = sizes.length ? sizes[Math.floor(sizes.length / 2)] : SMALLEST_TEXT;
    var readable = Math.min(1, SMALLEST_TEXT / usual);
    var scale = 1;

    var tools = document.createElement("div");
    tools.className = "drawing-tools";
    tools.setAttribute("role", "group");
    tools.setAttribute("aria-label", "Zoom the drawing");
    function button(label, text, act) {
      var b = document.createElement("button");
      b.type = "button";
      b.className = "quiet";
      b.textContent = text;
      b.setAttribute("aria-label", label);
      b.addEventListener("click", act);
      tools.appendChild(b);
      return b;
    }
    var status = document.createElement("span");
    status.className = "zoom-status";
    status.setAttribute("aria-live", "polite");
    status.id = "zoom-status-" + number;

    function fitting() { return Math.max(readable, Math.min(1, (figure.clientWidth - 20) / naturalWidth)); }
    function show(next) {
      scale = Math.max(0.25, Math.min(4, next));
      figure.classList.add("zoomable");
      svg.setAttribute("width", String(Math.round(naturalWidth * scale)));
      svg.setAttribute("height", String(Math.round(naturalHeight * scale)));
      var wider = svg.getBoundingClientRect().width > figure.clientWidth + 1;
      status.textContent = Math.round(scale * 100) + "%" + (wider ? ": wider than the box, scroll to see the rest" : "");
    }
    button("Zoom out", "−", function () { show(scale / 1.25); });
    button("Zoom in", "+", function () { show(scale * 1.25); });
    button("Fit the drawing to its box", "Fit", function () { show(fitting()); });
    button("Show the drawing at its own size", "100%", function () { show(1); });
    tools.appendChild(status);
    figure.parentNode.insertBefore(tools, figure);
    if (!figure.hasAttribute("tabindex")) figure.setAttribute("tabindex", "0");
    figure.setAttribute("aria-describedby", ((figure.getAttribute("aria-describedby") || "") + " " + status.id).trim());
    figure.addEventListener("keydown", function (event) {
      if (event.target !== figure || event.ctrlKey || event.metaKey || event.altKey) return;
      if (event.key === "+" || event.key === "=") { event.preventDefault(); show(scale * 1.25); }
      else if (event.key === "-") { event.preventDefault(); show(scale / 1.25); }
      else if (event.key === "0") { event.preventDefault(); show(fitting()); }
    });
    show(fitting());
  });
})();
