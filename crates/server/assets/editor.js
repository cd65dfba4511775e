// The workspace editor: live map preview, problems at their lines, and
// saving with a version so that no one overwrites a colleague unawares.
// Plain JavaScript, served by the workspace itself: no framework, no CDN.
(function () {
  "use strict";
  var root = document.getElementById("editor");
  if (!root) return;
  var text = document.getElementById("text");
  var gutter = document.getElementById("gutter");
  var preview = document.getElementById("preview");
  var problemsList = document.getElementById("problems");
  var status = document.getElementById("status");
  var saveButton = document.getElementById("save");
  var saveMessage = document.getElementById("save-message");
  var conflict = document.getElementById("conflict");
  var version = parseInt(root.dataset.version, 10) || 0;
  var path = root.dataset.path;
  var csrf = root.dataset.csrf;
  var saved = text.value;
  var timer = null;
  var asked = 0;

  function setStatus(message, kind) {
    status.textContent = message;
    status.className = kind || "";
  }

  function json(method, url, body) {
    return fetch(url, {
      method: method,
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: body === undefined ? undefined : JSON.stringify(body)
    }).then(function (response) {
      return response.text().then(function (raw) {
        var data = null;
        try { data = raw ? JSON.parse(raw) : null; } catch (e) { data = { error: raw }; }
        return { status: response.status, data: data };
      });
    });
  }

  function drawGutter(problems) {
    var bad = {};
    (problems || []).forEach(function (p) { if (p.path === path) bad[p.line] = p.message; });
    var lines = text.value.split("\n").length;
    var html = [];
    for (var i = 1; i <= lines; i++) {
      html.push(bad[i] ? '<span class="bad" title="' + escapeHtml(bad[i]) + '">⚠' + i + "</span>" : String(i));
    }
    gutter.innerHTML = html.join("\n");
    gutter.scrollTop = text.scrollTop;
  }

  function escapeHtml(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function goToLine(line) {
    var lines = text.value.split("\n");
    var start = 0;
    for (var i = 0; i < line - 1 && i < lines.length; i++) start += lines[i].length + 1;
    text.focus();
    text.setSelectionRange(start, start + (lines[line - 1] || "").length);
    var height = text.scrollHeight / Math.max(lines.length, 1);
    text.scrollTop = Math.max(0, (line - 5) * height);
  }

  // Each problem is a button: Enter or a click takes the caret to its line.
  function showProblems(problems) {
    problemsList.innerHTML = "";
    if (!problems || problems.length === 0) {
      problemsList.innerHTML = '<li class="none">None found.</li>';
    } else {
      problems.forEach(function (p) {
        var item = document.createElement("li");
        item.dataset.line = p.line;
        var here = p.path === path;
        var target = document.createElement(here ? "button" : "span");
        if (here) {
          target.type = "button";
          target.className = "problem";
          target.addEventListener("click", function () { goToLine(p.line); });
        }
        target.innerHTML = '<span class="icon" aria-hidden="true">⚠</span> <span class="visually-hidden">Problem: </span>';
        target.appendChild(document.createTextNode(p.text));
        item.appendChild(target);
        problemsList.appendChild(item);
      });
    }
    drawGutter(problems);
  }

  function refresh() {
    var ticket = ++asked;
    json("POST", root.dataset.preview, { path: path, text: text.value }).then(function (reply) {
      if (ticket !== asked || reply.status !== 200) return;
      if (preview && reply.data.svg) {
        preview.innerHTML = reply.data.svg;
        fit(preview.querySelector("svg"));
        showCaretConcept();
      }
      showProblems(reply.data.problems);
    });
  }

  // The drawing keeps its own size, so that its text stays at 12 px: a wide
  // map scrolls in the pane, and the concept at the caret is scrolled into view.
  function fit(svg) {
    if (!svg) return;
    svg.classList.add("natural-size");
  }

  // The concept on the caret's line is marked in the drawing and scrolled
  // into view, so a new one is never drawn out of sight.
  function showCaretConcept() {
    if (!preview) return;
    var line = text.value.substring(0, text.selectionStart).split("\n").length;
    var previous = preview.querySelector(".typing");
    if (previous) previous.classList.remove("typing");
    var node = preview.querySelector('g.concept[data-line="' + line + '"]');
    if (!node) return;
    node.classList.add("typing");
    var box = node.getBoundingClientRect(), pane = preview.getBoundingClientRect();
    if (box.left < pane.left || box.right > pane.right) preview.scrollLeft += box.left - pane.left - (pane.width - box.width) / 2;
    if (box.top < pane.top || box.bottom > pane.bottom) preview.scrollTop += box.top - pane.top - (pane.height - box.height) / 2;
  }
  text.addEventListener("keyup", function (event) {
    if (event.key.indexOf("Arrow") === 0 || event.key === "Home" || event.key === "End" || event.key === "PageUp" || event.key === "PageDown") showCaretConcept();
  });
  text.addEventListener("click", showCaretConcept);

  function dirty() {
    return text.value !== saved;
  }

  text.addEventListener("input", function () {
    setStatus(dirty() ? "Unsaved changes" : "Version " + version, dirty() ? "dirty" : "");
    drawGutter([]);
    clearTimeout(timer);
    timer = setTimeout(refresh, 250);
  });
  text.addEventListener("scroll", function () { gutter.scrollTop = text.scrollTop; });
  // In a Markdown document Tab and Shift+Tab indent and outdent the lines
  // the caret is on (a bullet moves under the one above, or back out). Esc
  // then Tab leaves the text box, as the hint below it says.
  var indents = root.dataset.kind === "interview" || root.dataset.kind === "memo";
  var escaped = false;
  function shiftLines(deeper) {
    var value = text.value;
    var from = value.lastIndexOf("\n", text.selectionStart - 1) + 1;
    var endAt = value.indexOf("\n", Math.max(text.selectionEnd - (text.selectionEnd > text.selectionStart ? 1 : 0), from));
    var to = endAt === -1 ? value.length : endAt;
    var lines = value.slice(from, to).split("\n");
    var start = text.selectionStart, end = text.selectionEnd;
    var first = 0, total = 0;
    var changed = lines.map(function (line, i) {
      var delta;
      var next;
      if (deeper) { next = "  " + line; delta = 2; }
      else { var cut = line.startsWith("  ") ? 2 : (line.startsWith(" ") ? 1 : 0); next = line.slice(cut); delta = -cut; }
      if (i === 0) first = delta;
      total += delta;
      return next;
    });
    text.setRangeText(changed.join("\n"), from, to, "preserve");
    text.setSelectionRange(Math.max(from, start + first), Math.max(from, end + total));
    text.dispatchEvent(new Event("input"));
  }
  text.addEventListener("keydown", function (event) {
    if ((event.ctrlKey || event.metaKey) && event.key === "s") {
      event.preventDefault();
      save(version);
      return;
    }
    if (event.key === "Escape") { escaped = true; return; }
    if (event.key === "Tab" && indents && !escaped && !event.ctrlKey && !event.altKey && !event.metaKey && !text.readOnly) {
      event.preventDefault();
      shiftLines(!event.shiftKey);
    }
    if (event.key !== "Shift") escaped = false;
  });

  // The delete form (memos) names the version it deletes: the one on screen.
  function keepDeleteCurrent() {
    var field = document.getElementById("delete-version");
    if (field) field.value = version;
  }

  function save(over) {
    if (!saveButton) return;
    saveButton.disabled = true;
    setStatus("Saving…");
    var sent = text.value;
    var body = { text: sent, version: over };
    // The reason typed beside the button goes into the history with this save, and only this one.
    if (saveMessage && saveMessage.value.trim()) body.message = saveMessage.value.trim();
    json("PUT", root.dataset.save, body).then(function (reply) {
      saveButton.disabled = false;
      if (reply.status === 200 || reply.status === 201) {
        version = reply.data.version;
        saved = sent;
        if (saveMessage) saveMessage.value = "";
        keepDeleteCurrent();
        conflict.hidden = true;
        setStatus(dirty() ? "Saved version " + version + "; newer edits unsaved" : "Saved · version " + version, "saved");
        showProblems([]);
      } else if (reply.status === 409) {
        conflict.hidden = false;
        conflict.dataset.version = reply.data.version;
        setStatus("Not saved: changed by someone else", "failed");
      } else if (reply.status === 422) {
        showProblems(reply.data.problems);
        setStatus("Not saved: " + reply.data.error, "failed");
      } else if (reply.status === 401) {
        setStatus("Not saved: your session ended; sign in again in another tab, then save", "failed");
      } else {
        setStatus("Not saved: " + ((reply.data && reply.data.error) || "error " + reply.status), "failed");
      }
    }, function () {
      saveButton.disabled = false;
      setStatus("Not saved: the workspace cannot be reached", "failed");
    });
  }

  if (saveButton) saveButton.addEventListener("click", function () { save(version); });
  document.getElementById("keep-mine").addEventListener("click", function () {
    save(parseInt(conflict.dataset.version, 10) || 0);
  });
  document.getElementById("load-theirs").addEventListener("click", function () {
    fetch(root.dataset.save, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (data) {
      text.value = data.text;
      saved = data.text;
      version = data.version;
      keepDeleteCurrent();
      conflict.hidden = true;
      setStatus("Loaded version " + version);
      refresh();
    });
  });
  window.addEventListener("beforeunload", function (event) {
    if (dirty()) { event.preventDefault(); event.returnValue = ""; }
  });

  drawGutter([]);
  refresh();
  // An evidence page links a mention to its line here: `…/edit/interviews/i07#L12` selects line 12.
  var wanted = /^#L(\d+)$/.exec(window.location.hash);
  if (wanted) goToLine(parseInt(wanted[1], 10));
})();
