// Two devices with no server at all connect directly by showing and scanning QR codes in turn
// (Chromium's fake camera fed the codes' frames): typing goes both ways, and a code that is
// not one of ours is refused with a clear message.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { axe, device, fakeCamera, invite, join, launch, synced } from './lib/browser.mjs';
import { TestRelay } from './lib/relay.mjs';
import { converged, valueOf } from './lib/app.mjs';

const W = 640;
const H = 480;

/// The grey values of `svg` (a QR code) drawn on a white 640 × 480 frame, by a blank page of
/// `browser` (no app, no Content-Security-Policy in the way).
async function frameOf(browser, svg) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.setContent(`<canvas id="c" width="${W}" height="${H}"></canvas>`);
  const luma = await page.evaluate(async ({ svg, W, H }) => {
    const img = new Image();
    img.src = 'data:image/svg+xml;base64,' + btoa(unescape(encodeURIComponent(svg)));
    await img.decode();
    const g = document.getElementById('c').getContext('2d');
    g.fillStyle = '#fff';
    g.fillRect(0, 0, W, H);
    g.imageSmoothingEnabled = false;
    g.drawImage(img, (W - H) / 2 + 20, 20, H - 40, H - 40);
    const d = g.getImageData(0, 0, W, H).data;
    const y = new Array(W * H);
    for (let i = 0; i < W * H; i++) y[i] = Math.round(0.299 * d[4 * i] + 0.587 * d[4 * i + 1] + 0.114 * d[4 * i + 2]);
    return y;
  }, { svg, W, H });
  await context.close();
  return Uint8Array.from(luma);
}

/// One frame of Y4M (4:2:0, grey: chroma at 128).
function writeY4m(file, luma) {
  const header = Buffer.from(`YUV4MPEG2 W${W} H${H} F10:1 Ip A1:1 C420jpeg\nFRAME\n`);
  const chroma = Buffer.alloc((W / 2) * (H / 2) * 2, 128);
  writeFileSync(file, Buffer.concat([header, Buffer.from(luma), chroma]));
}

/// This device's code, as text and as the QR code's SVG.
async function shownCode(page) {
  const code = page.locator('.direct-code[data-code]');
  await code.waitFor({ timeout: 30_000 });
  return { text: await code.getAttribute('data-code'), svg: await code.innerHTML() };
}

describe('devices with no server connect by QR codes', () => {
  let relay; let dir; let camA; let camB; let browserA; let browserB; let a; let b; let invitationQr;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'dreieck-camera-'));
    camA = path.join(dir, 'a.y4m');
    camB = path.join(dir, 'b.y4m');
    const white = new Uint8Array(W * H).fill(255);
    writeY4m(camA, white);
    writeY4m(camB, white);
    relay = await TestRelay.start();
    browserA = await launch({ args: fakeCamera(camA) });
    browserB = await launch({ args: fakeCamera(camB) });
    a = await device(browserA);
    await a.page.goto(relay.url + '/');
    await a.page.getByRole('button', { name: 'Neuer Bericht' }).click();
    await a.page.locator('#feld-lb_name').waitFor();
    const link = await invite(a.page, 'provider', 'Herr Zwei');
    // An invitation's QR code: a code of this app that is no direct channel's.
    await invite(a.page, 'guardian', 'Frau Betreuerin', { keepOpen: true });
    invitationQr = await a.page.locator('dialog.share-dialog .qr-code').first().innerHTML();
    await a.page.locator('dialog.share-dialog').getByRole('button', { name: 'Fertig' }).click();
    await synced(a.page);
    b = await join(browserB, link);
    // The server goes away for good; the direct channel found through it goes with the
    // network, and without a server no new one is found.
    await relay.kill();
    for (const d of [a, b]) {
      await d.context.setOffline(true);
      await d.page.locator('.sync-status[data-path="keiner"]').waitFor({ timeout: 15_000 });
      await d.context.setOffline(false);
      await d.page.locator('.sync-status[data-cause="server"][data-path="keiner"]').waitFor({ timeout: 15_000 });
    }
  });

  after(async () => {
    await browserA?.close();
    await browserB?.close();
    await relay?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('one shows a code, the other scans it and answers, the first scans the answer', async () => {
    await a.page.getByRole('button', { name: 'Ohne Internet verbinden' }).click();
    const dialogA = a.page.locator('dialog.direct-dialog');
    await dialogA.getByText('App schon einmal mit Internet geöffnet').waitFor();
    await dialogA.getByRole('button', { name: 'Code zeigen' }).click();
    const offer = await shownCode(a.page);
    assert.match(offer.text, /^DK1:[0-9A-Z $%*+\-./:]+$/);
    assert.deepEqual(await axe(a.page), []);

    // B's camera is held to an invitation's QR code first: a clear message, nothing else.
    const dialogB = b.page.locator('dialog.direct-dialog');
    writeY4m(camB, await frameOf(browserB, invitationQr));
    await b.page.getByRole('button', { name: 'Ohne Internet verbinden' }).click();
    await dialogB.getByRole('button', { name: 'Code scannen' }).click();
    await dialogB.getByRole('alert').filter({ hasText: 'kein Code für eine direkte Verbindung' }).waitFor({ timeout: 30_000 });
    await dialogB.getByRole('button', { name: 'Fertig' }).click();
    assert.equal(await b.page.locator('.sync-status[data-path="direkt"]').count(), 0);

    writeY4m(camB, await frameOf(browserB, offer.svg));
    await b.page.getByRole('button', { name: 'Ohne Internet verbinden' }).click();
    await dialogB.getByRole('button', { name: 'Code scannen' }).click();
    const answer = await shownCode(b.page);
    assert.notEqual(answer.text, offer.text);

    writeY4m(camA, await frameOf(browserA, answer.svg));
    await dialogA.getByRole('button', { name: 'Antwort scannen' }).click();
    for (const d of [a, b]) {
      await d.page.locator('.sync-status[data-path="direkt"]').waitFor({ timeout: 30_000 });
      await d.page.locator('dialog.direct-dialog .direct-state', { hasText: 'Direkt verbunden.' }).waitFor();
    }
    await dialogA.getByRole('button', { name: 'Fertig' }).click();
    await dialogB.getByRole('button', { name: 'Fertig' }).click();
  });

  test('typing goes both ways over the channel the codes made', async () => {
    await a.page.locator('#feld-entwicklung_freizeit').click();
    await a.page.keyboard.type('Beim Hausbesuch: Rotkehlchen', { delay: 30 });
    await converged([a.page, b.page], 'entwicklung_freizeit', (v) => v === 'Beim Hausbesuch: Rotkehlchen');
    await b.page.locator('#feld-entwicklung_kommunikation').fill('Ohne Netz: Blaumeise');
    await converged([a.page, b.page], 'entwicklung_kommunikation', (v) => v === 'Ohne Netz: Blaumeise');
    const expected = /^WebSocket connection to '[^']*\/sync' failed: Error in connection establishment: net::ERR_(CONNECTION_REFUSED|INTERNET_DISCONNECTED)$/;
    assert.deepEqual([...a.errors, ...b.errors].filter((e) => !expected.test(e)), []);
  });

  test('a QR reader that does not load is said plainly, not left looking at codes', async () => {
    // This device's copy of the reader is missing (an update half done): its loader's address
    // names nothing the service worker holds, and there is no server.
    await b.page.evaluate(() => {
      document.querySelector('meta[name=dreieck-qr-reader]').setAttribute('content', '/qr-reader-fehlt.js');
    });
    const dialogB = b.page.locator('dialog.direct-dialog');
    await b.page.getByRole('button', { name: 'Ohne Internet verbinden' }).click();
    await dialogB.getByRole('button', { name: 'Code scannen' }).click();
    await dialogB.getByRole('alert')
      .filter({ hasText: 'Das Lesen von QR-Codes lässt sich nicht starten. Laden Sie die Seite neu' })
      .waitFor({ timeout: 30_000 });
    // The camera is off again.
    await b.page.waitForFunction(() => !document.querySelector('dialog.direct-dialog video')?.srcObject?.active);
    await dialogB.getByRole('button', { name: 'Fertig' }).click();
  });
});
