// Live capture: the map typed with the keyboard in front of the interviewee
// and drawn as it grows. Enter starts a concept at the same level, Tab puts
// it under the one above, Shift+Tab moves it up; `#` offers codes and `@`
// attendees. The text is kept on this device at every keystroke and as a
// draft on the server every few seconds, so nothing typed is lost.
(function () {
  "use strict";
  var root = document.getElementById("capture");
  if (!root) return;
  var outline = document.getElementById("outline");
  var map = document.getElementById("map");
  var status = document.getElementById("status");
  var problemsList = document.getElementById("problems");
  var listbox = document.getElementById("suggestions");
  var saveButton = document.getElementById("save");
  var study = root.dataset.study;
  var interview = root.dataset.interview;
  var csrf = root.dataset.csrf;
  var exists = root.dataset.exists === "true";
  var version = parseInt(root.dataset.version, 10) || 0;
  var path = "interviews/" + interview + ".md";
  var draftUrl = "/api/studies/" + study + "/interviews/" + encodeURIComponent(interview) + "/draft";
  var localKey = "collabmap-draft:" + study + ":" + interview;
  var saved = document.getElementById("saved-text").value;
  var parts = split(saved);
  var options = { "#": readOptions("codes"), "@": readOptions("attendees") };
  var sentText = null;
  var previewTimer = null;
  var suggestion = null;

  function readOptions(id) {
    return Array.prototype.map.call(document.querySelectorAll("#" + id + " option"), function (o) {
      return { value: o.value, label: o.textContent };
    });
  }

  // The file around its map: what comes before the map's items, the items, and what follows.
  function split(text) {
    var heading = /^# +map[ \t]*$/im.exec(text);
    if (!heading) return { head: text.replace(/\s*$/, "\n\n# Map\n\n"), body: "", tail: "" };
    var after = heading.index + heading[0].length;
    var rest = text.slice(after);
    var lead = /^\s*/.exec(rest)[0];
    var next = /^# /m.exec(rest.slice(lead.length));
    var end = next ? lead.length + next.index : rest.length;
    return { head: text.slice(0, after) + lead, body: rest.slice(lead.length, end), tail: rest.slice(end) };
  }

  function compose() {
    var body = outline.value;
    if (body === parts.body.replace(/\n+$/, "")) body = parts.body;
    else body = body.replace(/\n+$/, "") + (parts.tail ? "\n\n" : "\n");
    return parts.head + body + parts.tail;
  }

  function setStatus(message) {
    status.textContent = message;
  }

  function request(method, url, body) {
    return fetch(url, {
      method: method,
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: body === undefined ? undefined : JSON.stringify(body)
    }).then(function (response) {
      return response.text().then(function (raw) {
        var data = null;
        try { data = raw ? JSON.parse(raw) : null; } catch (e) { data = null; }
        return { status: response.status, data: data };
      });
    });
  }

  function keepLocally() {
    try { localStorage.setItem(localKey, JSON.stringify({ text: compose(), at: Date.now() })); } catch (e) { /* storage full or off */ }
  }

  function forgetLocally() {
    try { localStorage.removeItem(localKey); } catch (e) { /* nothing kept */ }
  }

  function sendDraft() {
    var text = compose();
    if (text === sentText) return;
    request("PUT", draftUrl, { text: text }).then(function (reply) {
      if (reply.status === 200) {
        sentText = text;
        setStatus(reply.data && reply.data.same_as_saved ? "No changes since the last save." : "Draft kept on the server at " + new Date().toLocaleTimeString() + ".");
      } else {
        setStatus("Draft kept on this device only (the server answered " + reply.status + ").");
      }
    }, function () {
      setStatus("Offline: the draft is kept on this device and will be sent when the connection is back.");
    });
  }

  // Which line of the file the caret is on, so the drawing can show that concept.
  function caretLine() {
    var before = outline.value.slice(0, outline.selectionStart);
    return parts.head.split("\n").length - 1 + before.split("\n").length;
  }

  function preview() {
    request("POST", "/api/studies/" + study + "/preview", { path: path, text: compose() }).then(function (reply) {
      if (reply.status !== 200 || !reply.data) return;
      if (reply.data.svg) {
        map.innerHTML = reply.data.svg;
        var here = map.querySelector('[data-line="' + caretLine() + '"]');
        if (here && here.scrollIntoView) here.scrollIntoView({ block: "nearest", inline: "nearest" });
      }
      problemsList.innerHTML = "";
      (reply.data.problems || []).forEach(function (p) {
        var item = document.createElement("li");
        item.textContent = "Line " + p.line + ": " + p.message;
        problemsList.appendChild(item);
      });
    });
  }

  function changed() {
    keepLocally();
    clearTimeout(previewTimer);
    previewTimer = setTimeout(preview, 300);
    offer();
  }

  // The line the caret is on: where it starts and its text.
  function currentLine() {
    var value = outline.value;
    var start = value.lastIndexOf("\n", outline.selectionStart - 1) + 1;
    var end = value.indexOf("\n", start);
    if (end < 0) end = value.length;
    return { start: start, end: end, text: value.slice(start, end) };
  }

  function replaceRange(start, end, text, caret) {
    outline.setRangeText(text, start, end, "end");
    if (caret !== undefined) outline.setSelectionRange(caret, caret);
    changed();
  }

  function newConcept() {
    var line = currentLine();
    var indent = /^ */.exec(line.text)[0];
    var at = outline.selectionStart;
    replaceRange(at, outline.selectionEnd, "\n" + indent + "- ");
  }

  function shift(deeper) {
    var line = currentLine();
    var caret = outline.selectionStart;
    if (deeper) {
      replaceRange(line.start, line.start, "  ", caret + 2);
    } else {
      var remove = Math.min(2, /^ */.exec(line.text)[0].length);
      if (remove > 0) replaceRange(line.start, line.start + remove, "", Math.max(line.start, caret - remove));
    }
  }

  // `#` or `@` just before the caret, with what has been typed after it.
  function trigger() {
    var before = outline.value.slice(currentLine().start, outline.selectionStart);
    var found = /(^|\s)([#@])([A-Za-z0-9_\-\/.]*)$/.exec(before);
    if (!found) return null;
    return { mark: found[2], typed: found[3], start: outline.selectionStart - found[3].length };
  }

  function offer() {
    var at = trigger();
    var choices = at ? options[at.mark].filter(function (o) {
      var typed = at.typed.toLowerCase();
      return o.value.toLowerCase().indexOf(typed) === 0 || o.label.toLowerCase().indexOf(typed) >= 0;
    }).slice(0, 8) : [];
    if (!at || choices.length === 0) return closeOffer();
    suggestion = { at: at, choices: choices, chosen: 0 };
    drawOffer();
  }

  function drawOffer() {
    listbox.innerHTML = "";
    suggestion.choices.forEach(function (choice, index) {
      var item = document.createElement("li");
      item.id = "suggestion-" + index;
      item.setAttribute("role", "option");
      item.setAttribute("aria-selected", index === suggestion.chosen ? "true" : "false");
      item.textContent = suggestion.at.mark + choice.value + (choice.label && choice.label !== choice.value ? " — " + choice.label : "");
      item.addEventListener("mousedown", function (event) { event.preventDefault(); suggestion.chosen = index; accept(); });
      listbox.appendChild(item);
    });
    listbox.hidden = false;
    outline.setAttribute("aria-expanded", "true");
    outline.setAttribute("aria-activedescendant", "suggestion-" + suggestion.chosen);
  }

  function closeOffer() {
    suggestion = null;
    listbox.hidden = true;
    outline.setAttribute("aria-expanded", "false");
    outline.removeAttribute("aria-activedescendant");
  }

  function accept() {
    var choice = suggestion.choices[suggestion.chosen];
    var start = suggestion.at.start;
    closeOffer();
    replaceRange(start, outline.selectionStart, choice.value + " ");
    closeOffer();
  }

  outline.addEventListener("keydown", function (event) {
    if (suggestion) {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        var count = suggestion.choices.length;
        suggestion.chosen = (suggestion.chosen + (event.key === "ArrowDown" ? 1 : count - 1)) % count;
        drawOffer();
        return;
      }
      if (event.key === "Enter" || event.key === "Tab") { event.preventDefault(); accept(); return; }
      if (event.key === "Escape") { event.preventDefault(); closeOffer(); return; }
    }
    if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "s") { event.preventDefault(); save(); return; }
    if (event.key === "Enter" && !event.shiftKey && !event.ctrlKey && !event.altKey && !event.metaKey) { event.preventDefault(); newConcept(); return; }
    if (event.key === "Tab" && !event.ctrlKey && !event.altKey && !event.metaKey) { event.preventDefault(); shift(!event.shiftKey); }
  });
  outline.addEventListener("input", changed);
  outline.addEventListener("blur", function () { setTimeout(closeOffer, 100); });

  function save() {
    var text = compose();
    saveButton.disabled = true;
    setStatus("Saving…");
    var done = exists
      ? request("PUT", "/api/studies/" + study + "/interviews/" + encodeURIComponent(interview), { text: text, version: version, message: "Captured live in the interview" })
      : request("POST", "/api/studies/" + study + "/interviews", { id: interview, text: text });
    done.then(function (reply) {
      saveButton.disabled = false;
      if (reply.status === 200 || reply.status === 201) {
        version = reply.data.version;
        exists = true;
        saved = text;
        parts = split(text);
        sentText = text;
        forgetLocally();
        setStatus("Saved: the interview is now part of the study (version " + version + ").");
      } else if (reply.status === 422) {
        setStatus("Not saved: fix the problems listed below; the draft is kept meanwhile.");
        problemsList.innerHTML = "";
        (reply.data.problems || []).forEach(function (p) {
          var item = document.createElement("li");
          item.textContent = p.text;
          problemsList.appendChild(item);
        });
      } else {
        setStatus("Not saved: " + ((reply.data && reply.data.error) || "the server answered " + reply.status) + ". The draft is kept.");
      }
    }, function () {
      saveButton.disabled = false;
      setStatus("Offline: not saved yet. The draft is kept on this device.");
    });
  }
  saveButton.addEventListener("click", save);

  // The newest of the saved text, the server's draft and this device's copy.
  function restore(serverDraft) {
    var local = null;
    try { local = JSON.parse(localStorage.getItem(localKey) || "null"); } catch (e) { local = null; }
    var best = { text: saved, at: 0, from: "" };
    if (serverDraft && serverDraft.text !== saved) best = { text: serverDraft.text, at: Date.parse(serverDraft.saved_at) || 1, from: "the draft kept on the server" };
    if (local && local.text !== saved && local.at > best.at) best = { text: local.text, at: local.at, from: "the draft kept on this device" };
    parts = split(best.text);
    outline.value = parts.body.replace(/\n+$/, "");
    if (best.from) setStatus("Restored " + best.from + ": it is not part of the study until you save it.");
    sentText = serverDraft ? serverDraft.text : null;
    preview();
    outline.focus();
    outline.setSelectionRange(outline.value.length, outline.value.length);
  }

  request("GET", draftUrl).then(function (reply) {
    restore(reply.status === 200 ? reply.data : null);
  }, function () { restore(null); });
  setInterval(sendDraft, 3000);
  window.addEventListener("online", sendDraft);
})();
