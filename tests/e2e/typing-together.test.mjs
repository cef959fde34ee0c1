// Three people type into one field at the same moment, each on their own device, through the
// real relay: every sentence stays whole, round after round — at the end of the text, and with
// one of them writing in the middle.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { device, invite, join, launch, synced } from './lib/browser.mjs';
import { TestRelay } from './lib/relay.mjs';

const FIELD = '#feld-entwicklung_freizeit';
const ROUNDS_AT_END = Number(process.env.TYPING_ROUNDS ?? 100);
const ROUNDS_IN_MIDDLE = Math.ceil(ROUNDS_AT_END / 3);

/// Waits until every page shows the same text of `length` characters; returns it.
async function converged(pages, length) {
  const deadline = Date.now() + 30_000;
  let values;
  while (Date.now() < deadline) {
    values = await Promise.all(pages.map((p) => p.locator(FIELD).inputValue()));
    if (values.every((v) => v === values[0]) && [...values[0]].length === length) return values[0];
    await pages[0].waitForTimeout(25);
  }
  assert.fail(`the field did not converge to ${length} characters: ${JSON.stringify(values)}`);
}

/// Puts the caret of `page` at `at` (characters; the field holds no surrogate pairs here).
async function caretAt(page, at) {
  await page.locator(FIELD).evaluate((el, at) => {
    el.focus();
    const pos = at < 0 ? el.value.length : at;
    el.setSelectionRange(pos, pos);
  }, at);
}

describe('typing together', () => {
  let relay; let browser; let devices;

  before(async () => {
    relay = await TestRelay.start();
    browser = await launch();
    const a = await device(browser);
    await a.page.goto(relay.url + '/');
    await a.page.getByRole('button', { name: 'Neuer Bericht' }).click();
    await a.page.locator(FIELD).waitFor();
    const toB = await invite(a.page, 'provider', 'Herr Zwei', { keepOpen: true });
    const toC = await invite(a.page, 'provider', 'Frau Drei');
    await synced(a.page);
    devices = [a, await join(browser, toB), await join(browser, toC)];
    for (const d of devices) await d.page.locator(FIELD).scrollIntoViewIfNeeded();
  });

  after(async () => {
    const errors = (devices ?? []).map((d) => d.errors);
    await browser?.close();
    await relay?.stop();
    for (const e of errors) assert.deepEqual(e, [], 'no errors in the page');
  });

  /// One round: each page types its sentence at its caret at the same moment; returns the
  /// sentences that did not stay whole.
  async function round(sentences, delay, length) {
    await Promise.all(devices.map((d, i) => d.page.locator(FIELD).pressSequentially(sentences[i], { delay })));
    const text = await converged(devices.map((d) => d.page), length);
    return { text, torn: sentences.filter((s) => !text.includes(s)) };
  }

  test(`${ROUNDS_AT_END} rounds of three people adding a sentence at the end at once keep every sentence whole`, async () => {
    let length = [...(await devices[0].page.locator(FIELD).inputValue())].length;
    const failures = [];
    for (let r = 0; r < ROUNDS_AT_END; r++) {
      const sentences = [` Anna${r} kocht gern.`, ` Ben${r} malt viel.`, ` Cem${r} singt laut.`];
      for (const d of devices) await caretAt(d.page, -1);
      // Most rounds at 25 ms between keystrokes, every fifth at 120 ms.
      const delay = r % 5 === 4 ? 120 : 25;
      length += sentences.reduce((n, s) => n + s.length, 0);
      const { text, torn } = await round(sentences, delay, length);
      if (torn.length) failures.push({ round: r, torn, tail: text.slice(-80) });
    }
    assert.deepEqual(failures, [], `${ROUNDS_AT_END - failures.length} of ${ROUNDS_AT_END} rounds kept every sentence whole`);
  });

  test('a goal\'s measures: three people adding at once keep every sentence whole', async () => {
    const [a] = devices.map((d) => d.page);
    await a.getByRole('button', { name: 'Ziel hinzufügen' }).click();
    const measures = (page) => page.locator('.goal-card').first().getByLabel('Maßnahme 1', { exact: true });
    for (const d of devices) await measures(d.page).waitFor({ timeout: 30_000 });
    let length = 0;
    const failures = [];
    for (let r = 0; r < 10; r++) {
      const sentences = [` Gabi${r} übt.`, ` Hans${r} hilft mit.`, ` Ines${r} fährt.`];
      for (const d of devices) {
        await measures(d.page).evaluate((el) => { el.focus(); el.setSelectionRange(el.value.length, el.value.length); });
      }
      length += sentences.reduce((n, s) => n + s.length, 0);
      await Promise.all(devices.map((d, i) => measures(d.page).pressSequentially(sentences[i], { delay: 25 })));
      const deadline = Date.now() + 30_000;
      let values;
      while (Date.now() < deadline) {
        values = await Promise.all(devices.map((d) => measures(d.page).inputValue()));
        if (values.every((v) => v === values[0]) && [...values[0]].length === length) break;
        await a.waitForTimeout(25);
      }
      assert.ok(values.every((v) => v === values[0]) && [...values[0]].length === length, `the measures converged: ${JSON.stringify(values)}`);
      const torn = sentences.filter((s) => !values[0].includes(s));
      if (torn.length) failures.push({ round: r, torn });
    }
    assert.deepEqual(failures, [], 'every sentence whole in every round');
  });

  test(`${ROUNDS_IN_MIDDLE} rounds with one of the three writing in the middle keep every sentence whole`, async () => {
    let length = [...(await devices[0].page.locator(FIELD).inputValue())].length;
    const failures = [];
    for (let r = 0; r < ROUNDS_IN_MIDDLE; r++) {
      const sentences = [` Dora${r} liest.`, ` Emil${r} turnt oft.`, ` Finn${r} lacht.`];
      const text = await devices[1].page.locator(FIELD).inputValue();
      // B writes after a sentence in the middle of the text; A and C at its end.
      const middle = text.indexOf('.', Math.floor(text.length / 2)) + 1;
      await caretAt(devices[1].page, middle);
      await caretAt(devices[0].page, -1);
      await caretAt(devices[2].page, -1);
      length += sentences.reduce((n, s) => n + s.length, 0);
      const result = await round(sentences, 25, length);
      if (result.torn.length) failures.push({ round: r, torn: result.torn });
    }
    assert.deepEqual(failures, [], `${ROUNDS_IN_MIDDLE - failures.length} of ${ROUNDS_IN_MIDDLE} rounds kept every sentence whole`);
  });
});

describe('undo while others type', () => {
  let relay; let browser; let devices;

  before(async () => {
    relay = await TestRelay.start();
    browser = await launch();
    const a = await device(browser);
    await a.page.goto(relay.url + '/');
    await a.page.getByRole('button', { name: 'Neuer Bericht' }).click();
    await a.page.locator(FIELD).waitFor();
    const toB = await invite(a.page, 'provider', 'Herr Zwei');
    await synced(a.page);
    devices = [a, await join(browser, toB)];
  });

  after(async () => {
    const errors = (devices ?? []).map((d) => d.errors);
    await browser?.close();
    await relay?.stop();
    for (const e of errors) assert.deepEqual(e, [], 'no errors in the page');
  });

  test('Strg+Z takes back only this person\'s words, with a peer typing at the same moment; Strg+Y brings them back', async () => {
    const [a, b] = devices.map((d) => d.page);
    await caretAt(a, -1);
    await a.locator(FIELD).pressSequentially('Anna malt.', { delay: 20 });
    await converged([a, b], 10);
    // B types after A's sentence while A takes hers back.
    await caretAt(b, -1);
    await Promise.all([
      b.locator(FIELD).pressSequentially(' Ben singt.', { delay: 30 }),
      (async () => { await a.waitForTimeout(100); await a.keyboard.press('Control+z'); })(),
    ]);
    let text = await converged([a, b], 11);
    assert.equal(text, ' Ben singt.', 'A\'s words are gone, B\'s are whole');
    // Redo puts A's words back where they were; B's stay.
    await a.locator(FIELD).focus();
    await a.keyboard.press('Control+y');
    text = await converged([a, b], 21);
    assert.equal(text, 'Anna malt. Ben singt.');
    // On a touch screen: the buttons in the editor bar do the same, for the field typed in last.
    await a.locator('.editor-bar').getByRole('button', { name: 'Rückgängig' }).click();
    text = await converged([a, b], 11);
    assert.equal(text, ' Ben singt.');
    assert.equal(await a.locator('.editor-bar').getByRole('button', { name: 'Wiederholen' }).isEnabled(), true);
    // B's own undo takes back B's words, never A's.
    await b.locator(FIELD).focus();
    await b.keyboard.press('Control+z');
    text = await converged([a, b], 0);
    assert.equal(text, '');
  });

  test('a word being composed (an on-screen keyboard, a dead key) is not broken by a peer typing meanwhile', async () => {
    const [a, b] = devices.map((d) => d.page);
    await a.locator(FIELD).fill('');
    await converged([a, b], 0);
    await caretAt(a, -1);
    await a.locator(FIELD).pressSequentially('Wir ', { delay: 20 });
    await converged([a, b], 4);
    // A composes a word the way an on-screen keyboard does (composition events from Chromium's
    // input method interface), while B types at the start.
    const ime = await a.context().newCDPSession(a);
    await ime.send('Input.imeSetComposition', { text: 'koch', selectionStart: 4, selectionEnd: 4 });
    await ime.send('Input.imeSetComposition', { text: 'kochen', selectionStart: 6, selectionEnd: 6 });
    await caretAt(b, 0);
    await b.locator(FIELD).pressSequentially('Heute: ', { delay: 20 });
    // Once the relay holds B's text it is on its way to A (delivered with the acknowledgement);
    // A's control still shows the composition untouched.
    await b.locator('.sync-status[data-state="synchron"][data-waiting="0"]').waitFor({ timeout: 30_000 });
    assert.equal(await a.locator(FIELD).inputValue(), 'Wir kochen', 'the composition is left alone');
    await ime.send('Input.insertText', { text: 'kochen' });
    const text = await converged([a, b], 'Heute: Wir kochen'.length);
    assert.equal(text, 'Heute: Wir kochen');
    // A goes on typing where the composed word ended.
    await a.keyboard.type('!', { delay: 20 });
    assert.equal(await converged([a, b], 'Heute: Wir kochen!'.length), 'Heute: Wir kochen!');
  });
});
