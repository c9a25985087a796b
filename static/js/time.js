/* Relative times ("12 minutes ago") next to every <time data-relative>, kept fresh. */
(function () {
  "use strict";

  function ago(date, now) {
    var seconds = Math.round((now - date) / 1000);
    var future = seconds < 0;
    seconds = Math.abs(seconds);
    if (seconds < 60) { return "just now"; }
    var units = [[86400, "day"], [3600, "hour"], [60, "minute"]];
    for (var i = 0; i < units.length; i++) {
      if (seconds >= units[i][0]) {
        var count = Math.floor(seconds / units[i][0]);
        var text = count + " " + units[i][1] + (count === 1 ? "" : "s");
        return future ? "in " + text : text + " ago";
      }
    }
    return "just now";
  }

  function refresh(root) {
    var now = Date.now();
    var times = (root || document).querySelectorAll("time[data-relative]");
    for (var i = 0; i < times.length; i++) {
      var el = times[i];
      var date = Date.parse(el.getAttribute("datetime"));
      if (isNaN(date)) { continue; }
      var span = el.nextElementSibling;
      if (!span || !span.classList.contains("ago")) {
        span = document.createElement("span");
        span.className = "ago";
        el.parentNode.insertBefore(span, el.nextSibling);
      }
      span.textContent = " (" + ago(date, now) + ")";
    }
    var late = (root || document).querySelectorAll("[data-late-after]");
    for (var j = 0; j < late.length; j++) {
      var after = Date.parse(late[j].getAttribute("data-late-after"));
      if (!isNaN(after)) { late[j].hidden = now <= after; }
    }
  }

  window.RoundsTime = { refresh: refresh, ago: ago };
  document.addEventListener("DOMContentLoaded", function () { refresh(document); });
  setInterval(function () { refresh(document); }, 30000);
})();
