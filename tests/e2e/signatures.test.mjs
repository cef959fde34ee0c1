// Signing on the glass: a drawn signature verifies; a later edit marks it as for an earlier
// version, naming the field, also after a reload; keyboard users sign with their typed name.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, device, axe } from './lib/browser.mjs';
import { openApp, newReport, waitSaved, chooseRole, signatureLine } from './lib/app.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const LINE = 'unterschrift_leistungserbringer';

/// Draws one stroke with the mouse across the pad, from (x0, y0) to (x1, y1) in the unit box.
async function drawStroke(page, pad, [x0, y0], [x1, y1], steps = 12) {
  // A person draws on the pad they see: bring it into view first (sections out of sight are
  // not laid out, so the page may settle around it once it is).
  await pad.scrollIntoViewIfNeeded();
  const box = await pad.boundingBox();
  const at = (x, y) => [box.x + x * box.width, box.y + y * box.height];
  await page.mouse.move(...at(x0, y0));
  await page.mouse.down();
  for (let i = 1; i <= steps; i++) {
    const t = i / steps;
    // A little wave, so the stroke is not a straight line.
    await page.mouse.move(...at(x0 + (x1 - x0) * t, y0 + (y1 - y0) * t + 0.1 * Math.sin(t * 6)));
  }
  await page.mouse.up();
}

test('a drawn signature verifies, and a later edit marks it as for an earlier version', async () => {
  const { context, page, errors } = await device(browser);
  await openApp(page);
  await newReport(page);
  await chooseRole(page, 'Einrichtung/Dienst');

  const line = signatureLine(page, LINE);
  await line.getByLabel('Name').fill('Anna Berger');
  const pad = line.locator('svg.signature-canvas');
  await pad.scrollIntoViewIfNeeded();
  await drawStroke(page, pad, [0.1, 0.6], [0.5, 0.5]);
  await drawStroke(page, pad, [0.55, 0.7], [0.9, 0.4]);
  assert.equal(await pad.locator('polyline').count(), 2, 'both strokes show while drawing');

  // "Löschen" empties the pad; draw again.
  await line.getByRole('button', { name: 'Löschen' }).click();
  assert.equal(await pad.locator('polyline').count(), 0);
  await drawStroke(page, pad, [0.1, 0.6], [0.5, 0.5]);
  await drawStroke(page, pad, [0.55, 0.7], [0.9, 0.4]);

  await line.getByRole('button', { name: 'Unterschreiben' }).click();
  const state = line.locator('.signature-state');
  await state.filter({ hasText: /^gültig$/ }).waitFor();
  const drawn = line.locator('svg.signature-drawing polyline');
  assert.equal(await drawn.count(), 2, 'the stored signature shows both strokes');
  const points = (await drawn.first().getAttribute('points')).trim().split(/\s+/);
  assert.ok(points.length >= 10, `the stroke keeps its points (${points.length})`);
  assert.match(
    await line.locator('.signed-by').textContent(),
    /^unterschrieben von Anna Berger \(Einrichtung\/Dienst\) am \d\d\.\d\d\.\d{4}, \d\d:\d\d$/,
  );
  await waitSaved(page);

  // The signed editor passes axe.
  assert.deepEqual(await axe(page), [], 'editor with a signature');

  // An edit after signing: the signature is for an earlier version, naming the field.
  await page.locator('#feld-anmerkungen_einrichtung').fill('Nach dem Unterschreiben geändert.');
  await state.filter({ hasText: 'gilt für eine frühere Fassung' }).waitFor();
  assert.match(await state.textContent(), /seitdem geändert: Anmerkungen der Einrichtung\/Dienst$/);
  await waitSaved(page);

  // Still so after a reload, with the drawing.
  await page.reload();
  await line.locator('.signature-state').filter({ hasText: 'gilt für eine frühere Fassung' }).waitFor();
  assert.match(await line.locator('.signature-state').textContent(), /Anmerkungen der Einrichtung\/Dienst/);
  assert.equal(await line.locator('svg.signature-drawing polyline').count(), 2);

  // Signing again covers the new version.
  await line.getByRole('button', { name: 'Erneut unterschreiben' }).click();
  assert.equal(await line.getByLabel('Name').inputValue(), 'Anna Berger', 'the name is kept');
  await drawStroke(page, line.locator('svg.signature-canvas'), [0.2, 0.5], [0.8, 0.5]);
  await line.getByRole('button', { name: 'Unterschreiben' }).click();
  await line.locator('.signature-state').filter({ hasText: /^gültig$/ }).waitFor();
  assert.equal(await line.locator('svg.signature-drawing polyline').count(), 1);

  assert.deepEqual(errors, [], 'no errors in the browser console');
  await context.close();
});

test('keyboard users sign with their typed name; the guardian line stays optional', async () => {
  const { context, page, errors } = await device(browser);
  await openApp(page);
  await newReport(page);
  await chooseRole(page, 'Rechtliche Betreuung');
  const line = signatureLine(page, 'unterschrift_betreuer');
  assert.match(await line.locator('legend').textContent(), /\(optional\)/);
  const name = line.getByLabel('Name');
  await name.focus();
  await page.keyboard.type('Petra Huber');
  // From the name, Tab reaches the buttons: the drawing area takes no focus, so it traps nobody.
  let reached = false;
  for (let i = 0; i < 5 && !reached; i++) {
    await page.keyboard.press('Tab');
    reached = await page.evaluate(() => document.activeElement?.textContent.trim() === 'Unterschreiben');
  }
  assert.ok(reached, '"Unterschreiben" is reached with Tab');
  await page.keyboard.press('Enter');
  await line.locator('.signature-state').filter({ hasText: /^gültig$/ }).waitFor();
  assert.match(await line.textContent(), /Mit eingetipptem Namen unterschrieben \(ohne Zeichnung\)/);
  assert.match(await line.locator('.signed-by').textContent(), /unterschrieben von Petra Huber \(Rechtliche Betreuung\)/);
  assert.deepEqual(errors, []);
  await context.close();
});
