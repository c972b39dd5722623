/* The inspectors' service worker: keeps the tablet pages, their scripts, styles and fonts and the
   offline data (checklists, assigned sites) so that a visit can be made with no network.
   Served from /sw.js; it controls /inspections/ only and leaves every other request alone.
   Visits themselves never pass through here: the page keeps them in an IndexedDB outbox. */
"use strict";

const VERSION = "{{ version }}";
const CACHE = "pishkhan-inspections-" + VERSION;
const PRECACHE = {{ precache|safe }};
// Static URLs carry their file's fingerprint (?v=...); a request is matched by its path.
const PRECACHE_PATHS = PRECACHE.map((u) => new URL(u, self.location.origin).pathname);
const SHELL_PAGES = {{ shell_pages|safe }};
const BUNDLE_URL = {{ bundle_url|safe }};
const SCOPE = {{ scope|safe }};
const STATIC_PREFIX = {{ static_prefix|safe }};

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    // One by one, so that a single missing file does not leave the tablet without any cache.
    await Promise.all(PRECACHE.map(async (url) => {
      try {
        // A fingerprinted file (?v=) never changes: the browser's HTTP cache may answer.
        const fresh = url.includes("?v=") ? "default" : "no-cache";
        const response = await fetch(url, { credentials: "same-origin", cache: fresh });
        if (isUsable(response)) await cache.put(url, response);
      } catch (error) { /* offline during install: the next visit online fills it */ }
    }));
    await self.skipWaiting();
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    const names = await caches.keys();
    await Promise.all(names.filter((n) => n.startsWith("pishkhan-inspections-") && n !== CACHE)
      .map((n) => caches.delete(n)));
    await self.clients.claim();
  })());
});

// A response worth keeping: a real 200 page, not a redirect to the login form.
function isUsable(response) {
  return response && response.ok && response.type === "basic" && !response.redirected;
}

function isShellPage(url) {
  return SHELL_PAGES.includes(url.pathname);
}

async function networkFirst(request, cacheKey) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (isUsable(response) && cacheKey) await cache.put(cacheKey, response.clone());
    return response;
  } catch (error) {
    const cached = (cacheKey && await cache.match(cacheKey)) || await cache.match(request);
    if (cached && cacheKey === BUNDLE_URL) {
      // Tell the page this is the copy on the device, not a refresh.
      const headers = new Headers(cached.headers);
      headers.set("X-From-Cache", "1");
      return new Response(await cached.blob(), { status: 200, headers });
    }
    if (cached) return cached;
    if (request.mode === "navigate") {
      // Any other inspector page while offline: the desk, with the outbox on it.
      const desk = await cache.match(SHELL_PAGES[0]);
      if (desk) return desk;
    }
    throw error;
  }
}

async function cacheFirst(request) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(request, { ignoreSearch: true });
  if (cached) return cached;
  const response = await fetch(request);
  if (isUsable(response)) await cache.put(request, response.clone());
  return response;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;           // visits and photos go straight to the server
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.startsWith(STATIC_PREFIX)) {
    if (PRECACHE_PATHS.includes(url.pathname)) event.respondWith(cacheFirst(request));
    return;
  }
  if (url.pathname === BUNDLE_URL) {
    event.respondWith(networkFirst(request, BUNDLE_URL));
    return;
  }
  if (request.mode === "navigate" && url.pathname.startsWith(SCOPE)) {
    // The form is cached without its query: offline, the page finds its site in the
    // offline data by the ?site= / ?request= / ?assignment= of its own address.
    const key = isShellPage(url) ? url.pathname : null;
    event.respondWith(networkFirst(request, key));
  }
});
