"""Element fingerprints, computed in the page in one evaluate.

A fingerprint is a plain dict (JSON-safe, stored as is):
    {"tag", "id", "classes": [...], "text", "role", "name", "kind", "attrs": {...},
     "path": ["html", "body", "main#app.shell", ...] (ancestors), "index": position among
     siblings of the same tag, "locator": the target it was recorded for (set by the runner)}
"""

from __future__ import annotations

import json

ATTRIBUTE_KEYS = ("data-testid", "data-test", "data-qa", "href", "placeholder", "aria-label", "title", "alt",
                  "name", "type", "for", "value")

# Shared helpers: kind (compatibility class), visibility, role, accessible name, fingerprint.
_HELPERS = r"""
const KEYS = @KEYS@;
const norm = s => (s || '').replace(/\s+/g, ' ').trim().slice(0, 200);
const kindOf = el => {
  const t = el.tagName.toLowerCase(), type = (el.getAttribute('type') || 'text').toLowerCase();
  const role = el.getAttribute('role');
  if (t === 'input') {
    if (type === 'checkbox' || type === 'radio') return 'check';
    if (['submit', 'button', 'reset', 'image'].includes(type)) return 'clickable';
    if (type === 'hidden') return 'hidden';
    return 'textbox';
  }
  if (t === 'textarea' || role === 'textbox' || el.isContentEditable && !el.parentElement?.isContentEditable) return 'textbox';
  if (t === 'select' || role === 'combobox' || role === 'listbox') return 'select';
  if (t === 'button' || t === 'a' || t === 'summary' || ['button', 'link', 'menuitem', 'tab'].includes(role)) return 'clickable';
  if (/^h[1-6]$/.test(t) || role === 'heading') return 'heading';
  if (t === 'img' || t === 'svg' || t === 'picture' || role === 'img') return 'image';
  if (['div', 'span', 'p', 'section', 'article', 'li', 'td', 'th', 'label', 'strong', 'em', 'small', 'output',
       'main', 'aside', 'header', 'footer', 'dd', 'dt', 'pre', 'code', 'b', 'i', 'blockquote', 'figcaption',
       'legend', 'caption', 'nav', 'ul', 'ol', 'table', 'tr', 'form', 'dialog'].includes(t)) return 'text';
  return t;
};
const roleOf = el => {
  const explicit = el.getAttribute('role');
  if (explicit) return explicit.split(' ')[0];
  const t = el.tagName.toLowerCase(), type = (el.getAttribute('type') || 'text').toLowerCase();
  if (t === 'a') return el.hasAttribute('href') ? 'link' : '';
  if (t === 'button' || t === 'summary') return 'button';
  if (t === 'input') {
    if (['submit', 'button', 'reset', 'image'].includes(type)) return 'button';
    if (type === 'checkbox') return 'checkbox';
    if (type === 'radio') return 'radio';
    if (type === 'range') return 'slider';
    if (type === 'search') return 'searchbox';
    if (type === 'number') return 'spinbutton';
    return 'textbox';
  }
  if (t === 'textarea') return 'textbox';
  if (t === 'select') return el.multiple || el.size > 1 ? 'listbox' : 'combobox';
  if (/^h[1-6]$/.test(t)) return 'heading';
  if (t === 'img') return el.getAttribute('alt') === '' ? 'presentation' : 'img';
  return {nav: 'navigation', main: 'main', li: 'listitem', ul: 'list', ol: 'list', table: 'table',
          form: 'form', dialog: 'dialog', option: 'option', p: 'paragraph'}[t] || '';
};
const nameOf = el => {
  const label = el.getAttribute('aria-label');
  if (label) return norm(label);
  const by = el.getAttribute('aria-labelledby');
  if (by) {
    const text = by.split(/\s+/).map(id => document.getElementById(id)?.textContent || '').join(' ');
    if (norm(text)) return norm(text);
  }
  const t = el.tagName.toLowerCase();
  if (el.labels && el.labels.length) return norm(Array.from(el.labels, l => l.textContent).join(' '));
  if (t === 'input' && ['submit', 'button', 'reset'].includes((el.type || '').toLowerCase())) return norm(el.value);
  if (t === 'img' || t === 'input' && el.type === 'image') return norm(el.getAttribute('alt'));
  if (['button', 'a', 'summary', 'option', 'th', 'td', 'li', 'label', 'legend'].includes(t) || /^h[1-6]$/.test(t)
      || ['button', 'link', 'menuitem', 'tab', 'heading'].includes(el.getAttribute('role')))
    return norm(el.textContent);
  return norm(el.getAttribute('title') || el.getAttribute('placeholder'));
};
const node = el => {
  let s = el.tagName.toLowerCase();
  if (el.id) s += '#' + el.id;
  for (const c of el.classList) s += '.' + c;
  return s;
};
const visible = el => {
  if (el.checkVisibility && !el.checkVisibility({checkOpacity: true, checkVisibilityCSS: true})) return false;
  const r = el.getBoundingClientRect();
  return r.width > 0 && r.height > 0;
};
const enabled = el => !el.disabled && el.getAttribute('aria-disabled') !== 'true' && !el.closest('[inert]');
const fingerprint = el => {
  const attrs = {};
  const t = el.tagName.toLowerCase();
  for (const k of KEYS) {
    const v = el.getAttribute(k);
    // The value of a text field is user data, not identity: only buttons keep theirs.
    if (v !== null && !(k === 'value' && t !== 'button' && !(t === 'input' && ['submit', 'button', 'reset'].includes(el.type)))) attrs[k] = v.slice(0, 200);
  }
  const path = [];
  for (let p = el.parentElement; p; p = p.parentElement) path.unshift(node(p));
  let index = 0;
  for (let s = el.previousElementSibling; s; s = s.previousElementSibling) if (s.tagName === el.tagName) index++;
  const text = ['input', 'select', 'textarea'].includes(t) ? '' : norm(el.textContent);
  return {tag: t, id: el.id || '', classes: Array.from(el.classList).slice(0, 20), text, role: roleOf(el),
          name: nameOf(el), kind: kindOf(el), attrs, path, index};
};
""".replace("@KEYS@", json.dumps(list(ATTRIBUTE_KEYS)))

# el -> fingerprint
FINGERPRINT_JS = "el => {" + _HELPERS + "return fingerprint(el); }"

# [kind, limit] -> [[position in document.querySelectorAll('body *'), fingerprint], ...]: the
# visible, enabled elements of that kind.
CANDIDATES_JS = "([kind, limit]) => {" + _HELPERS + r"""
  const out = [];
  const all = document.querySelectorAll('body *');
  for (let i = 0; i < all.length && out.length < limit; i++) {
    const el = all[i];
    if (kindOf(el) !== kind || !visible(el) || !enabled(el)) continue;
    out.push([i, fingerprint(el)]);
  }
  return out;
}"""

# [position, fingerprint path] -> the locators that find exactly that element, most stable first
# (test id, id, label/placeholder, short CSS); role+name is checked by the caller through Playwright.
LOCATOR_OPTIONS_JS = "([pos, generated]) => {" + _HELPERS + r"""
  const el = document.querySelectorAll('body *')[pos];
  if (!el) return null;
  const gen = new RegExp(generated);
  const css = s => { try { return document.querySelectorAll(s); } catch (e) { return []; } };
  const unique = s => { const m = css(s); return m.length === 1 && m[0] === el; };
  const q = v => '"' + v.replace(/\\/g, '\\\\').replace(/"/g, '\\"') + '"';
  const out = [];
  const tid = el.getAttribute('data-testid');
  if (tid && unique('[data-testid=' + q(tid) + ']')) out.push(['test_id', tid]);
  const t = el.tagName.toLowerCase();
  if (el.id && !gen.test(el.id) && unique('#' + CSS.escape(el.id))) out.push(['css', '#' + CSS.escape(el.id)]);
  const ph = el.getAttribute('placeholder');
  if (ph && unique(t + '[placeholder=' + q(ph) + ']')) out.push(['placeholder', ph]);
  const nm = el.getAttribute('name');
  if (nm && unique(t + '[name=' + q(nm) + ']')) out.push(['css', t + '[name=' + q(nm) + ']']);
  // Short CSS: the element's own tag + stable classes, then prefixed by stable ancestors.
  const stable = e => Array.from(e.classList).filter(c => !gen.test(c)).slice(0, 2).map(c => '.' + CSS.escape(c)).join('');
  const self = t + stable(el);
  if (unique(self)) out.push(['css', self]);
  else {
    let sel = self;
    for (let p = el.parentElement; p && p !== document.body.parentElement; p = p.parentElement) {
      const part = p.id && !gen.test(p.id) ? '#' + CSS.escape(p.id) : p.tagName.toLowerCase() + stable(p);
      sel = part + ' > ' + sel;
      if (unique(sel)) { out.push(['css', sel]); break; }
      if (p.id && !gen.test(p.id)) break;
    }
    if (!out.some(o => o[0] === 'css') ) {
      let n = 1;
      for (let s = el.previousElementSibling; s; s = s.previousElementSibling) if (s.tagName === el.tagName) n++;
      const nth = sel + ':nth-of-type(' + n + ')';
      if (unique(nth)) out.push(['css', nth]);
    }
  }
  return {options: out, role: roleOf(el), name: nameOf(el), path: fingerprint(el).path};
}"""

# [position] -> is the element of `locator` (evaluated on it) the candidate at that position?
SAME_ELEMENT_JS = "(el, pos) => document.querySelectorAll('body *')[pos] === el"
