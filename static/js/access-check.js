/*
 * The family's home while a nurse has still to confirm who they are: asks the server once a
 * minute and, when a nurse has answered, says so with a link. It never reloads the page under
 * the reader: a timed refresh sends a screen reader back to the top (WCAG 2.2.1).
 */
(function () {
  "use strict";

  var region = document.querySelector("[data-access-check]");
  if (!region || !window.fetch || !window.DOMParser) { return; }
  var waiting = Number(region.getAttribute("data-waiting"));
  var notice = region.querySelector("[data-access-changed]");
  var timer = window.setInterval(check, 60000);

  function answered(response, html) {
    if (response.redirected) {
      // Only one child left to follow: the server sends the phone straight to their page.
      return response.url.indexOf("/family/children/") !== -1;
    }
    var page = new DOMParser().parseFromString(html, "text/html");
    return page.querySelectorAll(".waiting-family").length < waiting;
  }

  function check() {
    fetch(window.location.href, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (!response.ok) { return null; }
        return response.text().then(function (html) {
          if (answered(response, html)) {
            notice.hidden = false; // inside a role="status" region: read out
            window.clearInterval(timer);
          }
        });
      })
      .catch(function () { /* offline for a moment: the next minute tries again */ });
  }
})();
