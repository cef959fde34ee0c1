// Two tabs of one browser show the same report: what is typed in one appears in the other as it
// is typed, with no network and whether the report is shared or not, and neither tab says
// "gespeichert" over text that is not what is stored.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { device, invite, launch, synced } from './lib/browser.mjs';
import { newReport, openApp, waitSaved } from './lib/app.mjs';

const FIELD = '#feld-entwicklung_freizeit';

/// Types `text` at the end of the field in `from` and waits until `to` shows `expected`;
/// returns how long after the last keystroke that took (printed, not asserted).
async function typedAcross(from, to, text, expected) {
  await from.locator(FIELD).focus();
  await from.keyboard.press('Control+End');
  await from.locator(FIELD).pressSequentially(text, { delay: 20 });
  const typed = Date.now();
  await to.waitForFunction(
    ([sel, want]) => document.querySelector(sel)?.value === want,
    [FIELD, expected],
    { timeout: 10_000 },
  );
  return Date.now() - typed;
}

describe('two tabs of one browser', () => {
  let browser; let first; let second; let url;

  before(async () => {
    browser = await launch();
    first = await device(browser);
    await openApp(first.page);
    await newReport(first.page);
    url = first.page.url();
    // A second tab of the same browser (same storage): the same report, by its address.
    second = { page: await first.context.newPage(), errors: [] };
    second.page.on('pageerror', (e) => second.errors.push(String(e)));
    second.page.on('console', (m) => { if (m.type() === 'error') second.errors.push(m.text()); });
    await second.page.goto(url);
    await second.page.locator(FIELD).waitFor();
  });

  after(async () => {
    const errors = [first, second].map((d) => d?.errors ?? []);
    await browser?.close();
    for (const e of errors) assert.deepEqual(e, [], 'no errors in the page');
  });


  test('an edit in one tab shows in the other while typing, both ways, with no network', async () => {
    await first.context.setOffline(true);
    const ms1 = await typedAcross(first.page, second.page, 'Erster Tab schreibt.', 'Erster Tab schreibt.');
    const ms2 = await typedAcross(second.page, first.page, ' Zweiter auch.', 'Erster Tab schreibt. Zweiter auch.');
    console.log(`tab to tab: ${ms1} ms and ${ms2} ms after the last keystroke`);
    await first.context.setOffline(false);
    // Both say "gespeichert", and what they show is what is stored: a reload shows it.
    await waitSaved(first.page);
    await waitSaved(second.page);
    await second.page.reload();
    await second.page.locator(FIELD).waitFor();
    assert.equal(await second.page.locator(FIELD).inputValue(), 'Erster Tab schreibt. Zweiter auch.');
  });

  test('a shared report: typing in either tab reaches the other', async () => {
    await invite(first.page, 'caseworker', 'Frau Amt');
    await synced(first.page);
    const before = await first.page.locator(FIELD).inputValue();
    await typedAcross(second.page, first.page, ' Geteilt.', before + ' Geteilt.');
    await typedAcross(first.page, second.page, ' Weiter.', before + ' Geteilt. Weiter.');
  });
});

describe('a tab that was alone with a report', () => {
  let browser; let first; let second;

  before(async () => {
    browser = await launch();
    first = await device(browser);
    await openApp(first.page);
    await newReport(first.page);
  });

  after(async () => {
    const errors = [first, second].map((d) => d?.errors ?? []);
    await browser?.close();
    for (const e of errors) assert.deepEqual(e, [], 'no errors in the page');
  });

  test('a second tab opened right after typing gets everything, and then both follow each other', async () => {
    // Typed while alone (a lone tab posts nothing), and the second tab opens at once: the
    // last keystrokes may not be stored yet when it reads storage.
    await first.page.locator(FIELD).focus();
    await first.page.locator(FIELD).pressSequentially('Allein getippt.', { delay: 20 });
    second = { page: await first.context.newPage(), errors: [] };
    second.page.on('pageerror', (e) => second.errors.push(String(e)));
    second.page.on('console', (m) => { if (m.type() === 'error') second.errors.push(m.text()); });
    await second.page.goto(first.page.url());
    await second.page.waitForFunction(
      ([sel, want]) => document.querySelector(sel)?.value === want,
      [FIELD, 'Allein getippt.'],
      { timeout: 10_000 },
    );
    // From now on each tab's keystrokes reach the other.
    await typedAcross(second.page, first.page, ' Zweiter.', 'Allein getippt. Zweiter.');
    await typedAcross(first.page, second.page, ' Erster.', 'Allein getippt. Zweiter. Erster.');
  });
});
