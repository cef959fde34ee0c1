// A staff member creates an Ergebnisbericht, fills in every field of the KVJS form, reloads —
// and everything is there. Then the same with the network off.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, device, baseUrl, kvjsTemplate } from './lib/browser.mjs';
import { openApp, newReport, waitSaved, fieldValues, fillField, fillGoals, goalValues } from './lib/app.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const template = kvjsTemplate();

test('every field of the KVJS form survives a reload and an offline reload', async () => {
  const { context, page, errors } = await device(browser);
  await openApp(page);
  await newReport(page);

  const expected = {};
  let n = 0;
  for (const section of template.sections) {
    for (const field of section.fields) {
      if (field.kind === 'goals') continue;
      expected[field.id] = await fillField(page, field, n++);
    }
  }
  const goals = await fillGoals(page, template);
  await waitSaved(page);
  const reportUrl = page.url();

  // A reload loses nothing.
  await page.reload();
  assert.deepEqual(await fieldValues(page, template), expected);
  assert.deepEqual(await goalValues(page), goals);

  // The network is gone: the app shell comes from the service worker, the report from IndexedDB.
  await page.waitForFunction(() => navigator.serviceWorker?.controller != null);
  await context.setOffline(true);
  await page.goto(baseUrl + '/');
  await page.goto(reportUrl);
  assert.deepEqual(await fieldValues(page, template), expected);
  assert.deepEqual(await goalValues(page), goals);
  await context.setOffline(false);

  assert.deepEqual(errors, [], 'no errors in the browser console');
  await context.close();
});
