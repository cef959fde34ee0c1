// Opens the app with ?bench in headless Chromium and prints the figures the wasm bench reports.
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const { chromium } = require('playwright-core');

const url = process.env.DREIECK_URL ?? 'http://127.0.0.1:8080';
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-dev-shm-usage',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const page = await browser.newPage();
  page.on('console', (m) => { if (m.type() === 'error') console.error('browser:', m.text()); });
  await page.goto(`${url}/?bench`);
  const pre = page.locator('#bench-result');
  await pre.waitFor({ timeout: 300_000 });
  const text = await pre.textContent();
  try {
    console.log(JSON.stringify(JSON.parse(text), null, 2));
  } catch {
    console.log(text);
  }
} finally {
  await browser.close();
}
