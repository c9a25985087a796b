/*
 * A child's staff page shows its history a page at a time (a long stay has a hundred
 * versions). "Show earlier updates" is a plain link to the next page; with this script the
 * next page is added below the ones shown instead, and nothing typed in the composer is lost
 * (static/js/earlier.js, loaded first).
 */
(function () {
  "use strict";

  var history = document.getElementById("history");
  if (!history || !window.RoundsEarlier) { return; }

  window.RoundsEarlier.attach(history, {
    link: "[data-history-more]",
    row: "[data-history-more-row]",
    status: "[data-history-status]",
    list: function () { return history.querySelector("[data-history-items]"); },
    items: function (page) {
      var items = page.querySelector("[data-history-items]");
      return items ? Array.prototype.slice.call(items.children) : null;
    },
    nextRow: function (page) { return page.querySelector("[data-history-more-row]"); },
    loading: "Loading earlier updates…",
    failed: "Could not load earlier updates. Check the connection and try again."
  });
})();
