// What may be shown in Leichte Sprache: the plain catalogue of the app's own texts (written
// by xtask to DREIECK_TEXTS, `cargo xtask texts --json`) and the plain texts of the shipped
// templates. `shownTexts` reads every text a person sees or hears on a page; `plainProblems`
// names each one that is not from those, or that breaks a rule a machine can check.
import { readFileSync, readdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

function catalogues() {
  const file = process.env.DREIECK_TEXTS;
  const json = file
    ? readFileSync(file, 'utf8')
    : execFileSync('cargo', ['run', '-q', '-p', 'xtask', '--', 'texts', '--json'], { cwd: root, encoding: 'utf8' });
  return JSON.parse(json);
}

/// Every `plain_*` text of a template, and the standard text where a template leaves the
/// plain one out (the app then shows the standard one, and the walker should say so).
function templateTexts() {
  const plain = new Set();
  const dir = path.join(root, 'crates/model/templates');
  const walk = (o) => {
    if (Array.isArray(o)) return o.forEach(walk);
    if (o && typeof o === 'object') {
      for (const [k, v] of Object.entries(o)) {
        if (typeof v === 'string' && k.startsWith('plain_') && v.trim()) {
          plain.add(squash(v));
          // Read-aloud shows a text sentence by sentence, each in its own element.
          for (const sentence of sentences(v)) plain.add(sentence);
        }
        else walk(v);
      }
    }
  };
  for (const f of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
    walk(JSON.parse(readFileSync(path.join(dir, f), 'utf8')));
  }
  return plain;
}

export const squash = (s) => s.replace(/\s+/g, ' ').trim();
/// Sentences as the app splits them for reading aloud (model `sentences`).
const sentences = (text) => text.split(/(?<=[.?!:…])\s+|\n/).map(squash).filter(Boolean);
const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/// A catalogue text as a pattern: `{}` holds any value.
const pattern = (text) => new RegExp('^' + squash(text).split(/\{\w*\}/).map(escape).join('.+?') + '$', 's');

const { standard, plain } = catalogues();
/// A text of only values ("{intro}") says nothing by itself: it would match anything.
const worded = (text) => /\p{L}{2}/u.test(text.replace(/\{\w*\}/g, ''));
const plainPatterns = Object.entries(plain).filter(([, text]) => worded(text)).flatMap(([key, text]) => {
  const whole = { key, re: pattern(text) };
  // A sentence that is only a value ("{}") would match anything.
  const parts = sentences(text).filter(worded);
  return parts.length > 1 ? [whole, ...parts.map((p) => ({ key, re: pattern(p) }))] : [whole];
});
const standardPatterns = Object.entries(standard)
  .filter(([key, text]) => text !== plain[key])
  .map(([key, text]) => ({ key, re: pattern(text), plain: plain[key] }));
const templatePlain = templateTexts();

/// Every text node a person sees or a screen reader reads on `page` (inside `scope`), with
/// where it is, and the accessible names given by aria-label. Form controls' values are what
/// people typed, not the app's words; they are left out.
export async function shownTexts(page, scope = 'body') {
  return page.evaluate((scope) => {
    const out = [];
    const where = (el) => {
      const parts = [];
      for (let e = el; e && e !== document.body && parts.length < 4; e = e.parentElement) {
        parts.unshift(e.id ? `#${e.id}` : e.classList.length ? `${e.tagName.toLowerCase()}.${e.classList[0]}` : e.tagName.toLowerCase());
      }
      return parts.join(' > ');
    };
    for (const base of document.querySelectorAll(scope)) {
      const walker = document.createTreeWalker(base, NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const text = n.textContent.replace(/\s+/g, ' ').trim();
        const el = n.parentElement;
        // Hidden from screen readers is still seen: only what is not shown at all is left out.
        if (!text || !el || el.closest('textarea, script, style, noscript, [hidden]')) continue;
        if (!el.checkVisibility({ visibilityProperty: true })) continue;
        out.push({ text, whole: el.textContent.replace(/\s+/g, ' ').trim(), where: where(el) });
      }
      for (const el of base.querySelectorAll('[aria-label], [placeholder], [title]')) {
        if (el.closest('[hidden]') || !el.checkVisibility({ visibilityProperty: true })) continue;
        for (const attr of ['aria-label', 'placeholder', 'title']) {
          const text = (el.getAttribute(attr) ?? '').replace(/\s+/g, ' ').trim();
          if (text) out.push({ text, whole: text, where: `${where(el)}[${attr}]` });
        }
      }
    }
    return out;
  }, scope);
}

const PASSIVE = [/\bwurden?\b/, /\bworden\b/, /\bwird\b.*\bge\w+(t|en)\b/, /\bmuss\b.*\bwerden\b/];
const NOT_PLAIN = ['z. B.', 'bzw.', 'ggf.', '/'];

/// What is wrong with the texts on `page` for a person reading Leichte Sprache: texts that
/// are neither in the plain catalogue nor in a template's plain texts nor among `data` (what
/// the test itself typed: names, words; numbers and dates count as data too), and any text
/// with passive voice, a slash or abbreviation, or a sentence over 12 words.
export async function plainProblems(page, { data = [], scope = 'body', view = '' } = {}) {
  const known = new Set(data.map(squash));
  // Numbers, dates and marks alone ("12.05.2026", " · ", "▲") are not words.
  const isData = (t) => known.has(t) || /^[\p{N}\p{P}\p{S}\s]+$/u.test(t)
    || [...known].some((d) => d.length > 3 && t.includes(d) && t.replace(d, '').trim().length <= 2);
  const fromPlain = (t) => templatePlain.has(t) || plainPatterns.some((p) => p.re.test(t));
  const problems = [];
  for (const { text, whole, where } of await shownTexts(page, scope)) {
    if (isData(text)) continue;
    if (!fromPlain(text) && !fromPlain(whole)) {
      const std = standardPatterns.find((p) => p.re.test(text) || p.re.test(whole));
      problems.push(std
        ? `${view}: standard text ${JSON.stringify(text)} (${std.key}; plain: ${JSON.stringify(std.plain)}) at ${where}`
        : `${view}: not from the plain catalogue: ${JSON.stringify(text)} at ${where}`);
      continue;
    }
    for (const re of PASSIVE) if (re.test(text)) problems.push(`${view}: passive voice in ${JSON.stringify(text)} at ${where}`);
    for (const w of NOT_PLAIN) if (text.includes(w)) problems.push(`${view}: ${JSON.stringify(w)} in ${JSON.stringify(text)} at ${where}`);
    for (const sentence of text.split(/[.?!:\n]/)) {
      if (sentence.split(/\s+/).filter(Boolean).length > 12) problems.push(`${view}: sentence over 12 words: ${JSON.stringify(sentence.trim())} at ${where}`);
    }
  }
  return [...new Set(problems)];
}
