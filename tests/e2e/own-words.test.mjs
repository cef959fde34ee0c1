// The person's own words (O-Ton): only they write the wishes, staff add a remark beside them,
// the view says whose words they are and whether they were typed or dictated; dictation is
// offered only where German is recognised on the device.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, device, axe } from './lib/browser.mjs';
import { openApp, newReport, waitSaved, chooseRole } from './lib/app.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const wishes = (page) => page.locator('#feld-wuensche');
const remark = (page) => page.locator('#feld-wuensche-anmerkung');
const byline = (page) => page.locator('[data-field="wuensche"] .own-words-by');

/// Waits until the control shows `value` (after a reload the report loads from storage first).
async function shows(locator, value) {
  await locator.evaluate((el, v) => new Promise((resolve, reject) => {
    const started = Date.now();
    const check = () => (el.value === v ? resolve() : Date.now() - started > 10_000 ? reject(new Error(`shows ${JSON.stringify(el.value)}, not ${JSON.stringify(v)}`)) : requestAnimationFrame(check));
    check();
  }), value);
}

test('only the person writes their wishes; staff write a remark beside them', async () => {
  const { page, errors } = await device(browser);
  await openApp(page);
  await newReport(page);
  await chooseRole(page, 'Einrichtung/Dienst');
  await page.locator('#feld-lb_name').fill('Muster, Mia');

  // Staff: the words are read-only, typing changes nothing; the remark is theirs.
  assert.equal(await wishes(page).evaluate((t) => t.readOnly), true);
  await wishes(page).focus();
  await page.keyboard.type('Sie möchte');
  assert.equal(await wishes(page).inputValue(), '');
  await remark(page).fill('Kochkurs im Stadtteil ab März.');
  // No speech recognition on this device: no dictation button.
  assert.equal(await page.getByRole('button', { name: 'Diktieren' }).count(), 0);

  await chooseRole(page, 'Leistungsberechtigte Person');
  assert.equal(await remark(page).evaluate((t) => t.readOnly), true);
  await wishes(page).pressSequentially('Ich will kochen lernen.');
  await byline(page).filter({ hasText: 'In eigenen Worten von Muster, Mia · getippt' }).waitFor();
  assert.equal(await page.getByRole('button', { name: 'Diktieren' }).count(), 0);
  await waitSaved(page);

  await page.reload();
  await shows(wishes(page), 'Ich will kochen lernen.');
  await shows(remark(page), 'Kochkurs im Stadtteil ab März.');
  // (textContent: sections out of sight are not laid out, so they have no innerText.)
  assert.match(await byline(page).textContent(), /· getippt$/);
  assert.deepEqual(await axe(page), []);
  assert.deepEqual(errors, []);
});

test('where German is recognised on the device, the person can dictate', async () => {
  const { context, page, errors } = await device(browser);
  // A recogniser that runs on the device, as the browser would offer it.
  await context.addInitScript(() => {
    class LocalRecognition {
      static async available(options) {
        return options?.processLocally && options.langs?.includes('de-DE') ? 'available' : 'unavailable';
      }
      start() {
        window.dictationAsked = { lang: this.lang, processLocally: this.processLocally };
        setTimeout(() => {
          this.onresult?.({ results: [[{ transcript: 'Ich will im Chor singen' }]] });
          this.onend?.({});
        }, 30);
      }
      stop() {}
      abort() {}
    }
    window.SpeechRecognition = LocalRecognition;
  });
  await openApp(page);
  await newReport(page);
  await chooseRole(page, 'Einrichtung/Dienst');
  assert.equal(await page.getByRole('button', { name: 'Diktieren' }).count(), 0, 'for staff: no dictation');

  await chooseRole(page, 'Leistungsberechtigte Person');
  await wishes(page).pressSequentially('Ich will kochen lernen.');
  await page.getByRole('button', { name: 'Diktieren' }).click();
  await page.waitForFunction(() => document.getElementById('feld-wuensche').value.includes('Chor'));
  assert.equal(await wishes(page).inputValue(), 'Ich will kochen lernen. Ich will im Chor singen');
  assert.deepEqual(await page.evaluate(() => window.dictationAsked), { lang: 'de-DE', processLocally: true });
  await byline(page).filter({ hasText: '· getippt und diktiert' }).waitFor();
  await waitSaved(page);
  await page.reload();
  await shows(wishes(page), 'Ich will kochen lernen. Ich will im Chor singen');
  assert.match(await byline(page).textContent(), /getippt und diktiert$/);
  assert.deepEqual(await axe(page), []);
  assert.deepEqual(errors, []);
});
