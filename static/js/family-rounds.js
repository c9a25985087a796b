/*
 * Where the team is on rounds, live, for this child only: "3 children away, expected around
 * 8:40 (in about 25 minutes)", "coming next", "at the bedside now", "done", "over for today".
 * The server sends this child's state (a count, never another child) to the child's room and
 * in the socket's catch-up; the page works the estimate out again every 30 s from the
 * position, when the current child's turn began and the minutes per child, so it never goes
 * stale between changes (rounds.tracker.estimate does the same on the server). The join link
 * comes to this person only, and only from "coming next" until "done".
 */
(function () {
  "use strict";

  var panel = document.getElementById("rounds");
  if (!panel) { return; }
  var panelUrl = window.location.pathname;
  var gettext = window.RoundsWords.gettext;
  var ngettext = window.RoundsWords.ngettext;
  var name = panel.getAttribute("data-child-name");
  var unitZone = panel.getAttribute("data-unit-zone");
  var usualAt = Date.parse(panel.getAttribute("data-usual-start-at"));
  var state = read("data-rounds-state");
  var personal = read("data-rounds-personal");
  var status, estimate, join, joinLink, answer;
  function bind() {
    status = panel.querySelector("[data-rounds-status]");
    estimate = panel.querySelector("[data-rounds-estimate]");
    join = panel.querySelector("[data-rounds-join]");
    joinLink = panel.querySelector("[data-rounds-join-link]");
    answer = panel.querySelector("[data-rounds-answer] details");
  }
  bind();
  var questions = document.querySelector("[data-questions-list]");
  var ROUND_MS = 5 * 60000;
  var OVER_SPREAD_MS = 30000;
  var shown = {};

  function read(attribute, from) {
    try { return JSON.parse((from || panel).getAttribute(attribute)) || {}; } catch (error) { return {}; }
  }

  /* A message about rounds newer than what the page shows: a later rounds, or a later change
   * of the same rounds (a catch-up read behind a push arrives late, and is ignored). */
  function newer(message) {
    if ((message.session || 0) !== (state.session || 0)) { return (message.session || 0) > (state.session || 0); }
    return (message.version || 0) >= (state.version || 0);
  }

  /* The panel as the server makes it now: this person's answer and its form change with the
   * day (after rounds, the answer is for tomorrow's) and when they answer on another phone. */
  var fetchingPanel = false;
  function refreshPanel() {
    if (fetchingPanel) { return; }
    fetchingPanel = true;
    fetch(panelUrl, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        var fresh = html && new DOMParser().parseFromString(html, "text/html").getElementById("rounds");
        if (!fresh) { return; }
        panel.innerHTML = fresh.innerHTML; // our own server-rendered, escaped markup
        state = read("data-rounds-state", fresh);
        personal = read("data-rounds-personal", fresh);
        shown = {};
        bind();
        render();
      })
      .catch(function () { /* the panel stays as it is until the next change */ })
      .finally(function () { fetchingPanel = false; });
  }

  function unitClock(date) {
    try {
      return new Intl.DateTimeFormat("en-GB", {
        timeZone: unitZone, hour: "numeric", minute: "2-digit", hourCycle: "h23"
      }).format(date).replace(/^0(\d)/, "$1");
    } catch (error) { return window.RoundsTime.clock(date); }
  }

  /* Puts ``text`` in ``el`` with a <time> where it says %(time)s; only when it changed, so a
   * screen reader is not told the same thing every 30 s. */
  function say(el, key, text, date) {
    if (shown[el === status ? "status" : "estimate"] === key) { return; }
    shown[el === status ? "status" : "estimate"] = key;
    el.textContent = "";
    var parts = text.split("%(time)s");
    el.appendChild(document.createTextNode(parts[0]));
    if (parts.length > 1 && date) {
      var time = document.createElement("time");
      time.setAttribute("datetime", date.toISOString());
      time.textContent = unitClock(date);
      el.appendChild(time);
      el.appendChild(document.createTextNode(parts.slice(1).join("")));
    }
    window.RoundsTime.refresh(el.parentNode);
  }

  function current() {
    var now = Date.now();
    var s = state.state || "before";
    if (state.ends_by && now >= Date.parse(state.ends_by)) { s = "over"; }
    return s;
  }

  function statusText(s) {
    switch (s) {
      case "before": return gettext("Rounds usually start around %(time)s.");
      case "coming": return ngettext("The team is %(num)s child away.", "The team is %(num)s children away.", state.away);
      case "next": return gettext("The team is coming to %(name)s next.", { name: name });
      case "now": return gettext("The team is at %(name)s's bedside now.", { name: name });
      case "done": return gettext("Rounds on %(name)s are done. The written update will follow.", { name: name });
      case "later": return gettext("The team will come back to %(name)s later.", { name: name });
      case "over": return gettext("Rounds are over for today.");
      default: return gettext("Rounds are under way on the unit.");
    }
  }

  function expected(now) {
    var minutes = state.minutes_per_child;
    var began = Date.parse(state.turn_started_at);
    if (isNaN(began) || !minutes) { return null; }
    var turnEnd = Math.max(began + minutes * 60000, now);
    var at = turnEnd + minutes * 60000 * Math.max(0, state.away - 1);
    at = Math.round(at / ROUND_MS) * ROUND_MS;
    return { at: new Date(at), minutes: Math.max(0, Math.round((at - now) / ROUND_MS)) * 5 };
  }

  function safeLink(link) {
    return typeof link === "string" && /^(https:\/\/|tel:)/.test(link) ? link : null;
  }

  function render() {
    var s = current();
    var now = Date.now();
    panel.className = "rounds-panel rounds-panel--" + s;
    say(status, s + ":" + state.away, statusText(s), s === "before" && !isNaN(usualAt) ? new Date(usualAt) : null);
    var guess = (s === "coming" || s === "next") ? expected(now) : null;
    estimate.hidden = !guess;
    if (guess) {
      say(estimate, guess.at.getTime() + ":" + guess.minutes,
        gettext("Expected around %(time)s") + " " +
        ngettext("(in about %(num)s minute).", "(in about %(num)s minutes).", guess.minutes) + " " +
        gettext("This is an estimate: it moves if the team needs longer."), guess.at);
    }
    var link = safeLink(personal.join_link);
    if (join) {
      // Only from "coming next" until "done": outside that, the link is not kept on the page.
      var showLink = Boolean(link) && (s === "next" || s === "now");
      join.hidden = !showLink;
      joinLink.setAttribute("href", showLink ? link : "#");
      if (!showLink && (s === "done" || s === "over")) { personal.join_link = null; }
    }
    if (answer) { answer.parentNode.hidden = s === "now" || s === "done"; }
  }

  function refreshQuestions() {
    if (!questions) { return; }
    fetch(questions.getAttribute("data-questions-url"), { credentials: "same-origin", cache: "no-store" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (html !== null) { questions.innerHTML = html; } // our own server-rendered, escaped markup
      })
      .catch(function () { /* the list stays as it is until the next change */ });
  }

  render();
  window.setInterval(render, 30000);
  var socket = window.RoundsFamilySocket;
  if (!socket) { return; }
  function heardRounds(message) {
    if (!message || message.patient !== state.patient || !newer(message)) { return; }
    var over = message.state === "over" && state.state !== "over";
    state = message;
    render();
    // The answer form is now for tomorrow's rounds: not urgent, so a unit's phones do not all
    // ask for their page in the same second when rounds end.
    if (over) { window.setTimeout(refreshPanel, Math.random() * OVER_SPREAD_MS); }
  }
  function heardPersonal(message) {
    if (!message || message.patient !== state.patient) { return; }
    var changed = message.answer !== personal.answer || message.may_change !== personal.may_change;
    personal.join_link = message.join_link;
    render();
    if (changed) { personal.answer = message.answer; personal.may_change = message.may_change; refreshPanel(); }
  }
  var heard = window.RoundsFamilyHeard || {};
  heardRounds(heard.rounds);
  heardPersonal(heard.rounds_personal);
  socket.on("rounds", heardRounds);
  socket.on("rounds_personal", heardPersonal);
  socket.on("questions_changed", function (message) {
    if (message && message.patient === state.patient) { refreshQuestions(); }
  });
  socket.on("access_ended", function (message) {
    if (message && message.patient === state.patient) {
      panel.hidden = true;
      var section = document.getElementById("questions");
      if (section) { section.hidden = true; }
    }
  });
})();
