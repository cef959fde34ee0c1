// The person's words written down by staff, across two devices through the relay: the
// provider writes down what the person says beside the wishes ("gesagt von … · aufgeschrieben
// von …"), the person's own device shows the words as a quotation with "Vorlesen" and
// confirms them ("Ja, so habe ich das gesagt"); after that the provider can no longer change
// or remove them, the print says who said, who wrote and who confirmed, and a reload keeps it
// all. (That every device refuses a change built on the confirmation is tested natively:
// crates/model/tests/recorded_words.rs.)
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { axeSettled, device, focusOn, invite, join, launch, recordSpeech } from './lib/browser.mjs';
import { TestRelay } from './lib/relay.mjs';
import { chooseRole, waitSaved } from './lib/app.mjs';

let relay; let browser;
before(async () => {
  relay = await TestRelay.start();
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await relay?.stop();
});

const recording = (page) => page.locator('[data-field="wuensche"] .recorded').first();
const words = (page) => page.locator('#feld-wuensche-gesagt-1-text');

test('staff write down the person\'s words, the person confirms them, nobody changes them after', async () => {
  const a = await device(browser);
  // Read-aloud without a voice: record what would be spoken.
  await a.page.addInitScript(recordSpeech);
  await a.page.goto(relay.url + '/');
  await a.page.getByRole('button', { name: 'Neuer Bericht' }).click();
  await a.page.locator('#feld-lb_name').fill('Kaya, Lea');
  await waitSaved(a.page);

  // The provider writes down what the person says; focus goes into the new words.
  await a.page.getByRole('button', { name: 'Worte der Person aufschreiben' }).click();
  await a.page.waitForFunction(() => document.activeElement?.id === 'feld-wuensche-gesagt-1-text');
  await a.page.keyboard.type('Ich will im Sommer ans Meer.');
  const byline = /^gesagt von Kaya, Lea · aufgeschrieben von .*Einrichtung\/Dienst.* am \d\d\.\d\d\.\d{4}$/;
  assert.match(await recording(a.page).locator('.recorded-by').textContent(), byline);
  assert.equal(await recording(a.page).locator('.recorded-state').textContent(), 'Noch nicht bestätigt');
  // The words are beside the person's own field, never in it.
  assert.equal(await a.page.locator('#feld-wuensche').inputValue(), '');
  // Read aloud to the person, in standard German mode too.
  await recording(a.page).getByRole('button', { name: 'Vorlesen: Aufgeschriebene Worte 1' }).click();
  await a.page.waitForFunction(() => window.__spoken.includes('Ich will im Sommer ans Meer.'));
  // Only the person confirms: no such button on the provider's device.
  assert.equal(await a.page.getByRole('button', { name: 'Ja, so habe ich das gesagt' }).count(), 0);
  await waitSaved(a.page);

  // The person's own device, through the relay only.
  const link = await invite(a.page, 'beneficiary', 'Lea Kaya');
  const b = await join(browser, link, { direct: false });
  assert.equal(await b.page.getByLabel('Meine Rolle').inputValue(), 'beneficiary');
  await recording(b.page).locator('.recorded-text', { hasText: 'Ich will im Sommer ans Meer.' }).waitFor({ timeout: 30_000 });
  // Nobody but the writer has a box to change them.
  assert.equal(await words(b.page).count(), 0);
  assert.deepEqual(await axeSettled(b.page), []);
  await b.page.getByRole('button', { name: 'Ja, so habe ich das gesagt' }).click();
  const confirmed = /^Bestätigt von Kaya, Lea am \d\d\.\d\d\.\d{4}$/;
  await b.page.locator('#feld-wuensche-gesagt-1-stand', { hasText: confirmed }).waitFor();
  // Focus stays in the recording (the pressed button is gone).
  await focusOn(b.page, 'feld-wuensche-gesagt-1-stand');

  // The provider's device: confirmed, and no longer theirs to change or remove.
  await a.page.locator('#feld-wuensche-gesagt-1-stand', { hasText: confirmed }).waitFor({ timeout: 30_000 });
  assert.equal(await words(a.page).count(), 0);
  assert.equal(await a.page.getByRole('button', { name: 'Aufgeschriebene Worte 1 entfernen' }).count(), 0);
  await recording(a.page).locator('.recorded-text', { hasText: 'Ich will im Sommer ans Meer.' }).waitFor();
  assert.equal(await recording(a.page).evaluate((el) => el.classList.contains('recorded-confirmed')), true);
  assert.deepEqual(await axeSettled(a.page), []);

  // A second recording, written and removed again before anyone confirmed it.
  await a.page.getByRole('button', { name: 'Worte der Person aufschreiben' }).click();
  await a.page.waitForFunction(() => document.activeElement?.id === 'feld-wuensche-gesagt-2-text');
  await a.page.keyboard.type('Und schwimmen.');
  await a.page.getByRole('button', { name: 'Aufgeschriebene Worte 2 entfernen' }).click();
  await a.page.locator('#gesagt-entfernen-frage').waitFor();
  await a.page.getByRole('button', { name: 'Entfernen', exact: true }).click();
  await a.page.locator('#feld-wuensche-gesagt-2-text').waitFor({ state: 'detached' });
  await b.page.locator('[data-field="wuensche"] .recorded', { hasText: 'Und schwimmen.' }).waitFor({ state: 'detached', timeout: 30_000 });

  // The print says who said, who wrote it down, and who confirmed it.
  await waitSaved(a.page);
  await a.page.locator('#druckansicht').click();
  const printed = a.page.locator('.print-recorded').first();
  await printed.waitFor();
  assert.match(await printed.locator('.print-recorded-by').textContent(), /^\(gesagt von Kaya, Lea · aufgeschrieben von .*\)$/);
  assert.equal(await printed.locator('.print-recorded-text').textContent(), '„Ich will im Sommer ans Meer.“');
  assert.match(await printed.locator('.print-recorded-state').textContent(), confirmed);

  // A reload of the person's device keeps the confirmation.
  await b.page.reload();
  await b.page.locator('#feld-wuensche-gesagt-1-stand', { hasText: confirmed }).waitFor({ timeout: 30_000 });
  assert.equal(await b.page.getByRole('button', { name: 'Ja, so habe ich das gesagt' }).count(), 0);

  // In Leichte Sprache the person is addressed as "Sie".
  await b.page.getByRole('button', { name: 'Leichte Sprache' }).click();
  await b.page.locator('html.plain-language').waitFor({ state: 'attached' });
  await recording(b.page).locator('.recorded-by', { hasText: /^Das haben Sie gesagt\. .* hat das aufgeschrieben\.$/ }).waitFor();
  await recording(b.page).locator('.recorded-state', { hasText: 'Sie haben gesagt: Das stimmt so.' }).waitFor();
  assert.deepEqual(a.errors, []);
  assert.deepEqual(b.errors, []);
});

test('on one tablet: staff write the words down, the person takes the pen and confirms them', async () => {
  const { page, errors } = await device(browser);
  await page.setViewportSize({ width: 1024, height: 768 });
  await page.goto(relay.url + '/');
  await page.getByRole('button', { name: 'Neuer Bericht' }).click();
  await page.locator('#feld-lb_name').fill('Kaya, Lea');
  await page.getByRole('button', { name: 'Worte der Person aufschreiben' }).click();
  await page.waitForFunction(() => document.activeElement?.id === 'feld-wuensche-gesagt-1-text');
  await page.keyboard.type('Ich will ans Meer.');
  await chooseRole(page, 'Leistungsberechtigte Person');
  // What was typed a moment ago is what the person is asked to confirm.
  await recording(page).locator('.recorded-text', { hasText: 'Ich will ans Meer.' }).waitFor();
  await page.getByRole('button', { name: 'Ja, so habe ich das gesagt' }).click();
  await page.locator('#feld-wuensche-gesagt-1-stand', { hasText: /^Bestätigt von Kaya, Lea am / }).waitFor();
  // Back with staff: the words are no longer theirs to change.
  await chooseRole(page, 'Einrichtung/Dienst');
  await recording(page).locator('.recorded-text', { hasText: 'Ich will ans Meer.' }).waitFor();
  assert.equal(await words(page).count(), 0);
  assert.deepEqual(errors, []);
});
