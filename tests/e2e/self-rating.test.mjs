// The person supported rates their own goal with the five faces, beside the provider's
// Zielerreichung: both are kept, a difference is shown as something to talk about, and only
// the person's role can choose a face.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, device, axe } from './lib/browser.mjs';
import { openApp, newReport, waitSaved, chooseRole } from './lib/app.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const faces = (card) => card.locator('fieldset.self-rating input[type=radio]');
const achievement = (card) => card.locator('input[type=radio][name$="-erreichung"]');

test('the self-rating and the provider rating are both kept; a difference is pointed out', async () => {
  const { page, errors } = await device(browser);
  await openApp(page);
  await newReport(page);

  await chooseRole(page, 'Einrichtung/Dienst');
  await page.getByRole('button', { name: 'Ziel hinzufügen' }).click();
  const card = page.locator('.goal-card').first();
  await card.getByLabel('Nennung des Ziels').fill('Allein einkaufen');
  await achievement(card).and(page.locator('[value="3"]')).check();
  // Staff cannot choose a face for the person.
  assert.equal(await faces(card).count(), 5);
  for (let i = 0; i < 5; i++) assert.equal(await faces(card).nth(i).isDisabled(), true);

  await chooseRole(page, 'Leistungsberechtigte Person');
  // The person picks by the plain-language sentence beside the face.
  await card.getByLabel('Es hat ganz geklappt. Oder es ist sogar besser geworden.').check();
  const difference = card.locator('.rating-difference');
  await difference.waitFor();
  assert.match(await difference.innerText(), /Einrichtung „\(3\) teilweise erreicht“, leistungsberechtigte Person „\(5\) völlig erreicht oder übertroffen“/);
  await waitSaved(page);

  // Both survive a reload, side by side.
  await page.reload();
  const again = page.locator('.goal-card').first();
  await again.waitFor();
  assert.equal(await achievement(again).and(page.locator(':checked')).getAttribute('value'), '3');
  assert.equal(await faces(again).and(page.locator(':checked')).getAttribute('value'), '5');
  await again.locator('.rating-difference').waitFor();

  // The same rating: nothing to point out.
  await chooseRole(page, 'Leistungsberechtigte Person');
  await again.getByLabel('Es hat zum Teil geklappt.').check();
  await again.locator('.rating-difference').waitFor({ state: 'detached' });

  assert.deepEqual(await axe(page), []);
  assert.deepEqual(errors, [], 'no errors in the browser console');
});
