/*
 * The composer's plain-language check: a reading level for the family-facing text, and the
 * words families may not know, with plainer ones. Advice only: it never stops typing or
 * posting.
 *
 * Measured over every family-facing field of the form around [data-readability] (summary,
 * plan, milestones, watch-for rows, body-system notes, a correction's reason), in the
 * language chosen in the form's "Written in" select ([name=language]; English without one).
 * The jargon lists come from the server in <script type="application/json" id="jargon-data">
 * (data, never run), keyed by language. Nothing heavy runs at load: the lists are read the
 * first time there is text to check, and a word's expression is built only when the text
 * could contain it, so an empty composer costs a few milliseconds (bench/composer_load.py).
 *
 * Staff screens are English, so the words here are not in the families' catalogs.
 */
(function () {
  "use strict";

  var QUIET_MS = 600; // measure once typing pauses: never on every key, never flooding readers
  var TARGET_GRADE = 6;
  var FAIR_UP_TO = 8;
  var LONG_SENTENCE = 20; // words
  var FEWEST_WORDS = 10; // below this, a reading level says nothing useful
  var MOST_JARGON_SHOWN = 12;
  var FAMILY_TEXT = /^(summary|plan|milestones|reason|note_\w+|watch_(if|then)_\d+)$/;
  var WORD = /[\p{L}\p{N}][\p{L}\p{M}\p{N}'’-]*/gu;

  function plainLetters(text) {
    // "Oxigenación" and "oxigenacion" are the same word to a reader, and to the jargon list.
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "");
  }

  // --- Syllables -------------------------------------------------------------------------

  function numberSyllables(token) {
    // Rough: "4" (four) 1, "12" (twelve) 2, "250" 3 or more: counted as 3.
    var digits = token.replace(/\D/g, "").length;
    return Math.max(1, Math.min(digits, 3));
  }

  function englishSyllables(word) {
    var w = word.toLowerCase().replace(/[’']/g, "").replace(/[^a-z]/g, "");
    if (!w) { return numberSyllables(word); }
    if (w.length <= 3) { return 1; }
    var count = (w.match(/[aeiouy]+/g) || []).length;
    // Silent final e ("make", "whole"), but not "-le" after a consonant ("table", "little").
    if (/[^aeiouy]e$/.test(w) && !/[^aeiouy]le$/.test(w)) { count -= 1; }
    // Silent e before -s ("makes", "tubes"), heard after s, x, z, ch, sh, c, g ("uses", "changes")
    // and in "-les" ("cables").
    else if (/[^aeiouy]es$/.test(w) && !/([sxzcg]|ch|sh|[^aeiouy]l)es$/.test(w)) { count -= 1; }
    // Silent e in "-ed" ("turned", "used"), heard after t and d ("wanted", "needed").
    else if (/[^aeiouytd]ed$/.test(w)) { count -= 1; }
    // Silent e before a suffix: "safely", "completely", "careful", "movement".
    if (/[^aeiouy]e(ly|ment|ments|ful|fully|ness|less)$/.test(w)) { count -= 1; }
    // Two vowels heard apart: "pneumonia", "radio", "period", "actual"; not "-tion", "-cial",
    // "-sion", "-gion" nor "qua", "gua".
    count += (w.match(/[^cgst]i[aou]/g) || []).length;
    count += (w.match(/[^gq]ua/g) || []).length;
    // "-ing" after a vowel is its own syllable: "being", "going", "seeing".
    if (/[aeiouy]ing$/.test(w)) { count += 1; }
    return Math.max(1, count);
  }

  var ES_VOWEL = /[aeiouáéíóúü]/;
  // Strong vowels, and accented í ú, which are heard apart from the next vowel ("dí-a", "ba-úl").
  var ES_STRONG = /[aeoáéóíú]/;

  function spanishSyllables(word) {
    var w = word.toLowerCase().replace(/[^a-záéíóúüñ]/g, "");
    if (!w) { return numberSyllables(word); }
    if (w === "y") { return 1; }
    // A final y after a vowel sounds as i, in the same syllable: "hoy", "muy", "Uruguay".
    w = w.replace(/([aeiouáéíóú])y$/, "$1i");
    var count = 0;
    var previous = null; // the vowel just before, if the previous letter was a vowel
    for (var i = 0; i < w.length; i += 1) {
      var letter = w.charAt(i);
      if (!ES_VOWEL.test(letter)) { previous = null; continue; }
      // A new syllable starts at a vowel after a consonant, and between two strong vowels
      // ("po-e-ta", "le-í-do"). Weak i/u beside another vowel make one syllable with it
      // (diphthongs "bien", "ciudad"; triphthongs "buey").
      if (previous === null || (ES_STRONG.test(previous) && ES_STRONG.test(letter))) {
        count += 1;
      }
      previous = letter;
    }
    return Math.max(1, count);
  }

  function syllables(word, language) {
    return language === "es" ? spanishSyllables(word) : englishSyllables(word);
  }

  // --- Words and sentences ---------------------------------------------------------------

  function sentencesOf(text) {
    // A sentence ends at . ! ? or … before a space or the end ("2.5 mg" stays whole).
    return text.split(/[.!?…]+(?=\s|$)/).filter(function (part) { return /[\p{L}\p{N}]/u.test(part); });
  }

  function wordsOf(text) {
    return text.match(WORD) || [];
  }

  /* Counts for ``text`` in ``language`` ("en" or "es"). */
  function counts(text, language) {
    var sentences = sentencesOf(text);
    var words = 0;
    var syllableCount = 0;
    var longSentences = 0;
    sentences.forEach(function (sentence) {
      var inSentence = wordsOf(sentence);
      words += inSentence.length;
      if (inSentence.length > LONG_SENTENCE) { longSentences += 1; }
      inSentence.forEach(function (word) {
        // "heart-lung" is one word of two parts.
        word.split(/[-]/).forEach(function (part) {
          if (part) { syllableCount += syllables(part, language); }
        });
      });
    });
    return {
      words: words,
      sentences: sentences.length,
      syllables: syllableCount,
      longSentences: longSentences
    };
  }

  /* Flesch–Kincaid grade level (Kincaid et al., 1975). */
  function fleschKincaid(c) {
    return 0.39 * (c.words / c.sentences) + 11.8 * (c.syllables / c.words) - 15.59;
  }

  /*
   * Fernández-Huerta reading ease (1959), as corrected by Law (2011): the second term is
   * average sentence length in words, as in Flesch's formula it adapts. The often-quoted
   * version with "sentences per 100 words" makes shorter sentences score harder.
   *   L = 206.84 − 0.60 × (syllables per 100 words) − 1.02 × (words per sentence)
   */
  function fernandezHuerta(c) {
    return 206.84 - 0.60 * (100 * c.syllables / c.words) - 1.02 * (c.words / c.sentences);
  }

  /*
   * Reading ease to an approximate school grade, after the usual interpretation table for
   * Fernández-Huerta (Spanish school years):
   *   ≥ 90   muy fácil       → grade 4
   *   80–90  fácil           → grade 5
   *   70–80  algo fácil      → grade 6
   *   60–70  normal (adult)  → grades 7–8
   *   50–60  algo difícil    → grades 9–10 (preuniversitario)
   *   30–50  difícil         → grades 11–12 (bachillerato)
   *   < 30   muy difícil     → university
   * ``grade`` is the top of the band, so the advice never flatters the text.
   */
  function spanishGradeFor(ease) {
    if (ease >= 90) { return { grade: 4, label: "about grade 4" }; }
    if (ease >= 80) { return { grade: 5, label: "about grade 5" }; }
    if (ease >= 70) { return { grade: 6, label: "about grade 6" }; }
    if (ease >= 60) { return { grade: 8, label: "about grade 7–8" }; }
    if (ease >= 50) { return { grade: 10, label: "about grade 9–10" }; }
    if (ease >= 30) { return { grade: 12, label: "about grade 11–12 (bachillerato)" }; }
    return { grade: 13, label: "university level" };
  }

  function englishLabel(schoolGrade) {
    var rounded = Math.max(1, Math.round(schoolGrade));
    return rounded > 12 ? "college level" : "about grade " + rounded;
  }

  function stateFor(schoolGrade) {
    if (schoolGrade <= TARGET_GRADE) { return "good"; }
    if (schoolGrade <= FAIR_UP_TO) { return "fair"; }
    return "hard";
  }

  /* Everything the meter shows for ``text`` in ``language``: counts, grade, label, state. */
  function measure(text, language) {
    var c = counts(text, language);
    var result = {
      language: language,
      words: c.words,
      sentences: c.sentences,
      syllables: c.syllables,
      longSentences: c.longSentences,
      grade: null,
      label: "",
      state: "none"
    };
    if (!c.words || (language !== "en" && language !== "es")) { return result; }
    if (language === "es") {
      result.ease = fernandezHuerta(c);
      var band = spanishGradeFor(result.ease);
      result.grade = band.grade;
      result.label = band.label;
    } else {
      result.grade = fleschKincaid(c);
      result.label = englishLabel(result.grade);
    }
    result.state = c.words < FEWEST_WORDS ? "short" : stateFor(Math.max(1, Math.round(result.grade)));
    return result;
  }

  /* The grade alone: Flesch–Kincaid for English, the top of the band for Spanish. */
  function grade(text, language) {
    return measure(text, language || "en").grade;
  }

  // --- Jargon ----------------------------------------------------------------------------

  function escapeRegExp(text) {
    return text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  }

  /*
   * How a jargon word is found, built only when a text could contain it (see findJargon).
   * The match is the word (and a plural ending) standing alone: no letter, mark or digit
   * just before or after it. Those two checks are made here, with one shared class, rather
   * than as lookarounds in each word's regular expression: a [\p{L}\p{M}\p{N}] class
   * costs each expression milliseconds to compile, and the lists have over 300 words
   * (690 ms at load, measured by Lighthouse). Same matches as the lookarounds gave.
   */
  function patternFor(word) {
    var plain = plainLetters(word.trim());
    // Short capitals ("PO", "IV", "NPO") match only as capitals: "po" and "iv" are other words
    // (as in rounds/glossary.py).
    var exactCase = plain.length <= 4 && plain === plain.toUpperCase() && plain !== plain.toLowerCase();
    var tokens = plain.split(/\s+/);
    return {
      word: word,
      // Lower case, as findJargon's quick look compares it (a match contains it).
      firstToken: tokens[0].toLowerCase(),
      source: tokens.map(escapeRegExp).join("\\s+"),
      flags: exactCase ? "gu" : "giu",
      // Plurals too: "ventilators", "bolos", "analíticas".
      plural: !exactCase && /\p{L}$/u.test(plain),
      regexp: null
    };
  }

  var LETTER_OR_DIGIT = /[\p{L}\p{M}\p{N}]/u;
  // The plural endings in the order a regular expression's (?:s|es)? tries them; sticky.
  var PLURAL_ENDINGS = [/s/iuy, /es/iuy];

  function letterOrDigitAt(text, index) {
    if (index < 0 || index >= text.length) { return false; }
    return LETTER_OR_DIGIT.test(String.fromCodePoint(text.codePointAt(index)));
  }

  function letterOrDigitBefore(text, index) {
    var before = index - 1;
    // The code point just before: both halves of a surrogate pair.
    if (before > 0 && /[\uDC00-\uDFFF]/.test(text.charAt(before)) &&
        /[\uD800-\uDBFF]/.test(text.charAt(before - 1))) {
      before -= 1;
    }
    return letterOrDigitAt(text, before);
  }

  /* Where ``pattern`` stands alone in ``haystack``: [{start, end}], left to right. */
  function matchesOf(pattern, haystack) {
    if (!pattern.regexp) { pattern.regexp = new RegExp(pattern.source, pattern.flags); }
    var regexp = pattern.regexp;
    var found = [];
    var match;
    regexp.lastIndex = 0;
    while ((match = regexp.exec(haystack)) !== null) {
      var start = match.index;
      var end = -1;
      if (!letterOrDigitBefore(haystack, start)) {
        var bodyEnd = start + match[0].length;
        var endings = pattern.plural ? PLURAL_ENDINGS : [];
        for (var i = 0; i < endings.length && end === -1; i += 1) {
          endings[i].lastIndex = bodyEnd;
          if (endings[i].test(haystack) && !letterOrDigitAt(haystack, endings[i].lastIndex)) {
            end = endings[i].lastIndex;
          }
        }
        if (end === -1 && !letterOrDigitAt(haystack, bodyEnd)) { end = bodyEnd; }
      }
      if (end === -1) {
        regexp.lastIndex = start + 1; // not alone here: look again from the next letter
      } else {
        found.push({ start: start, end: end });
        regexp.lastIndex = end;
      }
    }
    return found;
  }

  var jargonData = null; // read from the page the first time a text is checked
  var compiled = {};

  function termsFor(language) {
    if (jargonData === null) {
      var dataElement = document.getElementById("jargon-data");
      try {
        jargonData = (dataElement && JSON.parse(dataElement.textContent)) || {};
      } catch (error) {
        jargonData = {};
      }
    }
    if (!compiled[language]) {
      var terms = (jargonData[language] || []).filter(function (term) {
        return term && Array.isArray(term.words) && typeof term.plain === "string";
      });
      compiled[language] = terms.map(function (term) {
        return {
          words: term.words,
          plain: term.plain,
          // A blank word would match everywhere (and never move on): left out.
          patterns: term.words.filter(function (word) { return word && word.trim(); }).map(patternFor)
        };
      });
    }
    return compiled[language];
  }

  /* Jargon in ``text``: [{word, plain}], each term once, in the order it first appears. */
  function findJargon(text, language) {
    var haystack = plainLetters(text);
    if (!/\S/.test(haystack)) { return []; } // nothing written: nothing built or searched
    // A quick look first: a word whose first part is nowhere in the text, in any case, is
    // not searched for (nor its expression built). "ſ" is the one letter that matches "s"
    // without case yet lower-cases to itself.
    var lowered = haystack.toLowerCase().replace(/ſ/g, "s");
    var hits = [];
    termsFor(language).forEach(function (term) {
      term.patterns.forEach(function (pattern) {
        if (lowered.indexOf(pattern.firstToken) === -1) { return; }
        matchesOf(pattern, haystack).forEach(function (where) {
          hits.push({ start: where.start, end: where.end, term: term, word: pattern.word });
        });
      });
    });
    // Earliest first, the longer phrase first where two start together; overlaps dropped
    // ("hemodynamically stable" wins over "stable").
    hits.sort(function (a, b) { return a.start - b.start || (b.end - b.start) - (a.end - a.start); });
    var found = [];
    var seen = [];
    var reached = -1;
    hits.forEach(function (hit) {
      if (hit.start < reached) { return; }
      reached = hit.end;
      if (seen.indexOf(hit.term) !== -1) { return; }
      seen.push(hit.term);
      found.push({ word: hit.word, plain: hit.term.plain });
    });
    return found;
  }

  // --- The page --------------------------------------------------------------------------

  window.RoundsReadability = {
    syllables: syllables,
    counts: counts,
    measure: measure,
    grade: grade,
    fleschKincaid: function (text) { return fleschKincaid(counts(text, "en")); },
    fernandezHuerta: function (text) { return fernandezHuerta(counts(text, "es")); },
    spanishGradeFor: spanishGradeFor,
    findJargon: findJargon
  };

  var meter = document.querySelector("[data-readability]");
  if (!meter) { return; }
  var form = meter.closest("form") || document;

  function asSentence(text) {
    var trimmed = text.trim();
    if (!trimmed) { return ""; }
    return /[.!?…:;]$/.test(trimmed) ? trimmed : trimmed + ".";
  }

  /* What the family will read, as sentences: each line of a field ends a sentence (milestones
   * are one per line), and an "If … / Then …" row reads as one sentence. */
  function familyText() {
    var parts = [];
    var fields = form.querySelectorAll("textarea, input");
    Array.prototype.forEach.call(fields, function (field) {
      if (!FAMILY_TEXT.test(field.name) || !field.value) { return; }
      var row = /^watch_(if|then)_(\d+)$/.exec(field.name);
      if (row) {
        if (row[1] === "then") { return; } // read with its "if"
        var then = form.querySelector('[name="watch_then_' + row[2] + '"]');
        var thenText = then ? then.value.trim() : "";
        parts.push(asSentence(field.value.trim().replace(/[.!?…:;,]$/, "") + (thenText ? ", " + thenText : "")));
        return;
      }
      field.value.split(/\n+/).forEach(function (line) {
        var sentence = asSentence(line);
        if (sentence) { parts.push(sentence); }
      });
    });
    // A "then" typed before its "if".
    Array.prototype.forEach.call(fields, function (field) {
      var row = /^watch_then_(\d+)$/.exec(field.name);
      if (!row || !field.value.trim()) { return; }
      var partner = form.querySelector('[name="watch_if_' + row[1] + '"]');
      if (!partner || !partner.value.trim()) { parts.push(asSentence(field.value)); }
    });
    return parts.join(" ");
  }

  function chosenLanguage() {
    var select = form.querySelector("[name=language]");
    return select && select.value ? select.value : "en";
  }

  var level = meter.querySelector("[data-readability-level]");
  var badge = meter.querySelector("[data-readability-badge]");
  var levelText = meter.querySelector("[data-readability-text]");
  var countsLine = meter.querySelector("[data-readability-counts]");
  var jargonBlock = meter.querySelector("[data-readability-jargon]");
  var jargonList = meter.querySelector("[data-readability-jargon-list]");

  var BADGES = { good: "Easy to read", fair: "Fairly hard", hard: "Hard to read" };

  // Only what changed is touched, so the polite live region announces changes, not repeats.
  function setText(element, text) {
    if (element && element.textContent !== text) { element.textContent = text; }
  }

  function plural(count, one, many) {
    return count + " " + (count === 1 ? one : many);
  }

  function showLevel(result) {
    var state = result.state;
    var text;
    if (result.language !== "en" && result.language !== "es") {
      text = "Reading level is measured for English and Spanish text only.";
      state = "unmeasured";
    } else if (!result.words) {
      text = "Reading level: shown here as you write.";
    } else if (state === "short") {
      text = "Reading level: write a little more to measure it.";
    } else {
      text = "Reading level: " + result.label + " — aim for grade " + TARGET_GRADE + " or lower.";
    }
    if (level.getAttribute("data-state") !== state) { level.setAttribute("data-state", state); }
    var badgeWords = BADGES[state] || "";
    setText(badge, badgeWords);
    badge.hidden = !badgeWords;
    setText(levelText, text);
  }

  function showCounts(result) {
    if (!result.words) { setText(countsLine, ""); countsLine.hidden = true; return; }
    var line = plural(result.words, "word", "words") + " · " +
      plural(result.sentences, "sentence", "sentences") + " · " +
      plural(result.longSentences, "long sentence", "long sentences") + " (over " + LONG_SENTENCE + " words)";
    if (result.language === "es" && typeof result.ease === "number") {
      // The score runs past 100 for very short words and sentences, below 0 for very long.
      line += " · Fernández-Huerta ease " + Math.max(0, Math.min(100, Math.round(result.ease))) + " of 100";
    }
    setText(countsLine, line);
    countsLine.hidden = false;
  }

  function jargonItem(item, language) {
    var li = document.createElement("li");
    var word = document.createElement("span");
    word.className = "readability__word";
    word.textContent = item.word;
    word.lang = language; // read in the text's language, on an English page
    var arrow = document.createElement("span");
    arrow.setAttribute("aria-hidden", "true");
    arrow.textContent = " → ";
    var instead = document.createElement("span");
    instead.className = "visually-hidden";
    instead.textContent = ": try ";
    var plain = document.createElement("span");
    plain.className = "readability__plain";
    plain.textContent = item.plain;
    plain.lang = language;
    li.appendChild(word);
    li.appendChild(arrow);
    li.appendChild(instead);
    li.appendChild(plain);
    return li;
  }

  /* The list changes item by item, so a screen reader hears the new words, not the list again. */
  function showJargon(found, language) {
    var shown = found.slice(0, MOST_JARGON_SHOWN);
    var wanted = shown.map(function (item) {
      return {
        key: language + "\u0000" + item.word + "\u0000" + item.plain,
        make: function () { return jargonItem(item, language); }
      };
    });
    if (found.length > shown.length) {
      var more = "and " + plural(found.length - shown.length, "more word", "more words");
      wanted.push({ key: "more\u0000" + more, make: function () {
        var li = document.createElement("li");
        li.textContent = more;
        return li;
      } });
    }
    var existing = {};
    Array.prototype.forEach.call(jargonList.children, function (li) { existing[li.getAttribute("data-key")] = li; });
    wanted.forEach(function (want, index) {
      var current = jargonList.children[index];
      if (current && current.getAttribute("data-key") === want.key) { return; }
      var li = existing[want.key] || want.make();
      li.setAttribute("data-key", want.key);
      jargonList.insertBefore(li, current || null);
    });
    while (jargonList.children.length > wanted.length) { jargonList.removeChild(jargonList.lastChild); }
    jargonBlock.hidden = found.length === 0;
  }

  function update() {
    var language = chosenLanguage();
    var text = familyText();
    var result = measure(text, language);
    showLevel(result);
    showCounts(result);
    showJargon(language === "en" || language === "es" ? findJargon(text, language) : [], language);
    meter.setAttribute("data-measured-language", language);
  }

  var timer = null;
  function later() {
    if (timer !== null) { window.clearTimeout(timer); }
    timer = window.setTimeout(function () { timer = null; update(); }, QUIET_MS);
  }

  form.addEventListener("input", function (event) {
    if (event.target && FAMILY_TEXT.test(event.target.name || "")) { later(); }
  });
  form.addEventListener("change", function (event) {
    if (event.target && event.target.name === "language") { later(); }
  });
  meter.hidden = false;
  update(); // a form re-rendered with errors, or copied forward, is measured at once
})();
