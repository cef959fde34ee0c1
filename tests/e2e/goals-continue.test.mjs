// Goals that continue (issue 16, part 2): the next Ergebnisbericht starts from the last one
// with the goals that go on, each goal carries its level, target day and its measures, each
// measure with who carries it out and by when; goals are taken from the Gesamtplan as a pasted list or a text file;
// every card says whether its goal continued, came from the plan or is new. A bad list names
// its line and changes nothing; everything survives a reload.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { axeSettled, focusOn, launch, device } from './lib/browser.mjs';
import { openApp, newReport, waitSaved, chooseRole, fillGoals } from './lib/app.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const cards = (page) => page.locator('.goal-card');
const origins = async (page) => (await page.locator('.goal-card .goal-origin').allTextContents()).map((t) => t.trim());
const texts = async (page) => page.locator('.goal-card textarea[id$="-text"]:not([id*="-massnahme-"])').evaluateAll((els) => els.map((e) => e.value));

test('the next report continues the goals that go on, and goals come from the Gesamtplan', async () => {
  const { context, page, errors } = await device(browser);
  await openApp(page);
  await chooseRole(page, 'Einrichtung/Dienst');
  await newReport(page);
  await page.locator('#feld-lb_name').fill('Berger, Jan');
  await page.locator('#feld-gesamtplan_vom').fill('2025-01-10');
  // Reached (5), not reached (2), partly reached (3): the first stays behind.
  await fillGoals(page);
  assert.deepEqual(await origins(page), ['neu in diesem Bericht', 'neu in diesem Bericht', 'neu in diesem Bericht']);
  const bus = cards(page).nth(1);
  await bus.getByLabel('Zielebene').selectOption({ label: 'Handlungsziel' });
  await bus.getByLabel('Zu erreichen bis').fill('2027-06-30');
  const label = (card, name) => card.getByLabel(name, { exact: true });
  await label(bus, 'Wer führt Maßnahme 1 durch?').fill('Frau Berger, Wohngruppe');
  await label(bus, 'Wer führt Maßnahme 1 durch?').press('Tab');
  await label(bus, 'Maßnahme 1 bis').fill('2027-03-31');
  // A second measure with its own who; focus goes into its text.
  await bus.getByRole('button', { name: 'Weitere Maßnahme', exact: true }).click();
  await label(bus, 'Maßnahme 2').waitFor();
  assert.ok(await label(bus, 'Maßnahme 2').evaluate((el) => el === document.activeElement), 'focus moves into the new measure');
  await page.keyboard.type('Fahrplan lesen üben');
  await label(bus, 'Wer führt Maßnahme 2 durch?').fill('Herr Adler');
  await label(bus, 'Wer führt Maßnahme 2 durch?').press('Tab');
  // A third, written in and removed: asked first, then gone; a blank one goes without asking.
  await bus.getByRole('button', { name: 'Weitere Maßnahme', exact: true }).click();
  await label(bus, 'Maßnahme 3').fill('Versehen');
  await bus.getByRole('button', { name: 'Maßnahme 3 entfernen', exact: true }).click();
  const ask = page.locator('dialog[open]');
  await ask.waitFor();
  assert.match(await ask.textContent(), /Maßnahme 3 wirklich entfernen\?/);
  await ask.getByRole('button', { name: 'Maßnahme entfernen', exact: true }).click();
  await label(bus, 'Maßnahme 3').waitFor({ state: 'detached' });
  await bus.getByRole('button', { name: 'Weitere Maßnahme', exact: true }).click();
  await bus.getByRole('button', { name: 'Maßnahme 3 entfernen', exact: true }).click();
  await label(bus, 'Maßnahme 3').waitFor({ state: 'detached' });
  assert.equal(await page.locator('dialog[open]').count(), 0);
  assert.equal(await bus.locator('.measure').count(), 2);
  await waitSaved(page);
  const lastUrl = page.url();

  await page.getByRole('button', { name: 'Folgebericht anlegen' }).click();
  await page.waitForURL((u) => u.href !== lastUrl && u.hash.startsWith('#/bericht/'));
  await page.locator('#feld-lb_name').waitFor();
  assert.equal(await page.locator('#feld-lb_name').inputValue(), 'Berger, Jan');
  assert.equal(await page.locator('#feld-gesamtplan_vom').inputValue(), '2025-01-10');
  assert.equal(await page.locator('#feld-berichtszeitraum-to').inputValue(), '', 'the new period is this report\'s');
  await cards(page).first().waitFor();
  assert.deepEqual(await texts(page), ['Mit dem Bus zur Arbeit fahren', 'Eine Freizeitgruppe finden']);
  assert.deepEqual(await origins(page), ['aus dem letzten Bericht fortgeschrieben', 'aus dem letzten Bericht fortgeschrieben']);
  const carried = cards(page).first();
  assert.equal(await carried.getByLabel('Zielebene').inputValue(), 'handlungsziel');
  assert.equal(await carried.getByLabel('Zu erreichen bis').inputValue(), '2027-06-30');
  assert.equal(await label(carried, 'Wer führt Maßnahme 1 durch?').inputValue(), 'Frau Berger, Wohngruppe');
  assert.equal(await label(carried, 'Maßnahme 1 bis').inputValue(), '2027-03-31');
  assert.equal(await label(carried, 'Maßnahme 2').inputValue(), 'Fahrplan lesen üben');
  assert.equal(await label(carried, 'Wer führt Maßnahme 2 durch?').inputValue(), 'Herr Adler');
  assert.equal(await label(carried, 'Maßnahme 2 bis').inputValue(), '');
  assert.equal(await carried.locator('input[type=radio]:checked').count(), 0, 'last period\'s ratings stay behind');

  // A bad list names its line and adds nothing.
  await page.getByRole('button', { name: 'Ziele aus dem Gesamtplan übernehmen' }).click();
  const list = page.getByLabel('Ziele aus dem Gesamtplan', { exact: true });
  await focusOn(page, 'ziele-liste', 'focus moves into the panel');
  await list.fill('Ich wohne allein.\nIch koche selbst. (bis 31.02.2027)');
  await page.getByRole('button', { name: 'Übernehmen', exact: true }).click();
  const failed = page.locator('.goal-import-outcome .message.error');
  await failed.waitFor();
  assert.match(await failed.textContent(), /Zeile 2: „31\.02\.2027“ ist kein gültiges Datum.*Am Bericht wurde nichts geändert\./);
  assert.equal(await cards(page).count(), 2);
  // A good one arrives whole, after the goals there are.
  await list.fill('Wirkungsziel: Ich wohne weiter in meiner Wohnung.\nHandlungsziel: Ich koche einmal pro Woche selbst. (bis 31.12.2027)\n  Maßnahme: Kochkurs (Herr Adler, bis 30.09.2027)\n  Maßnahme: Einkaufsliste schreiben (Frau Berger)');
  await page.getByRole('button', { name: 'Übernehmen', exact: true }).click();
  await page.locator('.goal-import-outcome .message.ok', { hasText: '2 Ziele aus dem Gesamtplan übernommen.' }).waitFor();
  assert.equal(await cards(page).count(), 4);
  assert.deepEqual((await origins(page)).slice(2), ['aus dem Gesamtplan übernommen', 'aus dem Gesamtplan übernommen']);
  const cooking = cards(page).nth(3);
  assert.equal(await cooking.getByLabel('Zielebene').inputValue(), 'handlungsziel');
  assert.equal(await cooking.getByLabel('Zu erreichen bis').inputValue(), '2027-12-31');
  assert.equal(await label(cooking, 'Wer führt Maßnahme 1 durch?').inputValue(), 'Herr Adler');
  assert.equal(await label(cooking, 'Maßnahme 2').inputValue(), 'Einkaufsliste schreiben');
  assert.equal(await label(cooking, 'Wer führt Maßnahme 2 durch?').inputValue(), 'Frau Berger');
  assert.equal(
    await page.evaluate(() => document.activeElement?.value),
    'Ich wohne weiter in meiner Wohnung.',
    'focus moves to the first goal taken',
  );

  // From a file: something that is not text is refused; a text file is taken.
  await page.getByRole('button', { name: 'Ziele aus dem Gesamtplan übernehmen' }).click();
  await page.setInputFiles('#ziele-datei', { name: 'plan.png', mimeType: 'image/png', buffer: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 13]) });
  await page.locator('.goal-import-outcome .message.error', { hasText: 'enthält keinen Text' }).waitFor();
  assert.equal(await cards(page).count(), 4);
  await page.setInputFiles('#ziele-datei', { name: 'plan.txt', mimeType: 'text/plain', buffer: Buffer.from('\ufeff- Ich gehe in einen Sportverein.\n', 'utf8') });
  await page.locator('.goal-import-outcome .message.ok', { hasText: '1 Ziel aus dem Gesamtplan übernommen.' }).waitFor();
  assert.equal(await cards(page).count(), 5);
  assert.deepEqual(await axeSettled(page), []);

  // A reload loses nothing.
  await waitSaved(page);
  await page.reload();
  await cards(page).nth(4).waitFor();
  assert.deepEqual(await texts(page), [
    'Mit dem Bus zur Arbeit fahren', 'Eine Freizeitgruppe finden',
    'Ich wohne weiter in meiner Wohnung.', 'Ich koche einmal pro Woche selbst.', 'Ich gehe in einen Sportverein.',
  ]);
  assert.equal(await label(cards(page).nth(3), 'Maßnahme 1 bis').inputValue(), '2027-09-30');
  assert.equal(await label(cards(page).first(), 'Wer führt Maßnahme 2 durch?').inputValue(), 'Herr Adler');

  // In Leichte Sprache the card says it plainly, with the SMART questions.
  await page.getByRole('button', { name: 'Leichte Sprache' }).click();
  await page.locator('.goal-card .goal-origin', { hasText: 'Das Ziel war schon im letzten Bericht.' }).first().waitFor();
  assert.match(await cards(page).first().locator('.field-help').first().textContent(), /Woran merken Sie: Ich habe es geschafft\?/);
  assert.equal(await label(cards(page).first(), 'Nummer 2: Wer macht das?').inputValue(), 'Herr Adler');
  // The list's explanation too, one sentence per line.
  await page.getByRole('button', { name: 'Ziele aus dem Gesamt-Plan holen' }).click();
  await page.getByLabel('Ziele aus dem Gesamt-Plan', { exact: true }).waitFor();
  assert.deepEqual(await page.locator('#ziele-liste-hilfe .sentence').allTextContents(), [
    'Schreiben Sie jedes Ziel in eine eigene Zeile.',
    'Vorne darf stehen:', 'Wirkungsziel, Bereichsziel oder Handlungsziel.',
    'Hinten darf stehen:', 'bis und ein Datum.',
    'Eine Zeile über eine Hilfe gehört zum Ziel darüber.',
    'Die Zeile fängt mit dem Wort Maß-Nahme an.',
  ]);
  assert.deepEqual(await axeSettled(page), [], 'in Leichte Sprache');
  assert.deepEqual(errors, []);
  await context.close();
});
