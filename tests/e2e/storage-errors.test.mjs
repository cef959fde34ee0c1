// A full device: the write fails, the user is told plainly, nothing typed is dropped, and the
// edit is stored once there is room again.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, device } from './lib/browser.mjs';
import { openApp, newReport, waitSaved } from './lib/app.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('a quota error is shown, keeps the edit, and the retry stores it', async () => {
  const { context, page } = await device(browser);
  await openApp(page);
  await newReport(page);
  await page.locator('#feld-lb_name').fill('Voll, Vera');
  await waitSaved(page);

  // The device is full: every IndexedDB write is refused as the browser refuses it.
  await page.evaluate(() => {
    const refuse = function () { throw new DOMException('The quota has been exceeded.', 'QuotaExceededError'); };
    window.__realAdd = IDBObjectStore.prototype.add;
    window.__realPut = IDBObjectStore.prototype.put;
    IDBObjectStore.prototype.add = refuse;
    IDBObjectStore.prototype.put = refuse;
  });
  await page.locator('#feld-lb_anschrift').fill('Am Speicher 1');
  const status = page.locator('.save-status');
  await page.locator('.save-status', { hasText: /^Nicht gespeichert/ }).waitFor();
  assert.match(await status.textContent(), /Speicher dieses Geräts ist voll/, 'the message says the storage is full');
  assert.equal(await page.locator('#feld-lb_anschrift').inputValue(), 'Am Speicher 1', 'the typed text stays');

  // Room again: "Erneut versuchen" stores the edit, and a reload shows it.
  await page.evaluate(() => {
    IDBObjectStore.prototype.add = window.__realAdd;
    IDBObjectStore.prototype.put = window.__realPut;
  });
  await page.getByRole('button', { name: 'Erneut versuchen' }).click();
  await waitSaved(page);
  await page.reload();
  assert.equal(await page.locator('#feld-lb_anschrift').inputValue(), 'Am Speicher 1');
  assert.equal(await page.locator('#feld-lb_name').inputValue(), 'Voll, Vera');
  await context.close();
});
