/*
 * "Show earlier updates" where a long stay is shown a page at a time (the staff history, the
 * family's feed). The button is a plain link to the next page, which works without script;
 * with this, that page is fetched and its items are added below the ones shown, in place, so
 * nothing typed or opened is lost, and the focus goes to the first one added.
 *
 * RoundsEarlier.attach(root, options): clicks on options.link inside root. Options:
 *   link, row, status   selectors: the link; its row (replaced by the next page's, or removed
 *                       at the end); the element in the row that says what is happening
 *   list()              the element the items go into
 *   items(page)         the elements of the fetched page to add, in order
 *   nextRow(page)       the fetched page's row, if it has one (more pages)
 *   added(page)         optional: anything else to take from the fetched page
 *   loading, failed     the words to say meanwhile and when it did not work
 */
(function () {
  "use strict";

  if (!window.fetch || !window.DOMParser) { return; }

  function showEarlier(link, options) {
    var row = link.closest(options.row);
    var status = row.querySelector(options.status);
    link.setAttribute("aria-disabled", "true");
    status.textContent = options.loading;
    fetch(link.href, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.text();
      })
      .then(function (html) {
        // The list was replaced meanwhile (the whole feed came again): it has its own link.
        if (!row.isConnected) { return; }
        var page = new DOMParser().parseFromString(html, "text/html");
        var items = options.items(page);
        var list = options.list();
        if (!items || !list) { throw new Error("nothing to show in the answer"); }
        var first = null;
        // Our own server-rendered, escaped markup, moved across documents as it is.
        items.forEach(function (item) {
          var adopted = document.importNode(item, true);
          list.appendChild(adopted);
          if (!first) { first = adopted; }
        });
        if (options.added) { options.added(page); }
        var next = options.nextRow(page);
        if (next) { row.replaceWith(document.importNode(next, true)); } else { row.remove(); }
        if (window.RoundsTime) { window.RoundsTime.refresh(list); }
        if (first) {
          if (!first.hasAttribute("tabindex")) { first.setAttribute("tabindex", "-1"); }
          first.focus();
        }
      })
      .catch(function () {
        link.removeAttribute("aria-disabled");
        status.textContent = options.failed;
      });
  }

  function attach(root, options) {
    root.addEventListener("click", function (event) {
      var link = event.target.closest(options.link);
      if (!link || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey) {
        return;
      }
      event.preventDefault();
      if (link.getAttribute("aria-disabled") !== "true") { showEarlier(link, options); }
    });
  }

  window.RoundsEarlier = { attach: attach };
})();
