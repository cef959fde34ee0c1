// Dreieck service worker: the app opens and works offline after the first visit.
//
// Rules (documented in docs/storage.md):
// - install: precache "/" (index.html) and every same-origin asset it references (.js, .wasm,
//   .css, .webmanifest, icons, and the QR reader worker's files named in its <meta> tags: it
//   must be on the device before two devices connect with no server), plus the icons named
//   in the manifest; take over at once.
// - navigations: network first (a fresh index.html after a deploy), falling back to the cached
//   index.html after NAV_TIMEOUT_MS or when offline. Every route is the same single-page app,
//   so every navigation is answered with index.html.
// - hashed assets (Trunk's file-hash names, immutable): cache first.
// - any other same-origin GET: stale-while-revalidate.
// - never cached: /healthz, /sync (the relay's WebSocket endpoint, now or later), non-GET,
//   cross-origin, and responses that are not plain 200s.
// - activate: delete caches of other versions; when a new index.html arrives, hashed assets it
//   no longer references are dropped, so the cache does not grow with every deploy.
//
// Bump VERSION when this file's logic changes; app updates need no bump (index.html is
// fetched network first and brings the new hashed assets with it).

const VERSION = 1;
const CACHE = `dreieck-v${VERSION}`;
const INDEX = '/';
const NAV_TIMEOUT_MS = 3000;

const NEVER = [/^\/healthz$/, /^\/sync(\/|$)/];
const HASHED = /-[0-9a-f]{16,}(_bg)?\.(js|wasm|css)$/;
const ASSET = /\.(js|wasm|css|webmanifest|svg|png|ico)$/;

self.addEventListener('install', (event) => {
  event.waitUntil(precache().then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) =>
        Promise.all(
          keys
            .filter((k) => k.startsWith('dreieck-') && k !== CACHE)
            .map((k) => caches.delete(k)),
        ),
      )
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (NEVER.some((re) => re.test(url.pathname))) return;
  if (request.headers.get('range')) return;

  if (request.mode === 'navigate') {
    event.respondWith(navigation(event));
  } else if (HASHED.test(url.pathname)) {
    event.respondWith(cacheFirst(request));
  } else {
    event.respondWith(staleWhileRevalidate(event));
  }
});

// Same-origin asset paths referenced by an HTML page: attributes (href/src) and quoted paths in
// inline scripts (Trunk's loader names the .js and .wasm there).
function assetsIn(html) {
  const found = new Set();
  const re = /(?:href|src)\s*=\s*["']([^"']+)["']|["'](\/[^"'\s]+)["']/g;
  let m;
  while ((m = re.exec(html)) !== null) {
    const raw = m[1] || m[2];
    let url;
    try {
      url = new URL(raw, self.location.origin + '/');
    } catch (_) {
      continue;
    }
    if (url.origin !== self.location.origin) continue;
    if (ASSET.test(url.pathname) || url.pathname.startsWith('/icons/')) {
      found.add(url.pathname);
    }
  }
  return [...found];
}

async function precache() {
  const cache = await caches.open(CACHE);
  const response = await fetch(new Request(INDEX, { cache: 'reload' }));
  if (!response.ok) throw new Error(`index.html: ${response.status}`);
  const html = await response.clone().text();
  const assets = assetsIn(html);
  // All or nothing: a half-filled cache would open offline and then fail to load the wasm.
  await cache.addAll(assets.map((a) => new Request(a, { cache: 'reload' })));
  await cache.put(INDEX, response);
  // Icons named only in the manifest: best effort, the app runs without them.
  const manifest = assets.find((a) => a.endsWith('.webmanifest'));
  if (manifest) {
    try {
      const m = await (await cache.match(manifest)).json();
      const icons = (m.icons || []).map((i) => new URL(i.src, self.location.origin + manifest).pathname);
      await Promise.all(icons.map((i) => cache.add(i).catch(() => undefined)));
    } catch (_) {
      // An unreadable manifest only costs the icons offline.
    }
  }
}

function cacheable(response) {
  return response && response.status === 200 && response.type === 'basic';
}

async function navigation(event) {
  const cache = await caches.open(CACHE);
  const network = fetch(event.request).then(async (response) => {
    const type = response.headers.get('content-type') || '';
    if (cacheable(response) && type.includes('text/html')) {
      await cache.put(INDEX, response.clone());
      event.waitUntil(trimHashed(cache, await response.clone().text()));
    }
    return response;
  });
  // Keep the service worker alive until the network answer is stored, even after a timeout.
  event.waitUntil(network.catch(() => undefined));
  const timeout = new Promise((resolve) => setTimeout(() => resolve(null), NAV_TIMEOUT_MS));
  try {
    const first = await Promise.race([network, timeout]);
    if (first) return first;
  } catch (_) {
    // Offline or the server is down: fall back below.
  }
  const cached = await cache.match(INDEX);
  if (cached) return cached;
  return network; // never visited before: wait for the network (or its error)
}

// Drops cached hashed assets that the current index.html no longer references.
async function trimHashed(cache, html) {
  const wanted = new Set(assetsIn(html));
  if (wanted.size === 0) return;
  const requests = await cache.keys();
  await Promise.all(
    requests
      .map((r) => new URL(r.url).pathname)
      .filter((p) => HASHED.test(p) && !wanted.has(p))
      .map((p) => cache.delete(p)),
  );
}

async function cacheFirst(request) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(request);
  if (cached) return cached;
  const response = await fetch(request);
  if (cacheable(response)) await cache.put(request, response.clone());
  return response;
}

async function staleWhileRevalidate(event) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(event.request);
  const network = fetch(event.request).then(async (response) => {
    if (cacheable(response)) await cache.put(event.request, response.clone());
    return response;
  });
  if (cached) {
    event.waitUntil(network.catch(() => undefined));
    return cached;
  }
  return network;
}
