/*
 * A child's staff page shows its history a page at a time (a long stay has a hundred
 * versions). "Show earlier updates" is a plain link to the next page; with this script the
 * next page is added below the ones shown instead, and nothing typed in the composer is lost.
 */
(function () {
  "use strict";

  var history = document.getElementById("history");
  if (!history || !window.fetch || !window.DOMParser) { return; }

  function setStatus(row, text) {
    var status = row.querySelector("[data-history-status]");
    if (status) { status.textContent = text; }
  }

  function showEarlier(link) {
    var row = link.closest("[data-history-more-row]");
    link.setAttribute("aria-disabled", "true");
    setStatus(row, "Loading earlier updates…");
    fetch(link.href, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.text();
      })
      .then(function (html) {
        var page = new DOMParser().parseFromString(html, "text/html");
        var items = page.querySelector("[data-history-items]");
        var list = history.querySelector("[data-history-items]");
        if (!items || !list) { throw new Error("no history in the answer"); }
        var first = null;
        // Our own server-rendered, escaped markup, moved across documents as it is.
        while (items.firstElementChild) {
          var item = document.importNode(items.firstElementChild, true);
          items.removeChild(items.firstElementChild);
          list.appendChild(item);
          if (!first) { first = item; }
        }
        var next = page.querySelector("[data-history-more-row]");
        if (next) {
          row.replaceWith(document.importNode(next, true));
        } else {
          row.remove();
        }
        if (window.RoundsTime) { window.RoundsTime.refresh(list); }
        if (first) { first.focus(); }
      })
      .catch(function () {
        link.removeAttribute("aria-disabled");
        setStatus(row, "Could not load earlier updates. Check the connection and try again.");
      });
  }

  history.addEventListener("click", function (event) {
    var link = event.target.closest("[data-history-more]");
    if (!link || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey) {
      return;
    }
    event.preventDefault();
    if (link.getAttribute("aria-disabled") !== "true") { showEarlier(link); }
  });
})();
