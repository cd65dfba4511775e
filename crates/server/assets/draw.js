// The rich-picture form's drawing area: a pen and an eraser that work with a
// finger, a pen or a mouse (pointer events). When something was drawn and no
// photo chosen, the drawing is sent as the form's PNG file. Without this
// script the form still uploads a photo.
(function () {
  "use strict";
  var form = document.getElementById("picture-form");
  var canvas = document.getElementById("canvas");
  if (!form || !canvas || !canvas.getContext) return;
  document.getElementById("draw").hidden = false;
  var context = canvas.getContext("2d");
  var pen = document.getElementById("pen");
  var eraser = document.getElementById("eraser");
  var status = document.getElementById("picture-status");
  var erasing = false;
  var drawn = false;
  var last = null;

  function blank() {
    context.fillStyle = "#ffffff";
    context.fillRect(0, 0, canvas.width, canvas.height);
    drawn = false;
  }
  blank();

  function tool(isEraser) {
    erasing = isEraser;
    pen.setAttribute("aria-pressed", isEraser ? "false" : "true");
    eraser.setAttribute("aria-pressed", isEraser ? "true" : "false");
  }
  pen.addEventListener("click", function () { tool(false); });
  eraser.addEventListener("click", function () { tool(true); });
  document.getElementById("clear").addEventListener("click", blank);

  function at(event) {
    var box = canvas.getBoundingClientRect();
    return { x: (event.clientX - box.left) * canvas.width / box.width, y: (event.clientY - box.top) * canvas.height / box.height };
  }
  canvas.addEventListener("pointerdown", function (event) {
    canvas.setPointerCapture(event.pointerId);
    last = at(event);
    event.preventDefault();
  });
  canvas.addEventListener("pointermove", function (event) {
    if (!last) return;
    var here = at(event);
    context.strokeStyle = erasing ? "#ffffff" : "#1d1d1d";
    context.lineWidth = erasing ? 28 : 4;
    context.lineCap = "round";
    context.beginPath();
    context.moveTo(last.x, last.y);
    context.lineTo(here.x, here.y);
    context.stroke();
    last = here;
    drawn = true;
    event.preventDefault();
  });
  ["pointerup", "pointercancel", "pointerleave"].forEach(function (name) {
    canvas.addEventListener(name, function () { last = null; });
  });

  form.addEventListener("submit", function (event) {
    var file = document.getElementById("file");
    if (file.files.length > 0 || !drawn) return;
    event.preventDefault();
    status.textContent = "Sending the drawing…";
    canvas.toBlob(function (blob) {
      var data = new FormData(form);
      data.set("file", blob, "drawing.png");
      fetch(form.action, { method: "POST", body: data, credentials: "same-origin" }).then(function (response) {
        if (response.ok) window.location.href = response.url;
        else response.text().then(function () { status.textContent = "Not added (the server answered " + response.status + "): try again."; });
      }, function () { status.textContent = "Not sent: check the connection and try again."; });
    }, "image/png");
  });
})();
