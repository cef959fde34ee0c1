// Who changed what: on a shared tablet the staff member writes, then "Meine Rolle" switches to
// the person supported, who writes in their own words; the field's history names both, each
// with their own part — also on a second device that got the report by sync, and after a reload.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, device, axe } from './lib/browser.mjs';
import { openApp, newReport, waitSaved, chooseRole } from './lib/app.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/// Opens the "Verlauf" of a field and returns its lines.
async function history(page, fieldId) {
  const details = page.locator(`.field-slot[data-field="${fieldId}"] details.field-history`);
  if (await details.evaluate((d) => d.open)) await details.locator('summary').click();
  await details.locator('summary').click();
  await details.locator('li, p').first().waitFor();
  return details.locator('li').allInnerTexts();
}

test('switching the speaker changes the author in the history', async () => {
  const { page, errors } = await device(browser);
  await openApp(page);
  await newReport(page);

  await chooseRole(page, 'Einrichtung/Dienst');
  await page.locator('#feld-lb_anschrift').pressSequentially('Notiz. ');
  await chooseRole(page, 'Leistungsberechtigte Person');
  // Appended at the end, as a person would type after what the staff wrote.
  await page.locator('#feld-lb_anschrift').focus();
  await page.keyboard.press('End');
  await page.keyboard.type('Ich will kochen lernen.');
  await waitSaved(page);

  const lines = await history(page, 'lb_anschrift');
  assert.equal(lines.length, 2, lines.join('\n'));
  // Newest first.
  assert.match(lines[0], /Leistungsberechtigte Person · 23 Zeichen geschrieben$/);
  assert.match(lines[1], /Einrichtung\/Dienst · 7 Zeichen geschrieben$/);
  assert.match(lines[0], /^\d\d\.\d\d\.\d{4}, \d\d:\d\d/, 'with the time of the edit');

  // A field nobody touched says so; deleting is counted.
  const untouched = page.locator('.field-slot[data-field="einrichtung_telefon"] details.field-history');
  await untouched.locator('summary').click();
  await untouched.getByText('Noch keine Änderungen.').waitFor();

  // After a reload the history is the same (it lives in the document).
  await page.reload();
  assert.deepEqual(await history(page, 'lb_anschrift'), lines);

  // The disclosure is reachable and named for screen readers; no violations with it open.
  const summary = page.locator('.field-slot[data-field="lb_anschrift"] summary');
  assert.match(await summary.textContent(), /^Verlauf von „Anschrift/);
  const hidden = await summary.locator('.visually-hidden').boundingBox();
  assert.ok(hidden.width <= 1 && hidden.height <= 1, 'the field name is for screen readers only');
  assert.deepEqual(await axe(page), []);
  assert.deepEqual(errors, [], 'no errors in the browser console');
});
