// Dreieck: the Rust app served by the Rust relay, which also relays the sealed changes; the
// devices also connect directly (WebRTC data channels), unless `dreieck-relay` measures the
// relay's path alone.
//
// Coded against the contract of the sync UI (being written alongside, to be verified once it
// lands): A opens the app, makes a new report ("Neuer Bericht") and shares it ("Teilen",
// #teilen) and invites one person per role there ("Rolle der Person", "Name der Person",
// "Einladung erstellen"), each link in `input.invitation-link[data-role=…]`; B opens the
// caseworker's link, C the beneficiary's; each
// lands in the report editor, and `.sync-status[data-state="synchron"]` shows on all three once
// they are live. Remote changes reach a textarea by setting its `value`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FIELD_ID } from './measure.mjs';
import { freePort, startProcess, waitHttp } from './servers.mjs';

export const name = 'dreieck';
export const page = null; // served by the relay, not bundled here

const field = `#${FIELD_ID}`;

export async function startServer({ relayBin, dist, verbose }) {
  if (!relayBin || !dist) throw new Error('dreieck needs --relay-bin and --dist (cargo xtask bench sync passes them)');
  const port = await freePort();
  const data = mkdtempSync(path.join(tmpdir(), 'dreieck-bench-sync-data-'));
  const p = startProcess('relay', relayBin,
    ['--host', '127.0.0.1', '--port', String(port), '--dist', dist, '--data-dir', data],
    { env: { RUST_LOG: process.env.RUST_LOG ?? 'warn' }, verbose });
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => { await p.stop(); rmSync(data, { recursive: true, force: true }); };
  try {
    await waitHttp(`${url}/healthz`, p.child);
  } catch (e) {
    await stop();
    throw new Error(`${e.message}\n${p.tail()}`);
  }
  return { ...p, url, stop };
}

const live = (page) => page.locator('.sync-status[data-state="synchron"]').first().waitFor({ timeout: 60_000 });

/// A makes and shares a report; B and C join it through the caseworker's and the
/// beneficiary's invitation links; returns when all three are live.
/// Sealed bytes the relay has committed so far (its /metrics counter).
export async function storedBytes(server) {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('dreieck_relay_stored_bytes_total '));
  return line ? Number(line.split(' ')[1]) : undefined;
}

/// With direct channels on (the app's default), the typing starts once A, B and C are
/// connected directly too (`data-path="direkt"`): the keystrokes then go the short way, and the
/// relay keeps the durable copy. `direct: false` measures the relay's path alone.
export async function open(devices, server, { direct = true } = {}) {
  const { a, b, c } = devices;
  if (!direct) {
    for (const d of [a, b, c]) {
      await d.page.context().addInitScript(() => localStorage.setItem('dreieck.direkt', '"aus"'));
    }
  }
  await a.page.goto(`${server.url}/`);
  await a.page.getByRole('button', { name: 'Neuer Bericht' }).click();
  await a.page.locator(field).waitFor();
  await a.page.locator('#teilen').click();
  const dialog = a.page.locator('dialog.share-dialog');
  await dialog.waitFor();
  const invitations = {};
  for (const role of ['caseworker', 'beneficiary']) {
    await dialog.getByLabel('Rolle der Person').selectOption(role);
    await dialog.getByLabel('Name der Person').fill(`Bench ${role}`);
    await dialog.getByRole('button', { name: 'Einladung erstellen' }).click();
    const selector = `input.invitation-link[data-role="${role}"]`;
    await a.page.waitForFunction((sel) => /^https?:\/\//.test(document.querySelector(sel)?.value ?? ''), selector, { timeout: 30_000 });
    invitations[role] = await dialog.locator(selector).inputValue();
  }
  await closeDialog(a.page);

  for (const [d, role] of [[b, 'caseworker'], [c, 'beneficiary']]) {
    await d.page.goto(invitations[role]);
    await d.page.locator(field).waitFor({ timeout: 60_000 });
  }
  await Promise.all([a, b, c].map((d) => live(d.page)));
  if (direct) {
    await Promise.all([a, b, c].map((d) => d.page.locator('.sync-status[data-path="direkt"]').waitFor({ timeout: 60_000 })));
  }
  await ensureEditable(a.page);
}

/// Closes the share dialog the way a person would: Escape, else its close button.
async function closeDialog(page) {
  const dialog = page.locator('dialog[open], [role="dialog"]').first();
  if (!(await dialog.isVisible().catch(() => false))) return;
  await page.keyboard.press('Escape');
  try {
    await dialog.waitFor({ state: 'hidden', timeout: 2000 });
  } catch {
    await dialog.getByRole('button', { name: /Schließen|Fertig|OK|Zurück/ }).first().click();
    await dialog.waitFor({ state: 'hidden', timeout: 5000 });
  }
}

/// The wishes are the person's own words: A writes them in the beneficiary's role.
async function ensureEditable(page) {
  const readOnly = await page.locator(field).evaluate((el) => el.readOnly);
  if (readOnly) await page.getByLabel('Meine Rolle').selectOption({ label: 'Leistungsberechtigte Person' });
}

/// The history, as real input: `inserts` characters typed one by one at the end of A's field
/// (keyboard.insertText: one input event each), then `deletes` Backspace presses.
export async function prefill({ a }, inserts, deletes, log = () => {}) {
  const el = a.page.locator(field);
  await el.evaluate((t) => { t.focus(); t.setSelectionRange(t.value.length, t.value.length); });
  const started = Date.now();
  for (let i = 0; i < inserts; i++) {
    await a.page.keyboard.insertText(String.fromCharCode(65 + (i % 26)));
    if (i % 2500 === 2499) log(`  ${i + 1} of ${inserts} inserts (${((Date.now() - started) / 1000).toFixed(0)} s)`);
  }
  for (let i = 0; i < deletes; i++) {
    await a.page.keyboard.press('Backspace');
    if (i % 2500 === 2499) log(`  ${i + 1} of ${deletes} deletes (${((Date.now() - started) / 1000).toFixed(0)} s)`);
  }
}
