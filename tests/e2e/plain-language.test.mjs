// Leichte Sprache: every text a beneficiary reads, in its hand-written plain version, with
// pictograms and large type; read-aloud through speechSynthesis, sentence by sentence, with
// the sentence being read highlighted and a stop button.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { launch, device, axe } from './lib/browser.mjs';
import { openApp, waitSaved, chooseRole } from './lib/app.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const template = (id) =>
  JSON.parse(readFileSync(path.join(root, `crates/model/templates/${id}.json`), 'utf8'));
const TEMPLATES = ['kvjs-ergebnisbericht', 'goettingen-erwartungsbogen', 'goettingen-feedbackbogen', 'hamburg-wille-ressourcen'];

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/// Sentences as the app splits them (model `sentences`): after . ? ! : … before a space.
function sentences(text) {
  return text.split(/(?<=[.?!:…])\s+|\n/).map((s) => s.trim()).filter(Boolean);
}
const squash = (s) => s.replace(/\s+/g, ' ').trim();
/// A code's text as on screen: "(3) Es hat zum Teil geklappt." (the space may be layout only).
const coded = (s) => squash(s).replace(/^\((\w+)\)\s*/, '($1) ');

async function newForm(page, t) {
  // In Leichte Sprache the forms are offered by their plain names.
  const plain = (await page.locator('html.plain-language').count()) > 0;
  await page.getByRole('radio', { name: plain && t.plain_name ? t.plain_name : t.name, exact: true }).check();
  await page.getByRole('button', { name: 'Neuer Bericht' }).click();
  await page.locator(`#feld-${t.sections[0].fields[0].id}`).waitFor({ state: 'attached' });
}

async function plainOn(page) {
  const sw = page.getByRole('button', { name: 'Leichte Sprache' });
  if ((await sw.getAttribute('aria-pressed')) !== 'true') await sw.click();
  await page.locator('html.plain-language').waitFor({ state: 'attached' });
}

/// A stand-in for the browser's speech synthesis that records what it is asked to say and
/// lets the test fire the events a voice would.
function fakeSpeech() {
  const utterances = [];
  window.__utterances = utterances;
  window.__cancelled = 0;
  window.SpeechSynthesisUtterance = class {
    constructor(text) { this.text = text; this.lang = ''; this.rate = 1; this.onstart = null; this.onend = null; this.onerror = null; }
  };
  const synthesis = {
    getVoices: () => [],
    speak: (u) => utterances.push(u),
    cancel: () => { window.__cancelled += 1; },
  };
  Object.defineProperty(window, 'speechSynthesis', { value: synthesis, configurable: true });
  window.__fire = (i, kind) => { const h = utterances[i]?.[kind]; if (h) h(new Event(kind.slice(2))); return !!h; };
}

test('the plain-language view shows a Leichte-Sprache text for everything a beneficiary reads, in every form', async () => {
  const { context, page, errors } = await device(browser);
  await openApp(page);
  for (const id of TEMPLATES) {
    const t = template(id);
    await page.goto(page.url().split('#')[0] + '#/');
    await page.getByRole('heading', { name: 'Berichte', level: 1 }).waitFor();
    await chooseRole(page, 'Einrichtung/Dienst');
    await newForm(page, t);
    await plainOn(page);
    await page.getByRole('heading', { level: 1, name: t.plain_name }).waitFor();

    const goals = t.sections.flatMap((s) => s.fields).find((f) => f.kind === 'goals');
    if (goals) {
      // A goal rated "1" shows the whole scale and asks for a reason: every code is on screen.
      await page.getByRole('button', { name: 'Neues Ziel' }).click();
      await page.locator('.goal-card input[type=radio][name$="-erreichung"][value="1"]').check();
      await page.locator('.goal-card select[id$="-reason"]').waitFor();
    }

    const missing = [];
    for (const section of t.sections) {
      const heading = squash(await page.locator(`#abschnitt-${section.id}`).textContent());
      if (heading !== squash(section.plain_title)) missing.push(`${id}/${section.id}: title "${heading}"`);
      const sectionEl = page.locator(`section[aria-labelledby="abschnitt-${section.id}"]`);
      if (await sectionEl.locator('svg.pictogram').count() !== 1) missing.push(`${id}/${section.id}: pictogram`);
      if (section.plain_help) {
        const help = squash(await sectionEl.locator('.section-help').textContent());
        if (help !== squash(section.plain_help)) missing.push(`${id}/${section.id}: help "${help}"`);
      }
      for (const field of section.fields) {
        const slot = page.locator(`.field-slot[data-field="${field.id}"]`);
        const label = field.kind === 'goals'
          ? await slot.locator('ol.goal-list').getAttribute('aria-label')
          : await slot.locator(`label[for="feld-${field.id}"], fieldset > legend`).first().textContent();
        const shown = squash(label);
        if (!shown.startsWith(squash(field.plain_label))) missing.push(`${id}/${field.id}: label "${shown}"`);
        if (!field.plain_label.includes(field.label) && shown.includes(field.label)) missing.push(`${id}/${field.id}: standard label still shown`);
        if (field.plain_help) {
          const help = squash(await page.locator(`#feld-${field.id}-hilfe`).textContent());
          if (help !== squash(field.plain_help)) missing.push(`${id}/${field.id}: help "${help}"`);
        }
        if (field.kind === 'choice') {
          const options = (await page.locator(`#feld-${field.id} option`).allTextContents()).map(squash);
          const codes = t.code_lists[field.code_list].codes.map((c) => squash(c.plain_label));
          assert.deepEqual(options, ['Bitte wählen Sie.', ...codes], `${id}/${field.id} options`);
        }
      }
    }
    if (goals) {
      const card = page.locator('.goal-card').first();
      const scale = t.code_lists[goals.achievement_codes];
      const scaleSet = card.locator('fieldset', { has: page.locator('label.choice') }).first();
      const rated = (await scaleSet.locator('label.choice').allTextContents()).map(coded);
      assert.deepEqual(rated, scale.codes.map((c) => squash(`(${c.code}) ${c.plain_label}`)), 'achievement scale');
      assert.equal(await scaleSet.locator('svg.face').count(), scale.codes.length, 'a face per level');
      const reasons = (await card.locator('select[id$="-reason"] option').allTextContents()).map(coded);
      assert.deepEqual(reasons, ['Bitte wählen Sie.', ...t.code_lists[goals.reason_codes].codes.map((c) => squash(`(${c.code}) ${c.plain_label}`))]);
      const own = (await card.locator('fieldset.self-rating label.choice').allTextContents()).map(squash);
      assert.deepEqual(own, scale.codes.map((c) => squash(c.plain_label)), 'self-rating');
    }
    assert.deepEqual(missing, [], 'texts missing in Leichte Sprache');

    // Large type: the base and the help text are at least 18 px.
    const sizes = await page.evaluate(() => ({
      root: parseFloat(getComputedStyle(document.documentElement).fontSize),
      help: parseFloat(getComputedStyle(document.querySelector('.field-help, .section-help')).fontSize),
    }));
    assert.ok(sizes.root >= 18 && sizes.help >= 18, JSON.stringify(sizes));
    // Large targets: every button, control and choice is at least 44 × 44 px.
    const small = await page.evaluate(() => [...document.querySelectorAll('main .button, main .control, main .choice')]
      .map((el) => ({ el, r: el.getBoundingClientRect() }))
      .filter(({ r }) => r.width > 0 && (r.width < 44 || r.height < 44))
      .map(({ el, r }) => `${el.id || el.className} ${Math.round(r.width)}×${Math.round(r.height)}`));
    assert.deepEqual(small, [], `${id}: small targets`);
    assert.ok(await page.locator('main .button, main .control, main .choice').count() > 10, 'targets were measured');
  }

  // The switch is a setting of the device: still on after a reload, off again on request.
  await page.reload();
  await page.locator('html.plain-language').waitFor({ state: 'attached' });
  await page.getByRole('button', { name: 'Leichte Sprache' }).click();
  await page.locator('html:not(.plain-language)').waitFor({ state: 'attached' });
  const t = template(TEMPLATES[3]);
  const field = t.sections[1].fields[0];
  assert.ok(squash(await page.locator(`label[for="feld-${field.id}"]`).textContent()).startsWith(squash(field.label)));
  assert.equal(await page.locator('svg.pictogram').count(), 0);
  assert.deepEqual(errors, []);
  await context.close();
});

test('read-aloud speaks a block sentence by sentence, highlights the sentence and stops on request', async () => {
  const { context, page, errors } = await device(browser);
  await context.addInitScript(fakeSpeech);
  await openApp(page);
  const t = template('kvjs-ergebnisbericht');
  await newForm(page, t);
  // A field in a section of several (a section of one field is read by its heading's button).
  await chooseRole(page, 'Einrichtung/Dienst');
  await page.locator('#feld-entwicklung_allgemein').fill('Ich will allein einkaufen. Und kochen.');
  await waitSaved(page);
  await plainOn(page);

  const field = t.sections.flatMap((s) => s.fields).find((f) => f.id === 'entwicklung_allgemein');
  const slot = page.locator('.field-slot[data-field="entwicklung_allgemein"]');
  const button = slot.getByRole('button', { name: `Vorlesen: ${field.plain_label}` });
  await button.click();
  const intro = [...sentences(field.plain_label), ...sentences(field.plain_help)];
  const expected = [...intro, 'Hier steht:', 'Ich will allein einkaufen.', 'Und kochen.'];
  assert.deepEqual(await page.evaluate(() => window.__utterances.map((u) => u.text)), expected);
  assert.ok(await page.evaluate(() => window.__utterances.every((u) => u.lang === 'de-DE')), 'German');

  // The sentence being read is highlighted, one at a time.
  const reading = slot.locator('.sentence.reading');
  await page.evaluate(() => window.__fire(0, 'onstart'));
  await reading.waitFor();
  assert.equal(squash(await reading.textContent()), intro[0]);
  await page.evaluate((i) => window.__fire(i, 'onstart'), intro.length - 1);
  await slot.locator('.field-help .sentence.reading').waitFor();
  assert.equal(await slot.locator('.sentence.reading').count(), 1);
  assert.equal(squash(await reading.textContent()), intro.at(-1));
  // While the value is read, the text box is highlighted instead.
  await page.evaluate((i) => window.__fire(i, 'onstart'), intro.length + 1);
  await page.locator('.field-slot.reading-value[data-field="entwicklung_allgemein"]').waitFor();
  assert.equal(await slot.locator('.sentence.reading').count(), 0);

  // Stop: the synthesis is cancelled, the highlight goes, and late events change nothing.
  const stop = slot.getByRole('button', { name: 'Stopp. Nicht mehr vorlesen.' });
  await stop.click();
  assert.equal(await page.evaluate(() => window.__cancelled), 1);
  await button.waitFor();
  assert.equal(await page.locator('.field-slot.reading-value').count(), 0);
  assert.equal(await page.evaluate(() => window.__fire(2, 'onstart')), false, 'handlers of a stopped reading are gone');

  // A section heading reads its title and help; the button turns back when the voice ends.
  const section = t.sections.find((s) => s.id === 'einrichtung');
  await page.getByRole('button', { name: `Vorlesen: ${section.plain_title}` }).click();
  const said = await page.evaluate((n) => window.__utterances.slice(n).map((u) => u.text), expected.length);
  assert.deepEqual(said, [...sentences(section.plain_title), ...sentences(section.plain_help)]);
  await page.evaluate((n) => { window.__fire(n, 'onstart'); }, expected.length);
  await page.locator('#abschnitt-einrichtung .sentence.reading').waitFor();
  await page.evaluate((n) => window.__fire(n, 'onend'), expected.length + said.length - 1);
  await page.getByRole('button', { name: `Vorlesen: ${section.plain_title}` }).waitFor();
  assert.equal(await page.locator('.sentence.reading').count(), 0);
  assert.deepEqual(errors, []);
  await context.close();
});

test('without speech synthesis there is no read-aloud button; the plain view has no axe violations', async () => {
  const { context, page, errors } = await device(browser);
  await context.addInitScript(() => Object.defineProperty(window, 'speechSynthesis', { value: undefined }));
  await openApp(page);
  await newForm(page, template('kvjs-ergebnisbericht'));
  await plainOn(page);
  await page.locator('svg.pictogram').first().waitFor();
  assert.equal(await page.getByRole('button', { name: /^Vorlesen/ }).count(), 0);
  await context.close();

  const other = await device(browser);
  await other.context.addInitScript(fakeSpeech);
  await openApp(other.page);
  await newForm(other.page, template('kvjs-ergebnisbericht'));
  await plainOn(other.page);
  await other.page.getByRole('button', { name: 'Neues Ziel' }).click();
  await other.page.getByRole('button', { name: /^Vorlesen: Ihr Name/ }).click();
  await other.page.evaluate(() => window.__fire(0, 'onstart'));
  await other.page.locator('.sentence.reading').waitFor();
  const violations = await axe(other.page);
  assert.deepEqual(violations, []);
  assert.deepEqual([...errors, ...other.errors], []);
  await other.context.close();
});

test('signing in Leichte Sprache: the pad and the signature line speak plainly', async () => {
  const { page, errors } = await device(browser);
  await openApp(page);
  await plainOn(page);
  await newForm(page, template('kvjs-ergebnisbericht'));
  await chooseRole(page, 'Leistungsberechtigte Person');
  const line = page.locator('.field-slot[data-field="unterschrift_leistungsberechtigter"] fieldset.signature');
  await line.scrollIntoViewIfNeeded();
  assert.equal(squash(await line.locator('.signature-state').textContent()), 'Hier fehlt noch die Unterschrift.');
  const hint = await line.locator('.signature-pad .field-help .sentence').allTextContents();
  assert.deepEqual(hint, [
    'Schreiben Sie Ihren Namen in das weiße Feld unten.',
    'Das geht mit dem Finger oder mit einem Stift.',
    'Sie können auch nur Ihren Namen tippen.',
    'Das gilt dann auch als Unterschrift.',
  ]);
  await line.getByLabel('Ihr Name').fill('Anna Müller');
  await line.getByRole('button', { name: 'Unterschreiben' }).click();
  await line.locator('.signature-state', { hasText: 'Die Unterschrift gilt.' }).waitFor();
  assert.equal(squash(await line.locator('.signature-typed').textContent()), 'Die Unterschrift ist der getippte Name.');
  await line.getByRole('button', { name: 'Noch einmal unterschreiben' }).waitFor();
  // Back in standard German, the same line in the form's words.
  await page.getByRole('button', { name: 'Leichte Sprache' }).click();
  await line.locator('.signature-state', { hasText: /^gültig$/ }).waitFor();
  await line.getByRole('button', { name: 'Erneut unterschreiben' }).waitFor();
  assert.deepEqual(errors, []);
});
