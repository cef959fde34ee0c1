// Keyboard only, and touch: everything reachable with Tab and usable with Enter/Space/arrows;
// every control large enough for a finger on a tablet.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, device, invite } from './lib/browser.mjs';
import { chooseRole, openApp, waitSaved } from './lib/app.mjs';

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

/// Where the focused control is hidden under the editor bar or below the window, after
/// `presses` presses of `key`; empty when it never is.
async function hiddenWhileTabbing(page, key, presses) {
  const hidden = [];
  for (let i = 0; i < presses; i++) {
    await page.keyboard.press(key);
    // Scrolling is smooth: wait until the page stands still (three frames without moving).
    await page.evaluate(() => new Promise((resolve) => {
      let last = -1; let still = 0; let frames = 0;
      const tick = () => {
        still = window.scrollY === last ? still + 1 : 0;
        last = window.scrollY;
        if (still >= 3 || ++frames > 120) resolve(); else requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    }));
    const seen = await page.evaluate(() => {
      const el = document.activeElement;
      const bar = document.querySelector('.editor-bar');
      if (!el || !bar || bar.contains(el) || el === document.body) return null;
      const r = el.getBoundingClientRect();
      const b = bar.getBoundingClientRect();
      // Under the bar, or out of the window; the header above a bar not yet stuck is neither.
      const hidden = (r.top < b.bottom && r.bottom > b.top) || r.bottom <= 0 || r.top > window.innerHeight;
      return hidden
        ? `${el.id || el.tagName} at ${Math.round(r.top)} (bar from ${Math.round(b.top)} to ${Math.round(b.bottom)})`
        : null;
    });
    if (seen) hidden.push(seen);
  }
  return hidden;
}

test('focus is never hidden under the editor bar, going forward or backward, with the bar grown offline', async () => {
  const { context, page } = await device(browser);
  await page.setViewportSize({ width: 1024, height: 768 }); // a tablet, landscape
  await openApp(page);
  await page.getByRole('button', { name: 'Neuer Bericht' }).click();
  await page.locator('#feld-lb_name').fill('Fokus, Frieda');
  await invite(page, 'caseworker', 'Herr Amt');
  await page.locator('#feld-lb_name').focus();
  assert.deepEqual(await hiddenWhileTabbing(page, 'Tab', 60), [], 'forward');
  assert.deepEqual(await hiddenWhileTabbing(page, 'Shift+Tab', 60), [], 'backward');
  // A tablet upright too: the sections below the first screen are laid out later there.
  await page.setViewportSize({ width: 768, height: 1024 });
  await page.locator('#feld-lb_name').focus();
  assert.deepEqual(await hiddenWhileTabbing(page, 'Tab', 60), [], 'forward, upright');
  assert.deepEqual(await hiddenWhileTabbing(page, 'Shift+Tab', 60), [], 'backward, upright');
  await page.setViewportSize({ width: 1024, height: 768 });
  // Offline, the bar says so and grows; going back up must still clear it.
  await context.setOffline(true);
  await page.locator('.sync-status[data-state="offline"]').waitFor({ timeout: 15_000 });
  await page.locator('#feld-lb_anschrift').fill('Weg 1');
  await page.locator('.sync-waiting').waitFor();
  await page.keyboard.press('Tab');
  assert.deepEqual(await hiddenWhileTabbing(page, 'Tab', 30), [], 'forward, offline');
  assert.deepEqual(await hiddenWhileTabbing(page, 'Shift+Tab', 40), [], 'backward, offline');
  await context.close();
});

/// How many controls the Tab key reaches on the page now (shown, not disabled).
function focusableCount(page) {
  return page.evaluate(() => [...document.querySelectorAll(
    'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), summary, [tabindex="0"]',
  )].filter((el) => el.checkVisibility() && !el.closest('[inert]')).length);
}

test('in the conversation, focus is never hidden going through every control of a step, forward and backward, at both tablet heights', async () => {
  const { context, page } = await device(browser);
  await openApp(page);
  await page.getByRole('button', { name: 'Neuer Bericht' }).click();
  await page.locator('#feld-lb_name').fill('Fokus, Frieda');
  await page.locator('#gespraech-starten').click();
  await page.locator('#gespraech-schritt').waitFor();
  await page.locator('#dabei-beneficiary').check();
  await page.locator('#dabei-beneficiary-name').fill('Frieda Fokus');
  await page.locator('#dabei-provider').check();
  const steps = ['Allgemeines', 'Unterschriften', 'Zusammenfassung'];
  for (const [width, height] of [[1024, 768], [768, 1024]]) {
    await page.setViewportSize({ width, height });
    for (const step of steps) {
      await page.locator('.agenda-step', { hasText: step }).click();
      await page.locator('#gespraech-schritt', { hasText: step }).waitFor();
      const n = await focusableCount(page);
      await page.locator('.agenda-step', { hasText: step }).focus();
      const at = `${step}, ${width} × ${height}`;
      assert.deepEqual(await hiddenWhileTabbing(page, 'Tab', n), [], `forward: ${at}`);
      assert.deepEqual(await hiddenWhileTabbing(page, 'Shift+Tab', n), [], `backward: ${at}`);
    }
  }
  await context.close();
});

test("in the person's own view, focus is never hidden going through every control, forward and backward, at both tablet heights", async () => {
  const { context, page } = await device(browser);
  await openApp(page);
  await page.getByRole('button', { name: 'Neuer Bericht' }).click();
  await page.locator('#feld-lb_name').fill('Fokus, Frieda');
  await page.locator('#feld-entwicklung_mobilitaet').fill('Fährt allein Bus.');
  await page.getByRole('button', { name: 'Ziel hinzufügen' }).click();
  await page.locator('.goal-card').first().getByLabel('Nennung des Ziels').fill('Allein Bus fahren');
  await chooseRole(page, 'Leistungsberechtigte Person');
  await page.locator('#ansicht-person').click();
  await page.locator('.person-view').waitFor();
  await page.getByRole('button', { name: 'Leichte Sprache' }).click();
  await page.locator('html.plain-language').waitFor({ state: 'attached' });
  for (const [width, height] of [[1024, 768], [768, 1024]]) {
    await page.setViewportSize({ width, height });
    const n = await focusableCount(page);
    assert.ok(n > 15, `the view has its controls (${n})`);
    await page.locator('.person-view .whole-report').focus();
    const at = `${width} × ${height}`;
    assert.deepEqual(await hiddenWhileTabbing(page, 'Tab', n), [], `forward: ${at}`);
    assert.deepEqual(await hiddenWhileTabbing(page, 'Shift+Tab', n), [], `backward: ${at}`);
  }
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
