// The case list: search by name, delete with confirmation and undo, a damaged stored report
// that is reported by name and kept, and an accessibility scan of both views.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, device, axe } from './lib/browser.mjs';
import { openApp, newReport, waitSaved } from './lib/app.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function reportNamed(page, name) {
  await openApp(page);
  await newReport(page);
  await page.locator('#feld-lb_name').fill(name);
  await waitSaved(page);
  await page.getByRole('link', { name: 'Alle Berichte' }).click();
  await page.getByRole('heading', { name: 'Berichte', level: 1 }).waitFor();
}

const rows = (page) => page.locator('.case-list .case');

test('search finds a report by the beneficiary name', async () => {
  const { context, page } = await device(browser);
  await reportNamed(page, 'Müller, Anna');
  await reportNamed(page, 'Schmidt, Ben');
  await page.getByLabel('Suchen nach Name').fill('schmi');
  await assertRows(page, ['Schmidt, Ben']);
  await page.getByLabel('Suchen nach Name').fill('');
  await assertRows(page, ['Müller, Anna', 'Schmidt, Ben']);
  await context.close();
});

test('delete asks first, can be undone, and is gone only when the undo time has passed', async () => {
  const { context, page } = await device(browser);
  await reportNamed(page, 'Keller, Cem');
  await reportNamed(page, 'Lang, Dora');

  // Cancelling the confirmation deletes nothing.
  await page.getByRole('button', { name: 'Bericht von Keller, Cem löschen' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Abbrechen' }).click();
  await assertRows(page, ['Keller, Cem', 'Lang, Dora']);

  // Delete, then undo: the report is back and survives a reload.
  await page.getByRole('button', { name: 'Bericht von Keller, Cem löschen' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Löschen' }).click();
  await assertRows(page, ['Lang, Dora']);
  await page.getByRole('button', { name: 'Rückgängig' }).click();
  await assertRows(page, ['Keller, Cem', 'Lang, Dora']);
  await page.reload();
  await assertRows(page, ['Keller, Cem', 'Lang, Dora']);

  // Delete and let the undo offer run out: gone, also after a reload.
  await page.getByRole('button', { name: 'Bericht von Lang, Dora löschen' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Löschen' }).click();
  await page.getByRole('button', { name: 'Rückgängig' }).waitFor({ state: 'detached', timeout: 30_000 });
  await page.reload();
  await assertRows(page, ['Keller, Cem']);
  await context.close();
});

test('a damaged stored report is named, kept and downloadable; the others still open', async () => {
  const { context, page } = await device(browser);
  await reportNamed(page, 'Heil, Emil');
  const garbage = [0x85, 0x6f, 0x4a, 0x83, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  await page.evaluate((bytes) => new Promise((resolve, reject) => {
    const open = indexedDB.open('dreieck');
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const tx = open.result.transaction(['docs'], 'readwrite');
      tx.objectStore('docs').add(new Uint8Array(bytes), ['kaputt0000', 0]);
      tx.oncomplete = () => { open.result.close(); resolve(); };
      tx.onerror = () => reject(tx.error);
    };
  }), garbage);
  await page.reload();
  const broken = page.locator('.case.broken');
  await broken.waitFor();
  assert.match(await broken.textContent(), /kaputt0000/);
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    broken.getByRole('button', { name: /Rohdaten herunterladen/ }).click(),
  ]);
  const saved = await download.createReadStream();
  const chunks = [];
  for await (const c of saved) chunks.push(c);
  assert.deepEqual([...Buffer.concat(chunks)], garbage, 'the raw bytes are kept untouched');

  await page.getByRole('link', { name: /Heil, Emil/ }).click();
  assert.equal(await page.locator('#feld-lb_name').inputValue(), 'Heil, Emil');
  await context.close();
});

test('axe-core finds no accessibility violations in the case list and the editor', async () => {
  const { context, page } = await device(browser);
  await reportNamed(page, 'Ahmadi, Farah');
  assert.deepEqual(await axe(page), [], 'case list');
  await page.getByRole('link', { name: /Ahmadi, Farah/ }).click();
  await page.locator('#feld-lb_name').waitFor();
  await page.getByRole('button', { name: 'Ziel hinzufügen' }).click();
  await page.locator('.goal-card input[type=radio][name$="-erreichung"][value="2"]').check();
  assert.deepEqual(await axe(page), [], 'editor');
  await context.close();
});

async function assertRows(page, names) {
  await page.waitForFunction(
    (n) => document.querySelectorAll('.case-list .case:not(.broken)').length === n,
    names.length,
  );
  const titles = await rows(page).locator('.case-title').allTextContents();
  assert.deepEqual(titles.sort(), [...names].sort());
}
