/*
 * The page's words for scripts, in the reader's language. The server puts the translated
 * words of our scripts in <script type="application/json" id="rounds-words"> (data, never
 * run), read from the same catalogs as the pages. Placeholders look like Python's: %(name)s.
 */
(function () {
  "use strict";

  var catalog = { lang: "en", intl: "en", plurals: ["one", "other"], words: {} };
  var element = document.getElementById("rounds-words");
  if (element) {
    try { catalog = JSON.parse(element.textContent); } catch (error) { /* English, then */ }
  }

  function fill(text, values) {
    if (!values) { return text; }
    return text.replace(/%\((\w+)\)s/g, function (whole, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : whole;
    });
  }

  function gettext(text, values) {
    var found = catalog.words[text];
    return fill(typeof found === "string" ? found : text, values);
  }

  function pluralIndex(count) {
    var category = "other";
    try { category = new Intl.PluralRules(catalog.lang).select(count); } catch (error) { /* other */ }
    var index = catalog.plurals.indexOf(category);
    return index === -1 ? catalog.plurals.length - 1 : index;
  }

  function ngettext(singular, plural, count, values) {
    var forms = catalog.words[singular];
    var text;
    if (Array.isArray(forms)) {
      text = forms[Math.min(pluralIndex(count), forms.length - 1)];
    } else {
      text = count === 1 ? singular : plural;
    }
    var all = { num: count };
    for (var key in values || {}) { all[key] = values[key]; }
    return fill(text, all);
  }

  window.RoundsWords = { gettext: gettext, ngettext: ngettext, lang: catalog.lang, intl: catalog.intl };
})();
