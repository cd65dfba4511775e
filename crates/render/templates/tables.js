// Long tables that readers search in (the interviews of a study): a filter
// box above, and each column's heading a button that sorts by it, with
// aria-sort saying how. Without the script the table is simply whole.
(function () {
  "use strict";
  document.querySelectorAll("table.sortable").forEach(function (table, number) {
    var body = table.tBodies[0];
    if (!body) return;
    var rows = Array.prototype.slice.call(body.rows);
    var headings = Array.prototype.slice.call(table.tHead ? table.tHead.rows[0].cells : []);
    var status = document.createElement("p");
    status.className = "table-status";
    status.setAttribute("role", "status");

    var filter = document.createElement("div");
    filter.className = "table-filter";
    var id = "table-filter-" + number;
    filter.innerHTML = '<label for="' + id + '"></label> <input type="search" id="' + id + '">';
    filter.querySelector("label").textContent = "Filter " + (table.getAttribute("data-what") || "rows");
    var box = filter.querySelector("input");
    var region = table.closest(".scroll") || table;
    region.parentNode.insertBefore(filter, region);
    region.parentNode.insertBefore(status, region.nextSibling);

    function keyOf(cell) {
      var text = cell ? cell.textContent.trim() : "";
      var number = Number(text.replace(/[^0-9.\-]/g, ""));
      return cell && cell.classList.contains("num") && text !== "" && !isNaN(number) ? number : text.toLowerCase();
    }
    headings.forEach(function (heading, column) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      button.textContent = heading.textContent;
      heading.textContent = "";
      heading.appendChild(button);
      button.addEventListener("click", function () {
        var ascending = heading.getAttribute("aria-sort") !== "ascending";
        headings.forEach(function (h) { h.removeAttribute("aria-sort"); });
        heading.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        rows.sort(function (a, b) {
          var x = keyOf(a.cells[column]), y = keyOf(b.cells[column]);
          var order = x < y ? -1 : x > y ? 1 : 0;
          return ascending ? order : -order;
        });
        rows.forEach(function (row) { body.appendChild(row); });
        status.textContent = "Sorted by " + button.textContent + (ascending ? ", ascending." : ", descending.");
      });
    });
    box.addEventListener("input", function () {
      var words = box.value.trim().toLowerCase();
      var shown = 0;
      rows.forEach(function (row) {
        var match = !words || row.textContent.toLowerCase().indexOf(words) !== -1;
        row.hidden = !match;
        if (match) shown++;
      });
      status.textContent = words ? shown + " of " + rows.length + " shown." : "";
    });
  });
})();
