// The walker: every view and dialog a person reaches in Leichte Sprache, for every form the
// app ships. It reads every text shown and every accessible name, and fails on any that is
// not from the plain catalogue (crates/texts/src/plain.rs) or a template's plain texts, on
// passive voice, on slashes and abbreviations, and on sentences over 12 words. What the test
// typed itself (a name, a goal) and numbers and dates are data, not the app's words.
//
// Staff tools (the form editor, the paper form, the statistics and the planning list of all
// reports) are not offered in Leichte Sprache; reached by address they say so plainly, and
// only that note is walked (docs/leichte-sprache.md).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { device, launch } from './lib/browser.mjs';
import { TestRelay } from './lib/relay.mjs';
import { waitSaved } from './lib/app.mjs';
import { plainProblems } from './lib/texts.mjs';

let relay; let browser;
before(async () => {
  relay = await TestRelay.start();
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await relay?.stop();
});

const TEMPLATES = [
  'Ergebnisbericht (KVJS Baden-Württemberg)',
  'Erwartungsbogen für die Nutzung des Angebots',
  'Feedbackbogen',
  'Wille und Ressourcen',
];
const NAME = 'Kaya, Lea';
const GOAL = 'Allein einkaufen gehen';
const DATA = [NAME, GOAL, 'Lea Kaya'];

async function plainLanguage(page, on) {
  const sw = page.locator('#leichte-sprache');
  if ((await sw.getAttribute('aria-pressed')) !== String(on)) await sw.click();
  await page.locator('html.plain-language').waitFor({ state: on ? 'attached' : 'detached' });
}

/// A new report of `form`, with a name and a goal where the provider may write them.
async function newReport(page, form) {
  await page.goto(relay.url + '/#/');
  await plainLanguage(page, false);
  await page.getByRole('radio', { name: form, exact: true }).check();
  await page.getByRole('button', { name: 'Neuer Bericht' }).click();
  await page.locator('.report-form').waitFor();
  const name = page.locator('.report-form input[type=text]:not([readonly])').first();
  if (await name.count()) await name.fill(NAME);
  const add = page.getByRole('button', { name: 'Ziel hinzufügen' });
  if (await add.count()) {
    await add.click();
    const goal = page.locator('.goal-card').first().getByLabel('Nennung des Ziels');
    if (await goal.isEditable()) await goal.fill(GOAL);
  }
  await waitSaved(page);
  return page.url().match(/bericht\/([0-9a-f]+)/)[1];
}

async function closeDialog(page) {
  await page.keyboard.press('Escape');
  await page.locator('dialog[open]').waitFor({ state: 'detached' });
}

test('the walker finds standard German where it is shown (it can fail)', async () => {
  const { page } = await device(browser);
  await newReport(page, TEMPLATES[0]);
  const found = await plainProblems(page, { view: 'standard', data: DATA });
  assert.ok(found.some((p) => p.includes('"Pflichtfeld"')), found.slice(0, 5).join('\n'));
  assert.ok(found.some((p) => p.includes('"Verlauf"')), 'the field history in standard German');
  await page.context().close();
});

test('every view and dialog in Leichte Sprache speaks from the plain catalogue, in every form', async () => {
  const { page, errors } = await device(browser);
  const problems = [];
  const look = async (view, scope) => problems.push(...await plainProblems(page, { view, data: DATA, scope }));
  for (const form of TEMPLATES) {
    const id = await newReport(page, form);
    await plainLanguage(page, true);
    await look(`${form} · whole form`);
    // The paper form keeps the form's official words: Leichte Sprache offers no way there.
    assert.equal(await page.locator('#druckansicht').isVisible(), false, 'no print link in Leichte Sprache');

    await page.locator('.check-panel button.primary').click();
    await page.locator('.check-panel [role=status] p').first().waitFor();
    await look(`${form} · check`, '.check-panel');

    await page.locator('#exportieren').click();
    await look(`${form} · export`, 'dialog[open]');
    await closeDialog(page);

    // Sharing, with one invitation made: the card and the members list show.
    await page.locator('#teilen').click();
    const dialog = page.locator('dialog[open]');
    await dialog.locator('#einladen-name').fill('Lea Kaya');
    await dialog.locator('form.invite-form button[type=submit]').click();
    await dialog.locator('.invitation').first().waitFor();
    await look(`${form} · share`, 'dialog[open]');
    await closeDialog(page);

    await page.goto(`${relay.url}/#/bericht/${id}/meins`);
    await page.locator('.person-view').waitFor();
    await look(`${form} · the person's view`);

    await page.goto(`${relay.url}/#/bericht/${id}/gespraech`);
    await page.locator('.step-title').waitFor();
    for (let step = 0; step < 20; step += 1) {
      const title = await page.locator('.step-title').textContent();
      await look(`${form} · conversation: ${title}`);
      const next = page.locator('nav.agenda-top button.primary');
      if (await next.isDisabled()) break;
      await next.click();
      await page.waitForFunction((before) => document.querySelector('.step-title')?.textContent !== before, title);
    }
    await page.locator('.closing-summary').waitFor();
  }
  await page.goto(relay.url + '/#/');
  await page.locator('.case-list').waitFor();
  await look('the case list');
  await page.goto(relay.url + '/#/vorlagen');
  await page.locator('.template-list').waitFor();
  await look('the forms');
  await page.goto(relay.url + '/#/sperre');
  await page.locator('#neue-pin').waitFor();
  await look('the device lock');
  // Statistics of all reports are a staff tool: no link in Leichte Sprache, and reached by
  // its address the page says plainly whom it is for.
  await page.goto(relay.url + '/#/');
  await page.locator('.case-list').waitFor();
  assert.equal(await page.locator('#wirkung-link').isVisible(), false, 'no link to the statistics');
  await page.goto(relay.url + '/#/wirkung');
  await page.locator('.staff-only').waitFor();
  await look('the note on a staff page', '.staff-only');
  assert.deepEqual(problems, []);
  assert.deepEqual(errors, []);
  await page.context().close();
});

test('the lock screen and a broken invitation link in Leichte Sprache', async () => {
  const { page, errors } = await device(browser);
  await page.goto(relay.url + '/');
  await plainLanguage(page, true);
  const problems = [];
  const look = async (view) => problems.push(...await plainProblems(page, { view, data: DATA }));

  await page.goto(relay.url + '/#/einladung/kaputt');
  await page.locator('.join-page .message.error').waitFor();
  await look('a broken link');

  // A PIN, then the lock screen; a wrong PIN says so plainly.
  await page.goto(relay.url + '/#/sperre');
  await page.locator('#neue-pin').fill('482915');
  await page.locator('#neue-pin-2').fill('482915');
  await page.locator('#neue-pin-2').press('Enter');
  await page.locator('#sperren-titel').waitFor({ timeout: 30_000 });
  await look('the device lock, with a PIN');
  await page.locator('section[aria-labelledby=sperren-titel] button').click();
  await page.locator('.lock-page .pin-input').waitFor();
  await look('the lock screen');
  await page.locator('.lock-page .pin-input').fill('000000');
  await page.locator('.lock-page button[type=submit]').click();
  await page.locator('.lock-page .message.error:not(:empty)').waitFor();
  await look('the lock screen, a wrong PIN');
  assert.deepEqual(problems, []);
  assert.deepEqual(errors, []);
  await page.context().close();
});
