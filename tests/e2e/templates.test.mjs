// Adaptable templates (issue 5): an organisation's variant imported as a file, a report made
// with it keeping its version after a newer one arrives; bad files refused with the line and
// the problem, changing nothing; the editor for labels and order saving a new version; an
// imported template removed while its report still opens; axe on the Vorlagen page and the
// editor.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launch, device, axe } from './lib/browser.mjs';
import { openApp, waitSaved, chooseRole } from './lib/app.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const hamburg = () => JSON.parse(readFileSync(path.resolve(here, '../../crates/model/templates/hamburg-wille-ressourcen.json'), 'utf8'));

let browser;
let dir;
before(async () => {
  browser = await launch();
  dir = mkdtempSync(path.join(tmpdir(), 'dreieck-templates-'));
});
after(async () => {
  await browser?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/// Writes `content` (an object as indented JSON, or a string / bytes as they are) to a file.
function file(name, content) {
  const f = path.join(dir, name);
  writeFileSync(f, typeof content === 'object' && !(content instanceof Uint8Array) ? JSON.stringify(content, null, 2) : content);
  return f;
}

/// The Hamburg form adapted by an organisation: a section renamed, a field removed, a field
/// added with a code list of its own.
function variant(version, extra = () => {}) {
  const t = hamburg();
  t.id = 'sonnenhof-wille';
  t.version = version;
  t.name = 'Wille und Ressourcen (Sonnenhof)';
  const wille = t.sections.find((s) => s.id === 'wille');
  wille.title = 'Was mir wichtig ist';
  wille.fields = wille.fields.filter((f) => f.id !== 'wie_leben');
  t.code_lists = {
    wohnform: {
      label: 'Wohnform', plain_label: 'Wie wohnen Sie?',
      codes: [
        { code: 'allein', label: 'allein', plain_label: 'Ich wohne allein.' },
        { code: 'wg', label: 'Wohngemeinschaft', plain_label: 'Ich wohne mit anderen zusammen.' },
      ],
    },
  };
  wille.fields.push({
    id: 'wohnform', kind: 'choice', code_list: 'wohnform', label: 'Wohnform',
    plain_label: 'Wie wohnen Sie?', editors: ['provider', 'beneficiary'],
  });
  extra(t);
  return t;
}

async function openTemplates(page) {
  await page.getByRole('navigation', { name: 'Hauptnavigation' }).getByRole('link', { name: 'Vorlagen' }).click();
  await page.getByRole('heading', { name: 'Vorlagen', level: 1 }).waitFor();
}

async function openList(page) {
  await page.getByRole('navigation', { name: 'Hauptnavigation' }).getByRole('link', { name: 'Berichte' }).click();
  await page.getByRole('heading', { name: 'Berichte', level: 1 }).waitFor();
}

const importOutcome = (page) => page.locator('.template-import-outcome .message');
const rows = (page) => page.locator('.template-list .template');

/// Chooses a template file on the Vorlagen page and returns the message shown.
async function importFile(page, f) {
  const before = await importOutcome(page).count() ? await importOutcome(page).innerText() : null;
  await page.locator('#vorlage-datei').setInputFiles(f);
  await page.waitForFunction((old) => {
    const m = document.querySelector('.template-import-outcome .message');
    return m && m.textContent !== old && !document.querySelector('#vorlage-importieren').disabled;
  }, before);
  // The same text twice in a row (two refusals alike) would not be seen as new: the tests
  // never import two files with the same outcome back to back.
  return importOutcome(page).innerText();
}

async function newReportFrom(page, label, firstField) {
  await page.getByRole('radio', { name: label, exact: true }).check();
  await page.getByRole('button', { name: 'Neuer Bericht' }).click();
  await page.locator(firstField).waitFor();
  return page.url();
}

test('a variant is imported, used, and its reports keep their version when the next arrives', async () => {
  const { context, page, errors } = await device(browser);
  await openApp(page);
  await openTemplates(page);
  assert.equal(await rows(page).count(), 4, 'the four shipped forms');

  const v1 = file('sonnenhof-1.json', variant('1'));
  assert.match(await importFile(page, v1), /„Wille und Ressourcen \(Sonnenhof\)“ \(Version 1\) ist jetzt auf diesem Gerät/);
  const row = rows(page).filter({ hasText: 'Wille und Ressourcen (Sonnenhof)' });
  assert.match(await row.innerText(), /sonnenhof-wille · Version 1 · 10 Felder · eigene Vorlage/);

  // A report from the variant: renamed section, no removed field, the new field with its list.
  await openList(page);
  await chooseRole(page, 'Einrichtung/Dienst');
  const oldReport = await newReportFrom(page, 'Wille und Ressourcen (Sonnenhof) (Version 1, eigene Vorlage)', '#feld-wohnform');
  await page.getByRole('heading', { name: 'Was mir wichtig ist' }).waitFor();
  assert.equal(await page.locator('#feld-wie_leben').count(), 0);
  await page.locator('#feld-name_vorname').fill('ZZZ Sonnenhof');
  await page.locator('#feld-wohnform').selectOption({ label: 'Wohngemeinschaft' });
  await waitSaved(page);
  await page.reload();
  await page.locator('#feld-wohnform').waitFor();
  assert.equal(await page.locator('#feld-wohnform').inputValue(), 'wg');

  // Version 2 adds a field and renames the section again.
  await openTemplates(page);
  const v2 = file('sonnenhof-2.json', variant('2', (t) => {
    const wille = t.sections.find((s) => s.id === 'wille');
    wille.title = 'Mein Wille';
    wille.fields.push({ id: 'haustier', kind: 'short_text', label: 'Haustier', plain_label: 'Haben Sie ein Tier?', editors: ['provider', 'beneficiary'] });
  }));
  assert.match(await importFile(page, v2), /\(Version 2\) ist jetzt auf diesem Gerät/);
  assert.equal(await rows(page).count(), 6);

  // New reports get version 2 ...
  await openList(page);
  assert.equal(await page.getByRole('radio', { name: 'Wille und Ressourcen (Sonnenhof) (Version 1, eigene Vorlage)' }).count(), 0);
  await newReportFrom(page, 'Wille und Ressourcen (Sonnenhof) (Version 2, eigene Vorlage)', '#feld-haustier');
  await page.getByRole('heading', { name: 'Mein Wille' }).waitFor();
  // ... the old one still shows version 1.
  await page.goto(oldReport);
  await page.locator('#feld-wohnform').waitFor();
  await page.getByRole('heading', { name: 'Was mir wichtig ist' }).waitFor();
  assert.equal(await page.locator('#feld-haustier').count(), 0);
  assert.equal(await page.locator('#feld-wohnform').inputValue(), 'wg');
  assert.deepEqual(errors, []);
  await context.close();
});

test('bad files are refused with the line and the problem and change nothing', async () => {
  const { context, page } = await device(browser);
  await openApp(page);
  await openTemplates(page);

  // A missing comma: line 5 of the indented file (after "id").
  const good = JSON.stringify(variant('1'), null, 2);
  const lines = good.split('\n');
  assert.match(lines[3], /"version": "1",/);
  lines[3] = lines[3].replace(/,$/, '');
  let message = await importFile(page, file('komma.json', lines.join('\n')));
  assert.match(message, /Zeile 5, Spalte 3: Ungültiges JSON/);
  assert.match(message, /nichts geändert/);

  // An unknown code list: the line of "code_list".
  const broken = good.replace('"code_list": "wohnform"', '"code_list": "wohnen"');
  const line = broken.split('\n').findIndex((l) => l.includes('"code_list": "wohnen"')) + 1;
  message = await importFile(page, file('codeliste.json', broken));
  assert.match(message, new RegExp(`Zeile ${line}: Abschnitt „wille“, Feld „wohnform“: die Codeliste „wohnen“ gibt es nicht\\.`));

  // Not a template at all: a picture.
  message = await importFile(page, file('bild.json', new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13])));
  assert.match(message, /Die Datei ist keine Vorlage: sie enthält keinen Text/);
  assert.equal(await rows(page).count(), 4, 'nothing was added');

  // The same id and version: identical is "schon vorhanden", different is refused.
  await importFile(page, file('gut.json', good));
  message = await importFile(page, file('gut-nochmal.json', good));
  assert.match(message, /schon vorhanden\. Nichts wurde geändert\./);
  message = await importFile(page, file('anders.json', variant('1', (t) => { t.name = 'Anders'; })));
  assert.match(message, /gibt es in Version „1“ schon, aber mit anderem Inhalt\. Bitte in der Datei eine neue Version angeben/);
  assert.equal(await rows(page).count(), 5);

  // After a reload the store holds exactly the one good import.
  await page.reload();
  await page.getByRole('heading', { name: 'Vorlagen', level: 1 }).waitFor();
  await rows(page).filter({ hasText: 'eigene Vorlage' }).first().waitFor();
  assert.equal(await rows(page).count(), 5);
  assert.deepEqual(await axe(page), []);
  await context.close();
});

test('the editor changes labels and order, saves a new version, and an import can be removed', async () => {
  const { context, page, errors } = await device(browser);
  await openApp(page);
  await openTemplates(page);
  await page.getByRole('link', { name: 'Anpassen: „Wille und Ressourcen“, Version 2024.1' }).click();
  await page.getByRole('heading', { name: 'Vorlage anpassen: Wille und Ressourcen (Version 2024.1)', level: 1 }).waitFor();

  await page.locator('#vorlage-name').fill('Wille und Ressourcen (Bezirk Nord)');
  await page.locator('#vorlage-feld-gutes_leben-label').fill('Was ist für Sie ein gutes Leben?');
  await page.locator('#vorlage-feld-gutes_leben-plain').fill('Was ist gut für Sie?');
  await page.locator('#vorlage-abschnitt-wille-label').fill('Mein Wille');

  // Keyboard: "Wie will ich leben?" up; focus stays on the moved field's buttons and the move
  // is announced.
  await page.locator('#vorlage-feld-wie_leben-hoch').focus();
  await page.keyboard.press('Enter');
  await page.locator('[role=status]', { hasText: 'steht jetzt an Stelle 1 von 2' }).waitFor();
  await page.waitForFunction(() => document.activeElement?.id === 'vorlage-feld-wie_leben-runter');
  // The last section up by one (a click this time).
  await page.locator('#vorlage-abschnitt-fuer_andere-hoch').click();
  await page.locator('[role=status]', { hasText: 'Abschnitt „Für andere da sein“ steht jetzt an Stelle 6 von 7' }).waitFor();
  await page.waitForFunction(() => document.activeElement?.id === 'vorlage-abschnitt-fuer_andere-hoch');
  assert.deepEqual(await axe(page), []);

  // A version the form has already is refused; a new one is saved.
  await page.locator('#vorlage-version').fill('2024.1');
  await page.getByRole('button', { name: 'Als neue Version speichern' }).click();
  await page.locator('.template-save-outcome .message.error', { hasText: 'gibt es für diese Vorlage schon' }).waitFor();
  await page.locator('#vorlage-version').fill('2030.1');
  await page.getByRole('button', { name: 'Als neue Version speichern' }).click();
  await page.locator('.template-save-outcome .message.ok', { hasText: 'Gespeichert als Version 2030.1' }).waitFor();

  // "Herunterladen" gives the file the import takes.
  const [dl] = await Promise.all([page.waitForEvent('download'), page.locator('.template-save').getByRole('button', { name: 'Herunterladen' }).click()]);
  const saved = path.join(dir, dl.suggestedFilename());
  await dl.saveAs(saved);
  const downloaded = JSON.parse(readFileSync(saved, 'utf8'));
  assert.equal(downloaded.sections[1].fields[0].id, 'wie_leben');
  assert.equal(downloaded.sections[1].fields[1].label, 'Was ist für Sie ein gutes Leben?');

  // A report from the new version has the new label and order.
  await openList(page);
  const label = 'Wille und Ressourcen (Bezirk Nord) (Version 2030.1, eigene Vorlage)';
  const report = await newReportFrom(page, label, '#feld-gutes_leben');
  await page.getByRole('heading', { name: 'Mein Wille' }).waitFor();
  assert.equal(await page.locator('label[for="feld-gutes_leben"]').first().innerText().then((t) => t.includes('Was ist für Sie ein gutes Leben?')), true);
  const order = await page.evaluate(() => {
    const a = document.getElementById('feld-wie_leben');
    const b = document.getElementById('feld-gutes_leben');
    return Boolean(a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING);
  });
  assert.equal(order, true, '"Wie will ich leben?" now comes first');
  // textContent: sections out of sight are not rendered (content-visibility), innerText is empty.
  const sections = await page.locator('h2').evaluateAll((els) => els.map((e) => e.textContent));
  const i = sections.findIndex((s) => s.includes('Für andere da sein'));
  const j = sections.findIndex((s) => s.includes('Unterstützung'));
  assert.ok(i >= 0 && j >= 0 && i < j, `sections in the new order: ${sections}`);
  // The person's own words (O-Ton): written in their role.
  await chooseRole(page, 'Leistungsberechtigte Person');
  await page.locator('#feld-gutes_leben').fill('Mit Freunden kochen.');
  await waitSaved(page);

  // Removing the imported version: gone from the list, the report still opens as it was.
  await openTemplates(page);
  await page.getByRole('button', { name: 'Entfernen: „Wille und Ressourcen (Bezirk Nord)“, Version 2030.1' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByRole('button', { name: 'Entfernen' }).click();
  await page.locator('.template-outcome .message.ok', { hasText: 'wurde entfernt' }).waitFor();
  assert.equal(await rows(page).count(), 4);
  assert.equal(await page.getByRole('button', { name: /^Entfernen/ }).count(), 0, 'shipped forms cannot be removed');
  await openList(page);
  assert.equal(await page.getByRole('radio', { name: label }).count(), 0);
  await page.goto(report);
  await page.locator('#feld-gutes_leben').waitFor();
  assert.equal(await page.locator('#feld-gutes_leben').inputValue(), 'Mit Freunden kochen.');
  assert.match(await page.locator('label[for="feld-gutes_leben"]').first().innerText(), /Was ist für Sie ein gutes Leben\?/);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a form with a retention period reminds in the list and marks a report past it for deletion', async () => {
  const { context, page, errors } = await device(browser);
  await openApp(page);
  await openTemplates(page);
  await page.getByRole('link', { name: 'Anpassen: „Wille und Ressourcen“, Version 2024.1' }).click();
  await page.getByRole('heading', { name: 'Vorlage anpassen: Wille und Ressourcen (Version 2024.1)', level: 1 }).waitFor();
  const years = page.getByLabel('Aufbewahrung nach der Übermittlung (Jahre)');
  // A period out of range is refused when saving; five years is kept.
  await years.fill('0');
  await page.locator('#vorlage-version').fill('2031.1');
  await page.getByRole('button', { name: 'Als neue Version speichern' }).click();
  await page.locator('.template-save-outcome .message.error', { hasText: '1 bis 50 Jahre' }).waitFor();
  await years.fill('5');
  assert.deepEqual(await axe(page), []);
  await page.getByRole('button', { name: 'Als neue Version speichern' }).click();
  await page.locator('.template-save-outcome .message.ok', { hasText: 'Gespeichert als Version 2031.1' }).waitFor();

  // Two reports of that version: one submitted six years ago, one yesterday.
  const submit = async (name, date) => {
    await openList(page);
    await newReportFrom(page, 'Wille und Ressourcen (Version 2031.1, eigene Vorlage)', '#feld-name_vorname');
    await chooseRole(page, 'Einrichtung/Dienst');
    await page.locator('#feld-name_vorname').fill(name);
    await page.locator('#uebermittelt-am').fill(date);
    await page.locator('#als-uebermittelt').click();
    await page.locator('#uebermittelt').waitFor();
    await waitSaved(page);
  };
  const yesterday = new Date(Date.now() - 86_400_000);
  const iso = (d) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
  const german = (s) => s.split('-').reverse().join('.');
  const inFive = new Date(yesterday); inFive.setFullYear(yesterday.getFullYear() + 5);
  await submit('Alt, Anna', '2020-01-10');
  await submit('Neu, Nils', iso(yesterday));

  await openList(page);
  const row = (name) => page.locator('li.case', { hasText: name });
  assert.match(await row('Alt, Anna').locator('.case-retention').innerText(), /Aufbewahrung endete am 10\.01\.2025: bitte löschen/);
  assert.match(await row('Neu, Nils').locator('.case-retention').innerText(), new RegExp(`aufbewahren bis ${german(iso(inFive))}`));
  assert.deepEqual(await axe(page), []);
  assert.deepEqual(errors, []);
  await context.close();
});
