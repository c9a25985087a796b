/*
 * Times as families read them, kept fresh without a reload:
 * - "(12 minutes ago)" after every <time data-relative>;
 * - inside [data-unit-zone], when the reader's own time zone differs from the unit's:
 *   "8:10 today in Miami, 14:10 for you" (the server wrote the unit's time; the browser knows
 *   the reader's zone);
 * - [data-late-after] notices shown once their moment has passed.
 * Words come from the page's catalog (words.js), in the reader's language.
 */
(function () {
  "use strict";

  var words = window.RoundsWords; // words.js, loaded first on every page
  var gettext = words.gettext;
  var ngettext = words.ngettext;
  // In the catalog for this script too: the reader's day when it is not the unit's.
  var WEEKDAYS = [
    gettext("Sunday"), gettext("Monday"), gettext("Tuesday"), gettext("Wednesday"),
    gettext("Thursday"), gettext("Friday"), gettext("Saturday")
  ];

  function ago(date, now) {
    var seconds = Math.round((now - date) / 1000);
    var future = seconds < 0;
    seconds = Math.abs(seconds);
    if (seconds < 60) { return gettext("just now"); }
    var days = Math.floor(seconds / 86400);
    var hours = Math.floor(seconds / 3600);
    var minutes = Math.floor(seconds / 60);
    if (future) {
      if (days) { return ngettext("in %(num)s day", "in %(num)s days", days); }
      if (hours) { return ngettext("in %(num)s hour", "in %(num)s hours", hours); }
      return ngettext("in %(num)s minute", "in %(num)s minutes", minutes);
    }
    if (days) { return ngettext("%(num)s day ago", "%(num)s days ago", days); }
    if (hours) { return ngettext("%(num)s hour ago", "%(num)s hours ago", hours); }
    return ngettext("%(num)s minute ago", "%(num)s minutes ago", minutes);
  }

  /* "14:10": the reader's own clock (they checked it, where they are), 24-hour, Latin digits. */
  function clock(date) {
    var options = { hour: "numeric", minute: "2-digit", hourCycle: "h23" };
    try {
      return date.toLocaleTimeString(words.intl, options);
    } catch (error) {
      return date.toLocaleTimeString("en-GB", options);
    }
  }

  function readerZone() {
    try { return Intl.DateTimeFormat().resolvedOptions().timeZone || null; } catch (error) { return null; }
  }

  // One formatter per zone, made once: a long stay's page has a hundred times, read again
  // every 30 s, and making a formatter costs far more than using one.
  var formats = {};

  function parts(date, zone) {
    // Hour, minute and the date as the zone sees them.
    if (!Object.prototype.hasOwnProperty.call(formats, zone)) {
      formats[zone] = new Intl.DateTimeFormat("en-GB", {
        timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit",
        hour: "2-digit", minute: "2-digit", hourCycle: "h23", weekday: "short"
      });
    }
    var format = formats[zone];
    var out = {};
    format.formatToParts(date).forEach(function (part) { out[part.type] = part.value; });
    out.day = out.year + "-" + out.month + "-" + out.day;
    out.clock = Number(out.hour) + ":" + out.minute;
    return out;
  }

  function yourTime(date, unitZone, zone) {
    var here = parts(date, zone);
    var there = parts(date, unitZone);
    if (here.clock === there.clock && here.day === there.day) { return null; }
    var text = here.clock;
    if (here.day !== there.day) {
      var weekday = new Date(here.day + "T12:00:00Z").getUTCDay();
      text = gettext("%(time)s on %(weekday)s", { time: here.clock, weekday: WEEKDAYS[weekday] });
    }
    return text;
  }

  function showBothZones(el, zone) {
    var holder = el.closest("[data-unit-zone]");
    if (!holder) { return; }
    var unitZone = holder.getAttribute("data-unit-zone");
    var city = holder.getAttribute("data-unit-city");
    if (!zone || !unitZone || zone === unitZone) { return; }
    var date = Date.parse(el.getAttribute("datetime"));
    if (isNaN(date)) { return; }
    if (!el.hasAttribute("data-unit-text")) { el.setAttribute("data-unit-text", el.textContent); }
    var unitText = el.getAttribute("data-unit-text");
    var yours;
    try { yours = yourTime(new Date(date), unitZone, zone); } catch (error) { return; }
    if (!yours) { return; }
    el.textContent = city
      ? gettext("%(unit_time)s in %(city)s, %(your_time)s for you", { unit_time: unitText, city: city, your_time: yours })
      : gettext("%(unit_time)s at the hospital, %(your_time)s for you", { unit_time: unitText, your_time: yours });
  }

  function refresh(root) {
    var now = Date.now();
    var scope = root || document;
    var zoned = scope.querySelectorAll("[data-unit-zone] time[datetime]");
    var zone = zoned.length ? readerZone() : null;
    for (var k = 0; k < zoned.length; k++) { showBothZones(zoned[k], zone); }
    var times = scope.querySelectorAll("time[data-relative]");
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
    var late = scope.querySelectorAll("[data-late-after]");
    for (var j = 0; j < late.length; j++) {
      var after = Date.parse(late[j].getAttribute("data-late-after"));
      if (!isNaN(after)) { late[j].hidden = now <= after; }
    }
  }

  window.RoundsTime = { refresh: refresh, ago: ago, clock: clock };
  document.addEventListener("DOMContentLoaded", function () { refresh(document); });
  setInterval(function () { refresh(document); }, 30000);
})();
