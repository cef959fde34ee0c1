// Keyboard only, and touch: everything reachable with Tab and usable with Enter/Space/arrows;
// every control large enough for a finger on a tablet.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, device } from './lib/browser.mjs';
import { openApp, waitSaved } from './lib/app.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/// Presses Tab until the focused element matches `selector` (and, if given, has the text);
/// fails if it is never reached.
async function tabTo(page, selector, text = null, max = 400) {
  for (let i = 0; i < max; i++) {
    const hit = await page.evaluate(([s, t]) => {
      const el = document.activeElement;
      return !!el && el.matches(s) && (t === null || el.textContent.trim() === t);
    }, [selector, text]);
    if (hit) return;
    await page.keyboard.press('Tab');
  }
  assert.fail(`${selector} ${text ?? ''} cannot be reached with the Tab key`);
}

test('a report can be created and filled with the keyboard alone', async () => {
  const { context, page } = await device(browser);
  await openApp(page);
  await tabTo(page, 'button', 'Neuer Bericht');
  await page.keyboard.press('Enter');
  await page.locator('#feld-lb_name').waitFor();
  await tabTo(page, '#feld-lb_name');
  await page.keyboard.type('Tastatur, Tina');
  // Date inputs are the browser's own control (its segment order follows the UI language).
  await tabTo(page, '#feld-lb_geburtsdatum');

  // A goal: add it, type its text, rate it with the arrow keys.
  await tabTo(page, 'button', 'Ziel hinzufügen');
  await page.keyboard.press('Enter');
  const card = page.locator('.goal-card').first();
  await card.waitFor();
  await tabTo(page, '.goal-card textarea');
  await page.keyboard.type('Allein Bus fahren');
  await tabTo(page, '.goal-card input[type=radio]');
  await page.keyboard.press('Space');
  await page.keyboard.press('ArrowDown');
  await waitSaved(page);

  await page.reload();
  assert.equal(await page.locator('#feld-lb_name').inputValue(), 'Tastatur, Tina');
  assert.equal(await card.getByLabel('Nennung des Ziels').inputValue(), 'Allein Bus fahren');
  assert.equal(await card.locator('input[type=radio]:checked').getAttribute('value'), '2');
  await context.close();
});

test('every control in the case list and the editor is at least 44 × 44 px', async () => {
  const { context, page } = await device(browser);
  await page.setViewportSize({ width: 768, height: 1024 }); // a tablet
  await openApp(page);
  await page.getByRole('button', { name: 'Neuer Bericht' }).click();
  await page.locator('#feld-lb_name').fill('Klein, Karl');
  await waitSaved(page);
  await page.getByRole('button', { name: 'Ziel hinzufügen' }).click();
  await page.locator('.goal-card input[type=radio][name$="-erreichung"][value="1"]').check();
  const tooSmall = async () => page.evaluate(() => {
    const out = [];
    // Radio buttons are sized by their whole label, which is the touch target.
    const targets = document.querySelectorAll('button, a[href], select, textarea, input:not([type=radio]):not([type=checkbox]), label.choice');
    for (const el of targets) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) continue; // not shown
      if (r.width < 44 || r.height < 44) out.push(`${el.tagName.toLowerCase()}#${el.id} "${el.textContent.trim().slice(0, 30)}" ${Math.round(r.width)}×${Math.round(r.height)}`);
    }
    return out;
  });
  assert.deepEqual(await tooSmall(), [], 'editor');
  await page.getByRole('link', { name: 'Alle Berichte' }).click();
  await page.getByRole('heading', { name: 'Berichte', level: 1 }).waitFor();
  assert.deepEqual(await tooSmall(), [], 'case list');
  await context.close();
});
