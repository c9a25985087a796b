// ESLint for Rounds' browser scripts (static/js): run by scripts/test.sh after ruff.
// They are plain scripts loaded with <script defer> (no modules, no build step), each an IIFE
// in strict mode that shares only what it puts on window (words.js: RoundsWords, time.js:
// RoundsTime, live-socket.js: RoundsLive, readability.js: RoundsReadability).
"use strict";

const js = require("@eslint/js");
const globals = require("globals");
const promise = require("eslint-plugin-promise");

module.exports = [
  {
    // The vendored socket.io client is someone else's minified code; bench/node is Node.
    ignores: ["static/js/vendor/**", "bench/**", "node_modules/**", ".venv/**"],
  },
  js.configs.recommended,
  {
    files: ["static/js/**/*.js"],
    languageOptions: {
      // ES2018 is the newest syntax the scripts use (/\p{L}/u in readability.js): newer
      // syntax would be the first thing an older phone's browser cannot read.
      ecmaVersion: 2018,
      sourceType: "script",
      globals: {
        ...globals.browser,
        io: "readonly", // static/js/vendor/socket.io.min.js
        RoundsWords: "readonly",
        RoundsTime: "readonly",
        RoundsLive: "readonly",
        RoundsReadability: "readonly",
      },
    },
    plugins: { promise },
    rules: {
      // Every fetch (every promise chain) ends in a .catch, or a .finally after one: a page
      // that silently does nothing when the network is away is the bug this catches.
      "promise/catch-or-return": ["error", { allowFinally: true }],
      "promise/valid-params": "error",
      eqeqeq: ["error", "always"],
      curly: ["error", "all"],
      strict: ["error", "function"], // "use strict" at the top of each script's IIFE
      "no-implicit-globals": "error", // a top-level var or function would land on window
      "no-unused-vars": ["error", { args: "after-used", caughtErrors: "none" }],
      "no-shadow": ["error", { builtinGlobals: false }],
      "no-use-before-define": ["error", { functions: false, classes: false, variables: false }],
      // Browser globals that are easy to use by mistake for a missing local ("status" is
      // window.status, "name" window.name): write window.X when it is meant.
      "no-restricted-globals": [
        "error",
        "event", "name", "status", "length", "close", "open", "parent", "top", "self",
        "history", "origin", "stop", "print", "find",
      ],
    },
  },
  {
    files: ["eslint.config.js"],
    languageOptions: { sourceType: "commonjs", globals: globals.node },
  },
];
