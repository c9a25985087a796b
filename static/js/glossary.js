/*
 * The glossary: tap an underlined ICU word in an update to read what it means.
 *
 * The server marks each word as <button class="term" data-term="ecmo"> and puts the
 * explanations, hidden, in elements with data-term-explain (templates/_glossary.html); this
 * shows one of them in the page's single <dialog id="term-dialog">. Clicks are caught on the
 * document, so words in a feed that was replaced live work too. Text is copied with
 * textContent only: the explanation is never read as HTML.
 */
(function () {
  "use strict";

  var opener = null; // the word that opened the dialog, to give focus back to
  var openerTerm = "";

  function dialogElement() {
    return document.getElementById("term-dialog");
  }

  function explanationFor(termId) {
    // Compared one by one rather than put into a selector, so an id is only ever data.
    var sources = document.querySelectorAll("[data-term-explain]");
    for (var i = 0; i < sources.length; i++) {
      if (sources[i].getAttribute("data-term-explain") === termId) { return sources[i]; }
    }
    return null;
  }

  function isOpen(dialog) {
    return dialog.hasAttribute("open");
  }

  function speak(element, source) {
    // An explanation may be in another language than the page (a staff preview, say).
    var lang = source.getAttribute("lang");
    var dir = source.getAttribute("dir");
    if (lang) { element.setAttribute("lang", lang); } else { element.removeAttribute("lang"); }
    if (dir) { element.setAttribute("dir", dir); } else { element.removeAttribute("dir"); }
  }

  function open(button) {
    var dialog = dialogElement();
    var termId = button.getAttribute("data-term");
    var source = explanationFor(termId);
    if (!dialog || !source) { return; }
    var title = dialog.querySelector(".term-dialog__title");
    var text = dialog.querySelector(".term-dialog__text");
    title.textContent = source.getAttribute("data-word") || button.textContent;
    text.textContent = source.textContent;
    speak(title, source);
    speak(text, source);
    opener = button;
    openerTerm = termId;
    if (!isOpen(dialog)) {
      if (typeof dialog.showModal === "function") {
        dialog.showModal();
      } else {
        // Browsers without <dialog> (older phones): shown in place, closed by our own keys.
        dialog.classList.add("term-dialog--fallback");
        dialog.setAttribute("open", "");
      }
    }
    // Focus on the word itself, at the top: with large text the close button can be far
    // below, and focusing it would scroll the explanation out of view.
    dialog.scrollTop = 0;
    title.focus();
  }

  function giveFocusBack() {
    var target = opener;
    // The feed may have been replaced while the dialog was open: find the same word again.
    if (!target || !document.body.contains(target)) {
      target = null;
      var buttons = document.querySelectorAll("button.term");
      for (var i = 0; i < buttons.length; i++) {
        if (buttons[i].getAttribute("data-term") === openerTerm) { target = buttons[i]; break; }
      }
    }
    opener = null;
    if (target) { target.focus(); }
  }

  function close() {
    var dialog = dialogElement();
    if (!dialog || !isOpen(dialog)) { return; }
    if (typeof dialog.close === "function") {
      dialog.close(); // the "close" event gives focus back
    } else {
      dialog.removeAttribute("open");
      giveFocusBack();
    }
  }

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!target || target.nodeType !== 1 || !target.closest) { return; }
    var dialog = dialogElement();
    if (dialog && target === dialog) { close(); return; } // a tap on the backdrop
    if (target.closest("[data-term-close]")) { close(); return; }
    var button = target.closest("button.term[data-term]");
    if (button) { open(button); }
  });

  document.addEventListener("keydown", function (event) {
    // Native dialogs close on Escape by themselves; this is for the fallback.
    var dialog = dialogElement();
    if ((event.key === "Escape" || event.key === "Esc") && dialog && isOpen(dialog) &&
        typeof dialog.showModal !== "function") {
      close();
    }
  });

  // "close" does not bubble, but it can be caught on its way down.
  document.addEventListener("close", function (event) {
    if (event.target === dialogElement()) { giveFocusBack(); }
  }, true);
})();
