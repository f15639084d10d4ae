// Selector rewriting for scoped widget stylesheets (static/scope.js): pure string functions.
import { test } from "node:test";
import assert from "node:assert/strict";

import { rewriteSelector, splitSelectors } from "../../src/fh_anywidget/static/scope.js";

test("a selector list splits at top-level commas only", () => {
  assert.deepEqual(splitSelectors(':is(a, b) > c, [title="x,y"], d'), [":is(a, b) > c", '[title="x,y"]', "d"]);
});

test("document-root prefixes map onto the view element", () => {
  assert.equal(rewriteSelector(":root"), ":scope");
  assert.equal(rewriteSelector("body"), ":scope");
  assert.equal(rewriteSelector("html body .x"), ":scope .x");
  assert.equal(rewriteSelector("body > h1"), ":scope > h1");
  assert.equal(rewriteSelector("body>h1"), ":scope > h1");
  assert.equal(rewriteSelector("body.dark .x"), ":scope.dark .x"); // still needs the class
  assert.equal(rewriteSelector("html[data-theme=dark] body p"), ":scope[data-theme=dark] p");
});

test("other selectors are left as written", () => {
  for (const s of ["h1", ".body", "bodyish", "* + p", ":is(body.dark) .m", "div body"]) {
    assert.equal(rewriteSelector(s), s);
  }
});
