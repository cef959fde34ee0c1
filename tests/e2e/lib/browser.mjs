// Shared set-up for the end-to-end tests: Debian's Chromium driven by playwright-core (no
// browser download), the URL of the relay that xtask started, and an axe-core scan.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import assert from 'node:assert/strict';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../../..');
const require = createRequire(path.join(root, 'xtask/node/package.json'));
const { chromium } = require('playwright-core');

export const baseUrl = process.env.DREIECK_URL ?? 'http://127.0.0.1:8080';

/// Debian's Chromium, headless; `args` adds flags (a fake camera, for instance).
export async function launch({ args = [] } = {}) {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-dev-shm-usage',
      '--disable-background-networking', '--disable-component-update', '--disable-sync', ...args],
  });
}

/// Flags for a browser whose camera shows the frames of the Y4M file `file` (rewritten by the
/// test before each scan; Chromium reads it when the camera starts).
export function fakeCamera(file) {
  return ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream',
    `--use-file-for-fake-video-capture=${file}`];
}

/// A fresh device: its own storage, service worker and offline switch.
/// A fresh browser profile. The app asks for a PIN on its first start, and only a PIN gets past
/// it; a test that is not about that skips it (`firstUse: true` leaves the question to the test).
export async function device(browser, { firstUse = false } = {}) {
  const context = await browser.newContext({ viewport: { width: 1024, height: 900 }, locale: 'de-DE', timezoneId: 'Europe/Berlin' });
  if (!firstUse) await context.addInitScript(withoutPin);
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); if (process.env.DEBUG_CONSOLE) console.log('[page]', m.text()); });
  return { context, page, errors };
}

/// Runs before the app in every page of a context: the test seam that skips the first-start
/// question (the app itself offers no way to set it).
export function withoutPin() {
  if (!localStorage.getItem('dreieck.sperre.test_ohne_pin')) localStorage.setItem('dreieck.sperre.test_ohne_pin', '"1"');
}

/// The KVJS template the app ships, so the tests walk every field the form has.
export function kvjsTemplate() {
  return JSON.parse(readFileSync(path.join(root, 'crates/model/templates/kvjs-ergebnisbericht.json'), 'utf8'));
}

const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/// Runs axe-core (WCAG 2.0–2.2 A/AA rules) on the page and returns the violations.
export async function axe(page) {
  // Evaluated over the DevTools protocol, so the app's Content-Security-Policy does not block it.
  await page.evaluate(axeSource);
  return page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const result = await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
    });
    return result.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')),
    }));
  });
}

/// axe over the whole form as it is laid out when each part is on screen: sections out of
/// sight skip rendering (`content-visibility: auto`), and axe, measuring a target in a section
/// not laid out, finds it "covered" or of zero size. So they are laid out first.
export async function axeSettled(page) {
  await page.evaluate(() => new Promise((done) => {
    for (const s of document.querySelectorAll('.form-section')) s.style.contentVisibility = 'visible';
    requestAnimationFrame(() => requestAnimationFrame(done));
  }));
  return axe(page);
}

/// Invites one person through "Teilen" on `page` and returns the link. With `keepOpen` the
/// dialog stays open (to invite more, or look at it).
export async function invite(page, role, name, { keepOpen = false } = {}) {
  const dialog = page.locator('dialog.share-dialog');
  if (!(await dialog.isVisible())) {
    await page.locator('#teilen').click();
    await dialog.waitFor();
  }
  await dialog.getByLabel('Rolle der Person').selectOption(role);
  await dialog.getByLabel('Name der Person').fill(name);
  await dialog.getByRole('button', { name: 'Einladung erstellen' }).click();
  const input = dialog.locator(`input.invitation-link[data-role="${role}"][data-name="${name}"]`);
  await input.waitFor();
  const link = await input.inputValue();
  if (!keepOpen) await dialog.getByRole('button', { name: 'Fertig' }).click();
  return link;
}

/// Waits until the page's sync indicator says it is in step with the relay.
export const synced = (page) => page.locator('.sync-status[data-state="synchron"]').waitFor({ timeout: 30_000 });

/// A fresh device that opens an invitation link and waits until the report is there and synced.
/// `direct: false`: the device opens no direct channels (`dreieck.direkt` = "aus"), so what it
/// gets came through the relay. The person supported's invitation opens their own view in
/// Leichte Sprache; unless `own`, the device goes on to the whole form in standard German (what
/// most tests look at: the rules of the form, not the person's view).
export async function join(browser, url, { direct = true, own = false } = {}) {
  const d = await device(browser);
  if (!direct) await d.context.addInitScript(() => localStorage.setItem('dreieck.direkt', '"aus"'));
  await d.page.goto(url);
  await d.page.locator('#feld-lb_name').waitFor({ timeout: 30_000 });
  await synced(d.page);
  if (!own && d.page.url().endsWith('/meins')) await wholeForm(d.page);
  return d;
}

/// From the person's own view to the whole form, in standard German.
export async function wholeForm(page) {
  await page.locator('.person-view .whole-report').click();
  await page.locator('.report-form:not(.person-view)').waitFor();
  if (await page.locator('html.plain-language').count()) {
    await page.getByRole('button', { name: 'Leichte Sprache' }).click();
    await page.locator('html:not(.plain-language)').waitFor({ state: 'attached' });
  }
  await synced(page);
}

/// Waits until focus is on the element with `id` and fails with `what` if it never gets there.
/// Views move focus in the next animation frame (after the element is drawn), so reading
/// `activeElement` right after a click races with it on a loaded machine.
export async function focusOn(page, id, what = `focus on #${id}`) {
  try {
    await page.waitForFunction((i) => document.activeElement?.id === i, id, { timeout: 5_000 });
  } catch {
    const at = await page.evaluate(() => document.activeElement?.id || document.activeElement?.tagName);
    assert.fail(`${what}: focus is on ${at}`);
  }
}

/// An init script for read-aloud without a voice: what would be spoken is recorded in
/// `window.__spoken` (`context.addInitScript(recordSpeech)`).
export function recordSpeech() {
  window.__spoken = [];
  window.SpeechSynthesisUtterance = class {
    constructor(text) { this.text = text; this.lang = ''; this.rate = 1; this.onstart = null; this.onend = null; this.onerror = null; }
  };
  const synthesis = { getVoices: () => [], speak: (u) => window.__spoken.push(u.text), cancel: () => {} };
  Object.defineProperty(window, 'speechSynthesis', { value: synthesis, configurable: true });
}
