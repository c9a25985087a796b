/*
 * The family's live page. A push only says "event N exists for child P"; the page then asks
 * the server for everything after the last event it has, so nothing is missed or shown twice,
 * and every read is checked by the server. On (re)connect (sleep, network change, restart)
 * the socket itself says which child and which event the page has, and the server answers
 * with what it missed ("catch_up", the same answer as the events URL).
 *
 * The answer carries what changed as patches: whole cards keyed by their thread (applied
 * twice, they change nothing), cards to remove, and the late notice; only the cards that
 * changed are touched, so what the reader opened, and where the focus is, stay. A page that
 * was away too long, or is of another version or language than the server's, gets the whole
 * feed again ("html"). "Show earlier updates" adds the next ten below.
 */
(function () {
  "use strict";

  var feed = document.getElementById("feed");
  if (!feed) { return; }
  var gettext = window.RoundsWords.gettext; // words.js, loaded first on every page

  // "Show earlier updates": the next ten below the ones shown, from the same page the plain
  // link opens without script (checked and audited there like any read).
  if (window.RoundsEarlier) {
    window.RoundsEarlier.attach(feed, {
      link: "[data-feed-more]",
      row: "[data-feed-more-row]",
      status: "[data-feed-more-status]",
      list: function () { return feed.querySelectorAll("[data-feed-cards]")[1]; },
      items: function (page) {
        var lists = page.querySelectorAll("#feed [data-feed-cards]");
        if (lists.length < 2) { return null; }
        return Array.prototype.filter.call(lists[1].querySelectorAll("article[data-key]"), function (card) {
          return !document.getElementById(card.id); // shown already (it came live)
        });
      },
      nextRow: function (page) { return page.querySelector("#feed [data-feed-more-row]"); },
      added: function (page) {
        var fetched = page.getElementById("feed");
        var terms = fetched.querySelector("[data-feed-terms]");
        if (terms) { addTerms(terms.innerHTML); }
        // Made before a push this page has applied (a retraction, say): that change is asked
        // for again, so the cards just added show it too.
        var madeAt = Number(fetched.getAttribute("data-last-seq"));
        if (onEarlierPage && !isNaN(madeAt)) { onEarlierPage(madeAt); }
      },
      loading: gettext("Loading earlier updates…"),
      failed: gettext("Could not load earlier updates. Check the connection and try again.")
    });
  }

  var onEarlierPage = null; // set below when the page is live

  // Without the socket client the page stays as rendered; a page of earlier updates (opened
  // without script) is not the live feed.
  if (!window.RoundsLive || feed.hasAttribute("data-earlier-page")) { return; }

  var patientId = Number(feed.getAttribute("data-patient"));
  var lastSeq = Number(feed.getAttribute("data-last-seq")) || 0;
  var eventsUrl = feed.getAttribute("data-events-url");
  var pageVersion = feed.getAttribute("data-version") || "";
  var pageLanguage = feed.getAttribute("data-language") || "";
  var unitZone = feed.getAttribute("data-unit-zone");
  var connection = document.getElementById("connection");
  var connectionText = document.getElementById("connection-text");
  var announcer = document.getElementById("announcer");
  var endedNotice = document.getElementById("ended");
  var signedOutNotice = document.getElementById("signed-out");
  var updatedAt = new Date();
  var fetching = false;
  var fetchAgain = false;
  var ended = false;
  var retry = window.RoundsLive.retrying(catchUp);
  var clock = window.RoundsTime.clock; // time.js, loaded before this script

  function setState(state, text) {
    connection.setAttribute("data-state", state);
    connectionText.textContent = text;
  }

  function showConnected() {
    setState("live", gettext("Live · checked at %(time)s", { time: clock(updatedAt) }));
  }

  function showDisconnected() {
    var state = navigator.onLine === false ? "offline" : "reconnecting";
    var text = state === "offline"
      ? gettext("Offline. Showing updates as of %(time)s.", { time: clock(updatedAt) })
      : gettext("Reconnecting… Showing updates as of %(time)s.", { time: clock(updatedAt) });
    setState(state, text);
  }

  function announce(text) {
    // Cleared first so the same words are announced again for a second event.
    announcer.textContent = "";
    window.setTimeout(function () { announcer.textContent = text; }, 50);
  }

  function endAccess() {
    ended = true;
    endedNotice.hidden = false;
    feed.hidden = true;
    setState("offline", gettext("Not receiving updates"));
    if (socket) { socket.disconnect(); }
  }

  function signedOut() {
    ended = true;
    signedOutNotice.hidden = false;
    setState("offline", gettext("Signed out"));
    if (socket) { socket.disconnect(); }
  }

  // A card's place: its "data-key" sorts as the feed does, newest last.
  function keyOf(card) { return card.getAttribute("data-key") || ""; }

  function cardLists() {
    var lists = feed.querySelectorAll("[data-feed-cards]");
    return { latest: lists[0], earlier: lists[1] };
  }

  function parsed(html) {
    var holder = document.createElement("template");
    holder.innerHTML = html; // rendered and escaped by the server's templates
    return holder.content;
  }

  /* What the reader opened in a card, and where their focus was, carried into its new form. */
  function openWithAncestors(details, card) {
    for (var at = details; at && at !== card; at = at.parentElement) {
      if (at.tagName === "DETAILS") { at.open = true; }
    }
  }

  function carryOver(old, card) {
    var opened = old.querySelectorAll("details[open]");
    for (var i = 0; i < opened.length; i++) {
      var same = card.querySelector("details." + opened[i].className.split(" ")[0]);
      if (same) { openWithAncestors(same, card); }
    }
    var focused = document.activeElement;
    if (focused && old.contains(focused)) {
      var again = focused.tagName === "SUMMARY" && focused.parentNode.className
        ? card.querySelector("details." + focused.parentNode.className.split(" ")[0] + " > summary")
        : null;
      if (again) { openWithAncestors(again.parentNode.parentElement, card); }
      return again || card;
    }
    return null;
  }

  function placeCard(card) {
    var lists = cardLists();
    var old = document.getElementById(card.id);
    if (old && old.getAttribute("data-state") === card.getAttribute("data-state")) { return null; }
    var full = card.classList.contains("update--full");
    var list = full ? lists.latest : lists.earlier;
    var key = keyOf(card);
    var more = feed.querySelector("[data-feed-more]");
    // Older than where "Show earlier updates" starts: it comes with those.
    if (!old && !full && more && key < (more.getAttribute("data-before-key") || "")) { return null; }
    var focusHere = old ? carryOver(old, card) : null;
    if (focusHere === card) { card.setAttribute("tabindex", "-1"); }
    if (old) { old.remove(); }
    var next = null;
    var siblings = list.querySelectorAll("article[data-key]");
    for (var i = 0; i < siblings.length; i++) {
      if (keyOf(siblings[i]) < key) { next = siblings[i]; break; }
    }
    list.insertBefore(card, next);
    window.RoundsTime.refresh(card);
    return focusHere;
  }

  function addTerms(html) {
    var holder = feed.querySelector("[data-feed-terms]");
    var sources = parsed(html).querySelectorAll("[data-term-explain]");
    var have = {};
    holder.querySelectorAll("[data-term-explain]").forEach(function (known) {
      have[known.getAttribute("data-term-explain")] = true;
    });
    var box = holder.querySelector(".term-sources");
    if (!box) {
      box = document.createElement("div");
      box.className = "term-sources";
      box.hidden = true;
      holder.appendChild(box);
    }
    for (var i = 0; i < sources.length; i++) {
      if (!have[sources[i].getAttribute("data-term-explain")]) { box.appendChild(sources[i]); }
    }
  }

  /* Sections show what they hold; with no card at all, "no update yet". */
  function showSections() {
    var lists = cardLists();
    var latest = lists.latest.querySelector("article");
    var earlier = lists.earlier.querySelector("article") || feed.querySelector("[data-feed-more]");
    feed.querySelector("[data-feed-latest]").hidden = !latest;
    feed.querySelector("[data-feed-earlier]").hidden = !earlier;
    feed.querySelector("[data-feed-empty]").hidden = Boolean(latest || earlier);
  }

  function patch(body) {
    (body.removed || []).forEach(function (thread) {
      var gone = document.getElementById("update-" + thread);
      if (gone) { gone.remove(); }
    });
    var focusHere = null;
    (body.cards || []).forEach(function (item) {
      var card = parsed(item.html).querySelector("article");
      if (card) { focusHere = placeCard(card) || focusHere; }
    });
    addTerms(body.terms || "");
    var notice = feed.querySelector("[data-feed-notice]");
    notice.innerHTML = body.notice || ""; // server-rendered and escaped
    window.RoundsTime.refresh(notice);
    showSections();
    if (focusHere) { focusHere.focus(); } // once its section shows
  }

  function apply(body) {
    var fresh = body.events.filter(function (event) { return event.seq > lastSeq; });
    updatedAt = new Date();
    var messages = [];
    fresh.forEach(function (event) {
      // No words: a translation into another family member's language; nothing here changed.
      if (event.message && messages.indexOf(event.message) === -1) { messages.push(event.message); }
    });
    if (body.last_seq > lastSeq) {
      lastSeq = body.last_seq;
      feed.setAttribute("data-last-seq", String(lastSeq));
    }
    // Nothing new for this reader (a translation into a relative's language, or an answer
    // already applied): left as it is, so what the reader opened stays open.
    if (!messages.length) { return; }
    if (typeof body.html === "string") {
      // Made by another version of Rounds (an upgrade under way): this script may not be
      // able to patch its markup later, so the page loads that version whole.
      if (body.v && body.v !== pageVersion) { window.location.reload(); return; }
      // The whole feed: this page was away long, or is older than the server's.
      feed.innerHTML = body.html; // rendered and escaped by the server's templates
      window.RoundsTime.refresh(feed);
    } else {
      patch(body);
    }
    announce(messages.join(" "));
  }

  // "Today" in a card is true on the day it was made: after midnight in the unit, the page
  // brings its feed again once, as a first load shows it.
  var bringingWhole = false;
  var broughtFor = null; // the unit's day the feed was last brought again for, successfully

  function unitDay() {
    try {
      var parts = {};
      new Intl.DateTimeFormat("en-GB", { timeZone: unitZone, year: "numeric", month: "2-digit", day: "2-digit" })
        .formatToParts(new Date()).forEach(function (part) { parts[part.type] = part.value; });
      return parts.year + "-" + parts.month + "-" + parts.day; // as the server writes data-day
    } catch (error) {
      return null;
    }
  }

  function checkDay() {
    var today = unitDay();
    if (!today || today === broughtFor || bringingWhole || ended) { return; }
    var cards = feed.querySelectorAll("article[data-day]");
    for (var i = 0; i < cards.length; i++) {
      if (cards[i].getAttribute("data-day") < today) { bringWhole(today); return; }
    }
  }

  function bringWhole(today) {
    bringingWhole = true;
    fetch(window.location.pathname, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.text();
      })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("feed");
        var seq = fresh ? Number(fresh.getAttribute("data-last-seq")) : NaN;
        if (isNaN(seq) || seq < lastSeq) { return; } // not the feed, or older than shown
        lastSeq = seq;
        feed.setAttribute("data-last-seq", String(lastSeq));
        feed.innerHTML = fresh.innerHTML; // our own server-rendered, escaped page
        window.RoundsTime.refresh(feed);
        broughtFor = today; // once a day: a phone whose clock runs ahead would ask every minute
      })
      .catch(function () { /* tried again at the next check */ })
      .finally(function () { bringingWhole = false; });
  }

  /* A page of earlier updates made at event ``madeAt``, older than this page: bring its
   * cards up to date with the changes since (quietly: they were announced when they came). */
  onEarlierPage = function (madeAt) {
    if (madeAt >= lastSeq) { return; }
    askForEvents(madeAt)
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (body) {
        if (!body || typeof body.html === "string") { return; } // away long: the next push
        patch(body);
        if (body.last_seq > lastSeq) { catchUp(); } // and anything newer, the usual way
      })
      .catch(function () { /* the cards stay as that page showed them until the next change */ });
  };

  /* The events after ``after``, asked as this page (its version and language). */
  function askForEvents(after) {
    var query = "?after=" + encodeURIComponent(after) + "&v=" + encodeURIComponent(pageVersion) +
      "&lang=" + encodeURIComponent(pageLanguage);
    return fetch(eventsUrl + query, {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
      cache: "no-store"
    });
  }

  function catchUp() {
    if (ended) { return; }
    if (fetching) { fetchAgain = true; return; }
    fetching = true;
    askForEvents(lastSeq)
      .then(function (response) {
        if (response.status === 404) { endAccess(); return null; }
        if (response.status === 401) { signedOut(); return null; }
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      })
      .then(function (body) {
        retry.succeeded();
        if (body) {
          apply(body);
          if (socket && socket.connected) { showConnected(); }
        }
      })
      .catch(function () {
        // The server is there but could not answer (restarting, say): asked again later.
        showDisconnected();
        retry.failed();
      })
      .finally(function () {
        fetching = false;
        if (fetchAgain) { fetchAgain = false; catchUp(); }
      });
  }

  var socket = window.RoundsLive.connect({
    // Read again at every reconnect, so it is always the last event this page has.
    auth: function (send) { send({ patient: patientId, after: lastSeq, v: pageVersion, lang: pageLanguage }); }
  }, function keepTrying() { return !ended; });
  setState("connecting", gettext("Connecting…"));
  // The rounds panel (family-rounds.js, a later script) listens too. What arrives before it
  // is ready (the catch-up right after connecting, on a slow phone) is kept for it here.
  window.RoundsFamilySocket = socket;
  window.RoundsFamilyHeard = {};
  ["rounds", "rounds_personal"].forEach(function (name) {
    socket.on(name, function (message) { window.RoundsFamilyHeard[name] = message; });
  });

  var caughtUp = false; // this connection brought its catch_up
  socket.on("connect", function () {
    showConnected();
    // The server sends catch_up before it confirms the connect, so it is here by now. A
    // process that does not send it (the older version, during a rolling upgrade) is asked.
    window.setTimeout(function () { if (!caughtUp) { catchUp(); } }, 0);
  });
  socket.on("catch_up", function (body) {
    if (body && body.patient === patientId) {
      caughtUp = true;
      apply(body);
      showConnected();
    }
  });
  socket.on("disconnect", function () {
    caughtUp = false;
    if (!ended) { showDisconnected(); }
  });
  socket.on("connect_error", showDisconnected); // retried by RoundsLive while not ended
  socket.on("family_event", function (note) {
    if (note && note.patient === patientId && note.seq > lastSeq) { catchUp(); }
  });
  socket.on("access_ended", function (note) {
    if (note && note.patient === patientId) { endAccess(); }
  });

  window.addEventListener("offline", showDisconnected);
  window.addEventListener("online", function () {
    if (!socket.connected) { socket.connect(); }
    catchUp();
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") { catchUp(); checkDay(); }
  });
  window.setInterval(checkDay, 60000);
})();
