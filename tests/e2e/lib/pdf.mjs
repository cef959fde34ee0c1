// Reading a PDF that headless Chromium printed: its text, page by page, with pdf.js from the
// locked node tools (xtask/node).
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const require = createRequire(path.join(root, 'xtask/node/package.json'));
const pdfjs = await import(pathToFileURL(require.resolve('pdfjs-dist/legacy/build/pdf.mjs')).href);

/// The text runs of each page of a PDF, each with the height it stands at.
export async function pdfRuns(bytes) {
  const doc = await pdfjs.getDocument({ data: new Uint8Array(bytes), disableFontFace: true, useSystemFonts: false }).promise;
  const pages = [];
  for (let i = 1; i <= doc.numPages; i++) {
    const content = await (await doc.getPage(i)).getTextContent();
    pages.push(content.items.filter((it) => it.str.trim() !== '').map((it) => ({ str: it.str, y: it.transform[5] })));
  }
  return pages;
}

/// The text of each page of a PDF, white space squashed.
export async function pdfPages(bytes) {
  return (await pdfRuns(bytes)).map((runs) => runs.map((r) => r.str).join(' ').replace(/\s+/g, ' '));
}
