// Keeping a widget's stylesheet inside its views. Widgets are written for a notebook cell and
// often style global selectors (`body`, `h1`, `*`, `:root`); on a page of an app those would
// restyle the app. A loaded sheet is rewritten in place, through the CSSOM, into
// `@scope (fh-anywidget) { … }`: rules then match only inside views, and a rule aimed at the
// document root (`:root`, `html`, `body`) applies to the view element instead, so custom
// properties and inherited fonts a widget sets there still reach its elements.

export const SCOPE_ROOT = "fh-anywidget";

// A leading run of compounds naming the document root, e.g. `html body`, `:root`, `body.dark >`.
const ROOT_RUN = /^\s*(?:(?:html|body|:root)(?![\w-])[^\s>+~]*\s*(?:[>+~]\s*)?)+/i;

/** Split a selector list at its top-level commas (not inside parentheses, brackets or strings). */
export function splitSelectors(text) {
  const parts = [];
  let depth = 0;
  let quote = null;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === "\\") i++;
      else if (c === quote) quote = null;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === "(" || c === "[") depth++;
    else if (c === ")" || c === "]") depth--;
    else if (c === "," && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts.map((part) => part.trim()).filter(Boolean);
}

const ROOT_COMPOUND = /(?:html|body|:root)(?![\w-])([^\s>+~]*)/gi;

/** One selector with its document-root prefix mapped onto the scope root (`:scope`). Qualifiers
 * stay: `body.dark .x` becomes `:scope.dark .x`, which (rightly) matches nothing on a light page. */
export function rewriteSelector(selector) {
  const match = ROOT_RUN.exec(selector);
  if (!match) return selector;
  const qualifiers = Array.from(match[0].matchAll(ROOT_COMPOUND), (m) => m[1]).join("");
  const root = `:scope${qualifiers}`;
  const rest = selector.slice(match[0].length).trim();
  if (!rest) return root;
  // `body > .x` keeps its combinator relative to the view element; `body .x` is a descendant.
  const combinator = /[>+~]\s*$/.exec(match[0].trim())?.[0].trim() ?? "";
  return combinator ? `${root} ${combinator} ${rest}` : `${root} ${rest}`;
}

// At-rules that define names (fonts, animations, properties) rather than style elements: they
// stay global, as they cannot be scoped and restyle nothing by themselves.
const GLOBAL_RULES = ["CSSFontFaceRule", "CSSKeyframesRule", "CSSPropertyRule",
  "CSSCounterStyleRule", "CSSFontFeatureValuesRule", "CSSFontPaletteValuesRule", "CSSPageRule"];

function isGlobal(rule) {
  return GLOBAL_RULES.some((name) => globalThis[name] && rule instanceof globalThis[name]);
}

/** The text of `rule` with every style rule in it wrapped in `@scope`. Group rules (@media,
 * @supports, @layer, @container) keep their place around it, so nothing depends on what @scope
 * itself may contain, and layer order is unchanged. */
function scopedText(rule) {
  if (rule instanceof CSSStyleRule) {
    const mapped = splitSelectors(rule.selectorText).map(rewriteSelector).join(", ");
    if (mapped !== rule.selectorText) rule.selectorText = mapped;
    return `@scope (${SCOPE_ROOT}) {\n${rule.cssText}\n}`;
  }
  if (rule.cssRules && !isGlobal(rule)) {
    const prelude = rule.cssText.slice(0, rule.cssText.indexOf("{"));
    return `${prelude}{\n${[...rule.cssRules].map(scopedText).join("\n")}\n}`;
  }
  return rule.cssText;
}

/**
 * Rewrite `sheet` (same-origin, loaded) so that it styles only inside `fh-anywidget` elements.
 * Returns false when its rules cannot be read (a cross-origin sheet): it then stays as it is.
 */
export function scopeSheet(sheet) {
  let rules;
  try {
    rules = sheet.cssRules;
  } catch {
    return false;
  }
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i];
    if (!(rule instanceof CSSStyleRule) && (!rule.cssRules || isGlobal(rule))) continue;
    const original = rule.cssText;
    const text = scopedText(rule);
    // Replaced in place: order (and so the cascade) is kept; inserted rules resolve url(…)
    // against the sheet's own URL, as before.
    sheet.deleteRule(i);
    try {
      sheet.insertRule(text, i);
    } catch {
      sheet.insertRule(original, i); // what this engine cannot scope stays as the widget wrote it
    }
  }
  return true;
}
