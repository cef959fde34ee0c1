// Export and import: a report sealed with a password travels to a fresh device and arrives
// whole; a wrong password, a file that is not a report and a cut-off file are refused and
// change nothing; importing into a device that has the report merges both sides' edits; the
// JSON and CSV downloads hold what was typed; the export dialog passes axe; and the
// `.automerge` file opens in Automerge's JavaScript implementation (interoperability).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { launch, device, axe, focusOn, kvjsTemplate } from './lib/browser.mjs';
import {
  openApp, newReport, waitSaved, fieldValues, fillField, fillGoals, goalValues, chooseRole,
} from './lib/app.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.resolve(here, '../../xtask/node/package.json'));

let browser;
let dir;
before(async () => {
  browser = await launch();
  dir = mkdtempSync(path.join(tmpdir(), 'dreieck-export-'));
});
after(async () => {
  await browser?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const template = kvjsTemplate();
const PASSWORD = 'Sommer am See 2026!';

/// Opens the export dialog of the report shown.
async function openExport(page) {
  await page.getByRole('button', { name: 'Exportieren' }).click();
  const dialog = page.getByRole('dialog', { name: 'Bericht exportieren' });
  await dialog.waitFor();
  return dialog;
}

/// Clicks `button` and saves the download it starts; returns its path and suggested name.
async function download(page, click) {
  const [dl] = await Promise.all([page.waitForEvent('download'), click()]);
  const file = path.join(dir, `${Date.now()}-${dl.suggestedFilename()}`);
  await dl.saveAs(file);
  return { file, name: dl.suggestedFilename() };
}

async function exportSealed(page, password = PASSWORD) {
  const dialog = await openExport(page);
  await dialog.getByLabel('Passwort (mindestens 8 Zeichen)').fill(password);
  await dialog.getByLabel('Passwort wiederholen').fill(password);
  const result = await download(page, () => dialog.getByRole('button', { name: 'Verschlüsselt speichern' }).click());
  await dialog.getByRole('status').filter({ hasText: 'heruntergeladen' }).waitFor();
  await dialog.getByRole('button', { name: 'Schließen' }).click();
  return result;
}

async function exportPlain(page, buttonName) {
  const dialog = await openExport(page);
  const result = await download(page, () => dialog.getByRole('button', { name: buttonName }).click());
  await dialog.getByRole('button', { name: 'Schließen' }).click();
  return result;
}

/// Chooses `file` with "Importieren" (the list must be shown).
async function chooseFile(page, file) {
  await page.locator('#import-datei').setInputFiles(file);
}

async function importSealed(page, file, password = PASSWORD) {
  await chooseFile(page, file);
  const dialog = page.getByRole('dialog', { name: 'Verschlüsselte Datei öffnen' });
  await dialog.getByLabel('Passwort der Datei').fill(password);
  await dialog.getByRole('button', { name: 'Öffnen' }).click();
}

const outcome = (page) => page.locator('.import-outcome .message');
const rows = (page) => page.locator('.case-list .case');

async function storedChunks(page) {
  return page.evaluate(() => new Promise((resolve, reject) => {
    const open = indexedDB.open('dreieck');
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const req = open.result.transaction(['docs']).objectStore('docs').count();
      req.onsuccess = () => { open.result.close(); resolve(req.result); };
      req.onerror = () => reject(req.error);
    };
  }));
}

async function backToList(page) {
  await page.getByRole('link', { name: 'Alle Berichte' }).click();
  await page.getByRole('heading', { name: 'Berichte', level: 1 }).waitFor();
}

/// A report with every field of the KVJS form and three goals; returns what a reader sees.
async function fullReport(page) {
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
  const goals = await fillGoals(page);
  await waitSaved(page);
  return { expected, goals };
}

test('a sealed report opens on a fresh device with the password, with every field', async () => {
  const a = await device(browser);
  const { expected, goals } = await fullReport(a.page);
  const { file, name } = await exportSealed(a.page);
  assert.match(name, /^kvjs-ergebnisbericht-\d{4}-\d{2}-\d{2}-[0-9a-f]{8}\.dreieck$/);
  assert.ok(!name.includes('Eingabe'), 'no personal data in the file name');
  const bytes = readFileSync(file);
  assert.deepEqual([...bytes.subarray(0, 8)], [0x89, ...Buffer.from('DREIECK')]);
  assert.ok(!bytes.includes(Buffer.from('Eingabe 0 für lb_name')), 'nothing readable inside');

  const b = await device(browser);
  await openApp(b.page);
  await importSealed(b.page, file);
  await outcome(b.page).filter({ hasText: 'Der Bericht ist neu auf diesem Gerät' }).waitFor();
  assert.equal(await rows(b.page).count(), 1);
  await b.page.getByRole('link', { name: 'Bericht öffnen' }).click();
  assert.deepEqual(await fieldValues(b.page, template), expected);
  assert.deepEqual(await goalValues(b.page), goals);
  // The signatures came along and still verify on the new device.
  await b.page.locator('#feld-unterschrift_leistungserbringer-signer').waitFor();
  assert.deepEqual(b.errors, []);
  assert.deepEqual(a.errors, []);
  await a.context.close();
  await b.context.close();
});

const shippedTemplate = (id) =>
  JSON.parse(readFileSync(path.resolve(here, `../../crates/model/templates/${id}.json`), 'utf8'));

/// What a reader sees in the fields with these ids (any form).
async function formValues(page, template, ids) {
  const out = {};
  for (const field of template.sections.flatMap((s) => s.fields)) {
    if (!ids.includes(field.id)) continue;
    const id = `#feld-${field.id}`;
    if (field.kind === 'date_range') {
      out[field.id] = { from: await page.locator(`${id}-from`).inputValue(), to: await page.locator(`${id}-to`).inputValue() };
    } else if (field.kind === 'signature') {
      out[field.id] = { name: await page.locator(`${id}-signer`).textContent() };
    } else {
      out[field.id] = await page.locator(id).inputValue();
    }
  }
  return out;
}

test('each of the other forms: filled, checked, exported and imported whole on a fresh device', async () => {
  for (const id of ['goettingen-erwartungsbogen', 'goettingen-feedbackbogen', 'hamburg-wille-ressourcen']) {
    const t = shippedTemplate(id);
    const a = await device(browser);
    await openApp(a.page);
    const first = t.sections[0].fields[0];
    await chooseRole(a.page, 'Einrichtung/Dienst');
    await a.page.getByRole('radio', { name: t.name, exact: true }).check();
    await a.page.getByRole('button', { name: 'Neuer Bericht' }).click();
    await a.page.locator(`#feld-${first.id}`).waitFor();
    if (id === 'goettingen-feedbackbogen') {
      // The Anlass with the most fields: the result questions of a regular end.
      await a.page.locator('#feld-anlass').selectOption({ label: 'Regulärer Abschluss des Angebotes' });
    }
    const expected = {};
    let n = 0;
    for (const field of t.sections.flatMap((s) => s.fields)) {
      if (field.id === 'anlass') {
        expected.anlass = await a.page.locator('#feld-anlass').inputValue();
        continue;
      }
      // A field its condition hides is not on the form to fill.
      if (field.shown_when && !(await a.page.locator(`.field-slot[data-field="${field.id}"]`).isVisible())) continue;
      expected[field.id] = await fillField(a.page, field, n++);
    }
    await waitSaved(a.page);
    // "Prüfen" finds nothing missing in a form filled throughout.
    await a.page.getByRole('button', { name: 'Bericht prüfen' }).click();
    await a.page.locator('.check-panel .message').first().waitFor();
    assert.equal(
      await a.page.locator('.check-panel [role="status"]').innerText(),
      'Keine Probleme gefunden.',
      `${id}: the check`,
    );
    const plain = await exportPlain(a.page, 'Automerge-Datei (.automerge)');
    assert.match(plain.name, new RegExp(`^${id}-\\d{4}-\\d{2}-\\d{2}-[0-9a-f]{8}\\.automerge$`));
    const { file, name } = await exportSealed(a.page);
    assert.match(name, new RegExp(`^${id}-\\d{4}-\\d{2}-\\d{2}-[0-9a-f]{8}\\.dreieck$`));

    const b = await device(browser);
    await openApp(b.page);
    // The plain Automerge file carries no signatures of the devices: another Dreieck device
    // says so and takes nothing; the sealed file carries them.
    await chooseFile(b.page, plain.file);
    await outcome(b.page).filter({ hasText: 'ohne die Signaturen' }).waitFor();
    assert.equal(await rows(b.page).count(), 0);
    await importSealed(b.page, file);
    await outcome(b.page).filter({ hasText: 'Der Bericht ist neu auf diesem Gerät' }).waitFor();
    await b.page.getByRole('link', { name: 'Bericht öffnen' }).click();
    await b.page.locator(`#feld-${first.id}`).waitFor();
    assert.deepEqual(await formValues(b.page, t, Object.keys(expected)), expected, `${id}: the imported report`);
    assert.deepEqual([...a.errors, ...b.errors], [], id);
    await a.context.close();
    await b.context.close();
  }
});

test('a wrong password says so and changes nothing; cancelling too', async () => {
  const a = await device(browser);
  await openApp(a.page);
  await newReport(a.page);
  await a.page.locator('#feld-lb_name').fill('Passwort, Probe');
  await waitSaved(a.page);
  const { file } = await exportSealed(a.page);

  const b = await device(browser);
  await openApp(b.page);
  await importSealed(b.page, file, 'falsches Passwort');
  const dialog = b.page.getByRole('dialog', { name: 'Verschlüsselte Datei öffnen' });
  await dialog.getByRole('alert').filter({ hasText: 'Das Passwort ist falsch' }).waitFor();
  // Focus is back in the field for a second try; the dialog passes axe.
  await focusOn(b.page, 'import-passwort');
  assert.deepEqual(await axe(b.page), []);
  await dialog.getByRole('button', { name: 'Abbrechen' }).click();
  await dialog.waitFor({ state: 'hidden' });
  assert.equal(await rows(b.page).count(), 0);
  assert.equal(await storedChunks(b.page), 0);

  // The right password after a wrong one works.
  await importSealed(b.page, file, 'noch falscher');
  await dialog.getByRole('alert').filter({ hasText: 'Das Passwort ist falsch' }).waitFor();
  await dialog.getByLabel('Passwort der Datei').fill(PASSWORD);
  await dialog.getByRole('button', { name: 'Öffnen' }).click();
  await outcome(b.page).filter({ hasText: '„Passwort, Probe“ wurde importiert' }).waitFor();
  await a.context.close();
  await b.context.close();
});

test('files that are not reports, cut off or tampered with are refused and change nothing', async () => {
  const a = await device(browser);
  await openApp(a.page);
  await newReport(a.page);
  await a.page.locator('#feld-lb_name').fill('Unversehrt, Ute');
  await waitSaved(a.page);
  const { file: sealedFile } = await exportSealed(a.page);
  const { file: jsonFile } = await exportPlain(a.page, 'Inhalte als JSON (.json)');
  await backToList(a.page);
  const chunksBefore = await storedChunks(a.page);

  const letter = path.join(dir, 'brief.dreieck');
  writeFileSync(letter, 'Sehr geehrte Damen und Herren, anbei der Bericht.');
  const sealed = readFileSync(sealedFile);
  const cut = path.join(dir, 'abgeschnitten.dreieck');
  writeFileSync(cut, sealed.subarray(0, Math.floor(sealed.length / 2)));
  const flipped = Buffer.from(sealed);
  flipped[sealed.length - 5] ^= 0x40;
  const tampered = path.join(dir, 'veraendert.dreieck');
  writeFileSync(tampered, flipped);

  const cases = [
    [letter, null, /kein Dreieck-Bericht/],
    [jsonFile, null, /JSON/],
    [cut, null, /unvollständig/],
    [tampered, PASSWORD, /beschädigt/],
  ];
  for (const [file, password, message] of cases) {
    if (password) await importSealed(a.page, file, password);
    else await chooseFile(a.page, file);
    const alert = outcome(a.page).and(a.page.getByRole('alert'));
    await alert.filter({ hasText: message }).waitFor();
    assert.match(await alert.textContent(), /nichts geändert/);
    assert.equal(await rows(a.page).count(), 1);
    assert.equal(await storedChunks(a.page), chunksBefore);
  }
  assert.deepEqual(a.errors, []);
  await a.context.close();
});

test('importing into a device that has the report merges both sides\u2019 edits', async () => {
  // A makes the report and hands it to B.
  const a = await device(browser);
  await openApp(a.page);
  await newReport(a.page);
  await a.page.locator('#feld-lb_name').fill('Zusammen, Zoe');
  await a.page.locator('#feld-anmerkungen_einrichtung').fill('Mitte');
  await waitSaved(a.page);
  // Sealed: it carries the signatures and an invitation for A's role, so B (another computer
  // of the same team, knowing the password) may write in that role.
  const first = await exportSealed(a.page);
  const b = await device(browser);
  await openApp(b.page);
  await importSealed(b.page, first.file);
  await outcome(b.page).filter({ hasText: 'neu auf diesem Gerät' }).waitFor();

  // Both edit offline: different fields, and both ends of the same text.
  await a.page.locator('#feld-einrichtung_telefon').fill('07071 111');
  await a.page.locator('#feld-anmerkungen_einrichtung').fill('Von A. Mitte');
  await waitSaved(a.page);
  await b.page.getByRole('link', { name: 'Bericht öffnen' }).click();
  await b.page.locator('#feld-lb_anschrift').fill('Seeweg 2, Konstanz');
  await b.page.locator('#feld-anmerkungen_einrichtung').fill('Mitte. Von B.');
  await waitSaved(b.page);
  await backToList(b.page);

  // A's file comes back to B, sealed this time.
  const second = await exportSealed(a.page);
  await importSealed(b.page, second.file);
  await outcome(b.page).filter({ hasText: 'war schon auf diesem Gerät' }).waitFor();
  assert.match(await outcome(b.page).textContent(), /zusammengeführt/);
  assert.equal(await rows(b.page).count(), 1);
  await b.page.getByRole('link', { name: 'Bericht öffnen' }).click();
  await b.page.locator('#feld-lb_name').waitFor();
  assert.equal(await b.page.locator('#feld-einrichtung_telefon').inputValue(), '07071 111');
  assert.equal(await b.page.locator('#feld-lb_anschrift').inputValue(), 'Seeweg 2, Konstanz');
  assert.equal(await b.page.locator('#feld-anmerkungen_einrichtung').inputValue(), 'Von A. Mitte. Von B.');

  // The merged report is stored: a reload shows the same.
  await b.page.reload();
  await b.page.locator('#feld-lb_name').waitFor();
  assert.equal(await b.page.locator('#feld-einrichtung_telefon').inputValue(), '07071 111');

  // The same file again brings nothing new.
  await backToList(b.page);
  await importSealed(b.page, second.file);
  await outcome(b.page).filter({ hasText: 'schon auf dem neuesten Stand' }).waitFor();
  assert.deepEqual(a.errors, []);
  assert.deepEqual(b.errors, []);
  await a.context.close();
  await b.context.close();
});

test('JSON and CSV downloads hold what was typed', async () => {
  const a = await device(browser);
  await openApp(a.page);
  await newReport(a.page);
  await a.page.locator('#feld-lb_name').fill('Tabelle, Tom');
  const goals = await fillGoals(a.page);
  await waitSaved(a.page);

  const json = await exportPlain(a.page, 'Inhalte als JSON (.json)');
  assert.match(json.name, /\.json$/);
  const data = JSON.parse(readFileSync(json.file, 'utf8'));
  assert.equal(data.format, 'dreieck-export');
  assert.equal(data.format_version, 2);
  assert.equal(data.template.id, 'kvjs-ergebnisbericht');
  const name = data.fields.find((f) => f.id === 'lb_name');
  assert.equal(name.value, 'Tabelle, Tom');
  assert.equal(name.label, 'Name, Vorname');
  assert.deepEqual(data.goals.map((g) => g.text), goals.map((g) => g.text));
  assert.deepEqual(data.goals.map((g) => g.achievement.code), goals.map((g) => g.achievement));
  assert.deepEqual(data.goals.map((g) => g.measure_list.map((m) => m.text)), goals.map((g) => [g.measures]));
  assert.equal(data.goals[1].reason.code, '2');
  assert.equal(typeof data.goals[1].reason.label, 'string');
  const signature = data.fields.find((f) => f.id === 'unterschrift_leistungserbringer');
  assert.equal(signature.signature.status, 'unsigned');

  const csv = await exportPlain(a.page, 'Ziele als Tabelle (.csv)');
  assert.match(csv.name, /\.csv$/);
  const text = readFileSync(csv.file, 'utf8');
  assert.ok(text.startsWith('\uFEFF'), 'a byte order mark for Excel');
  const lines = text.slice(1).split('\r\n');
  assert.match(lines[0], /^Nr\.;Ziel;Maßnahmen;Zielerreichung \(Code\);/);
  assert.equal(lines.length, goals.length + 2);
  assert.ok(lines[1].startsWith(`1;${goals[0].text};${goals[0].measures};5;`), lines[1]);
  assert.ok(lines[2].includes(';2;nicht erreicht;2;'), lines[2]);
  await a.context.close();
});

test('the export dialog: passwords checked before sealing, keyboard only, axe finds nothing', async () => {
  const a = await device(browser);
  await openApp(a.page);
  await newReport(a.page);
  await waitSaved(a.page);
  const dialog = await openExport(a.page);
  // Focus starts in the password field.
  await focusOn(a.page, 'export-passwort');
  assert.deepEqual(await axe(a.page), []);

  await a.page.keyboard.type('kurz');
  await a.page.keyboard.press('Enter');
  await dialog.getByText('Das Passwort muss mindestens 8 Zeichen lang sein.').waitFor();
  await dialog.getByLabel('Passwort (mindestens 8 Zeichen)').fill('lang genug 1');
  await dialog.getByLabel('Passwort wiederholen').fill('lang genug 2');
  await a.page.keyboard.press('Enter');
  await dialog.getByText('Die beiden Passwörter stimmen nicht überein.').waitFor();
  await focusOn(a.page, 'export-passwort-2');
  assert.deepEqual(await axe(a.page), []);

  // Escape closes the dialog and forgets the passwords.
  await a.page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'hidden' });
  await openExport(a.page);
  assert.equal(await dialog.getByLabel('Passwort wiederholen').inputValue(), '');

  // The case list with its import button passes too.
  await a.page.keyboard.press('Escape');
  await backToList(a.page);
  assert.deepEqual(await axe(a.page), []);
  await a.context.close();
});

test('interoperability: Automerge for JavaScript reads an exported .automerge file', async () => {
  const a = await device(browser);
  await openApp(a.page);
  await newReport(a.page);
  await a.page.locator('#feld-lb_name').fill('Offen, Olga');
  await a.page.locator('#feld-anmerkungen_einrichtung').fill('Zeile 1\nZeile 2: Ä Ö Ü ß – „Zitat“');
  await a.page.locator('#feld-lb_geburtsdatum').fill('1990-05-17');
  const goals = await fillGoals(a.page);
  await waitSaved(a.page);
  const { file } = await exportPlain(a.page, 'Automerge-Datei (.automerge)');
  await a.context.close();

  // The npm package, as another implementation would use it (no code of this app involved).
  const module = await import(pathToFileURL(require.resolve('@automerge/automerge')).href);
  const Automerge = module.load ? module : module.default;
  const doc = Automerge.load(new Uint8Array(readFileSync(file)));
  // Text objects read as strings; string scalars (ids, dates, codes) as ImmutableString.
  const str = (v) => (v == null ? null : String(v));
  assert.equal(Number(doc.schema), 1);
  assert.match(str(doc.report_id), /^[0-9a-f]{32}$/);
  assert.equal(JSON.parse(str(doc.template)).id, 'kvjs-ergebnisbericht');
  assert.equal(str(doc.fields.lb_name), 'Offen, Olga');
  assert.equal(str(doc.fields.anmerkungen_einrichtung), 'Zeile 1\nZeile 2: Ä Ö Ü ß – „Zitat“');
  assert.equal(str(doc.fields.lb_geburtsdatum), '1990-05-17');
  const read = Object.values(doc.goals).sort((x, y) => x.pos - y.pos);
  assert.deepEqual(read.map((g) => str(g.text)), goals.map((g) => g.text));
  assert.deepEqual(read.map((g) => str(g.achievement)), goals.map((g) => g.achievement));
  assert.deepEqual(read.map((g) => str(g.reason)), goals.map((g) => g.reason));
  // What changed where is there too: the document's history, with every change's actor.
  assert.ok(Automerge.getAllChanges(doc).length > 10);
});
