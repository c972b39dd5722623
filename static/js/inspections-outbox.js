/* The tablet's outbox: visits saved on the device wait in IndexedDB until the server confirms them.
 *
 * - Each record is one visit: its JSON, its photos as blobs, and how far sending got.
 * - Sending runs on page start, on the `online` event, from the «ارسال اکنون» button and when a
 *   back-off delay ends; one record at a time, the visit first and then each photo.
 * - A record is deleted only after the server answered 201 or 200 for the visit and every photo.
 *   409 (same UUID, other content) and every other 4xx refusal (422: a text the server cannot
 *   take, a missing answer) stay in the outbox and are never retried by themselves: the record is
 *   marked for the inspector with the server's Persian message, the texts the server named can be
 *   corrected in place and the visit sent again. 401 and 403 (the session ended, or another user
 *   signed in) wait for the inspector to sign in again; network errors, 429 and 5xx are retried
 *   with exponential back-off.
 * Plain browser JavaScript, no build step; exposes window.PishkhanOutbox for the visit form.
 */
(function () {
  "use strict";

  const DB_NAME = "pishkhan-inspections";
  const DB_VERSION = 1;
  const STORE = "outbox";
  const BACKOFF_FIRST_MS = 5000;
  const BACKOFF_MAX_MS = 10 * 60 * 1000;
  const PERSIAN_DIGITS = "۰۱۲۳۴۵۶۷۸۹";

  const root = document.querySelector("[data-user-id][data-api-url]");
  if (!root) return;
  const userId = Number(root.dataset.userId);
  const apiUrl = root.dataset.apiUrl;
  const sessionUrl = root.dataset.sessionUrl;
  let csrfToken = root.dataset.csrfToken;
  let syncing = false;
  let timer = null;
  let loginNeeded = false;

  // ------------------------------------------------------------ small helpers

  function fa(value) {
    return String(value).replace(/[0-9]/g, (d) => PERSIAN_DIGITS[d]);
  }

  function timeFa(ms) {
    const d = new Date(ms);
    const pad = (n) => String(n).padStart(2, "0");
    return fa(pad(d.getHours()) + ":" + pad(d.getMinutes()));
  }

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (key === "class") node.className = value;
      else if (key.startsWith("data-")) node.setAttribute(key, value);
      else node[key] = value;
    }
    for (const child of children) {
      if (child !== null && child !== undefined) node.append(child);
    }
    return node;
  }

  // ------------------------------------------------------------ IndexedDB

  let dbPromise = null;

  function openDb() {
    if (!dbPromise) {
      dbPromise = new Promise((resolve, reject) => {
        const request = indexedDB.open(DB_NAME, DB_VERSION);
        request.onupgradeneeded = () => {
          const db = request.result;
          if (!db.objectStoreNames.contains(STORE)) {
            const store = db.createObjectStore(STORE, { keyPath: "uuid" });
            store.createIndex("saved_at", "saved_at");
          }
        };
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
    }
    return dbPromise;
  }

  async function withStore(mode, action) {
    const db = await openDb();
    return new Promise((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const result = action(tx.objectStore(STORE));
      tx.oncomplete = () => resolve(result && "result" in result ? result.result : undefined);
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
  }

  const putRecord = (record) => withStore("readwrite", (store) => store.put(record));
  const deleteRecord = (uuid) => withStore("readwrite", (store) => store.delete(uuid));
  const getRecord = (uuid) => withStore("readonly", (store) => store.get(uuid));

  async function allRecords() {
    const records = (await withStore("readonly", (store) => store.getAll())) || [];
    return records.sort((a, b) => a.saved_at - b.saved_at);
  }

  async function myRecords() {
    return (await allRecords()).filter((r) => r.user_id === userId);
  }

  // ------------------------------------------------------------ showing the outbox

  const STATE_LABELS = {
    waiting: "در انتظار ارسال",
    sending: "در حال ارسال…",
    conflict: "تعارض — نیازمند بررسی",
    refused: "ارسال نشد — نیازمند بررسی",
  };
  const STATE_BADGES = {
    waiting: "text-bg-warning", sending: "text-bg-info", conflict: "text-bg-danger",
    refused: "text-bg-danger",
  };

  // The session ended (a restart without «remember me», or it was revoked): the visits stay in
  // the outbox, and a sign-in button brings the inspector back to this page.
  function setStatus(text) {
    document.querySelectorAll("[data-outbox-status]").forEach((node) => { node.textContent = text; });
    document.querySelectorAll("[data-outbox-login]").forEach((node) => { node.hidden = !loginNeeded; });
  }

  function showNetwork() {
    document.querySelectorAll("[data-net-status]").forEach((node) => {
      node.textContent = navigator.onLine ? "متصل" : "بدون اتصال";
      node.className = "badge net-badge " + (navigator.onLine ? "text-bg-success" : "text-bg-dark");
    });
  }

  // "answers[0].note" → ["answers", 0, "note"]: the field paths of the server's JSON errors.
  function pathParts(path) {
    return path.split(/\.|\[(\d+)\]/).filter((p) => p !== undefined && p !== "")
      .map((p) => (/^\d+$/.test(p) ? Number(p) : p));
  }

  function getPath(object, path) {
    return pathParts(path).reduce((node, key) => (node == null ? undefined : node[key]), object);
  }

  function setPath(object, path, value) {
    const parts = pathParts(path);
    const last = parts.pop();
    const parent = parts.reduce((node, key) => (node == null ? undefined : node[key]), object);
    if (parent != null) parent[last] = value;
  }

  // NUL, other control characters but tab and line breaks, and halves of a character.
  function withoutBadCharacters(text) {
    return text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, "")
      .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, "");
  }

  // The visit's texts by name, for the inspector ("answers[2].note" → توضیح بند ۳).
  function fieldLabel(path) {
    if (path === "notes") return "یادداشت بازدید";
    const answer = /^answers\[(\d+)\]\.note$/.exec(path);
    if (answer) return "توضیح بند " + fa(Number(answer[1]) + 1);
    return "متن «" + path + "»";
  }

  // The texts the server refused, each in a box the inspector corrects before sending again.
  function correctionForm(record) {
    const form = el("form", { class: "outbox-correction mt-2" });
    const boxes = (record.error_fields || []).map((path) => {
      const box = el("textarea", { class: "form-control", rows: "2", "data-path": path });
      box.value = withoutBadCharacters(getPath(record.payload, path) || "");
      return el("label", { class: "form-label d-block small" },
        fieldLabel(path) + " (نویسه‌های نامعتبر برداشته شد؛ بازبینی کنید):", box);
    });
    if (!boxes.length) return null;
    form.append(...boxes, el("button", { type: "submit", class: "btn btn-primary btn-touch mt-1",
      textContent: "ذخیره اصلاح و ارسال دوباره" }));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const values = {};
      form.querySelectorAll("textarea[data-path]").forEach((box) => { values[box.dataset.path] = box.value; });
      correct(record.uuid, values);
    });
    return form;
  }

  function recordItem(record) {
    const sentPhotos = record.photos.filter((p) => p.sent).length;
    const badge = el("span", { class: "badge " + (STATE_BADGES[record.state] || "text-bg-secondary") },
      STATE_LABELS[record.state] || record.state);
    const lines = [
      el("div", { class: "fw-bold" }, record.label || "بازدید"),
      el("div", { class: "small" }, "ذخیره در " + timeFa(record.saved_at) + " — ",
        badge,
        record.photos.length ? " — عکس‌ها: " + fa(sentPhotos) + " از " + fa(record.photos.length) +
          " ارسال شده" : ""),
      el("div", { class: "small text-secondary ltr-id" }, record.uuid),
    ];
    if (record.last_error) {
      lines.push(el("div", { class: "outbox-error mt-1" }, record.last_error));
    }
    if (record.state === "waiting" && record.next_at > Date.now()) {
      lines.push(el("div", { class: "small text-secondary" },
        "تلاش دوباره حدود ساعت " + timeFa(record.next_at)));
    }
    if (record.state === "refused" && !record.visit_sent) {
      const form = correctionForm(record);
      if (form) lines.push(form);
    }
    const actions = el("div", { class: "d-flex flex-wrap gap-2 mt-2" });
    if (record.state === "conflict" || record.state === "refused") {
      actions.append(el("button", {
        type: "button", class: "btn btn-outline-primary btn-touch", textContent: "تلاش دوباره",
        onclick: () => retry(record.uuid),
      }));
      if (record.state === "conflict") {
        actions.append(el("button", {
          type: "button", class: "btn btn-outline-warning btn-touch",
          textContent: "ارسال به‌عنوان بازدید جداگانه", onclick: () => resendAsNew(record.uuid),
        }));
      }
      actions.append(el("button", {
        type: "button", class: "btn btn-outline-danger btn-touch", textContent: "حذف از صف",
        onclick: () => discard(record.uuid),
      }));
    }
    return el("li", { class: "list-group-item outbox-item", "data-state": record.state,
      "data-uuid": record.uuid }, ...lines, actions.childElementCount ? actions : null);
  }

  async function render() {
    const records = await myRecords();
    document.querySelectorAll("[data-outbox-count]").forEach((node) => {
      node.textContent = fa(records.length);
    });
    document.querySelectorAll("[data-outbox-list]").forEach((list) => {
      list.replaceChildren(...records.map(recordItem));
      if (!records.length) {
        list.append(el("li", { class: "list-group-item text-secondary" },
          "چیزی در صف نیست؛ همه بازدیدهای این دستگاه به سامانه رسیده است."));
      }
    });
    showNetwork();
    return records;
  }

  // ------------------------------------------------------------ sending

  function backoff(attempts) {
    const base = Math.min(BACKOFF_FIRST_MS * 2 ** Math.max(attempts - 1, 0), BACKOFF_MAX_MS);
    return Math.round(base * (0.8 + Math.random() * 0.4));
  }

  class NetworkTrouble extends Error {}

  // The server's Persian message (and the first few field messages) from a JSON error.
  async function readError(response) {
    try {
      const body = await response.json();
      const error = body && body.error;
      if (error && error.message) {
        const details = Object.values(error.fields || {}).filter((m) => !error.message.includes(m));
        return { code: error.code, fields: error.fields || {},
          message: [error.message, ...details.slice(0, 5)].join(" — ") };
      }
    } catch (e) { /* not JSON */ }
    return { code: String(response.status), fields: {},
      message: "پاسخ نامعتبر از سامانه (" + fa(response.status) + ")" };
  }

  async function freshToken() {
    const response = await fetch(sessionUrl, {
      credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" },
    });
    if (response.status === 401 || response.redirected) {
      loginNeeded = true;
      throw new NetworkTrouble("login");
    }
    if (!response.ok) throw new NetworkTrouble("session " + response.status);
    const body = await response.json();
    if (body.user_id !== userId) {
      loginNeeded = true;
      throw new NetworkTrouble("another user");
    }
    loginNeeded = false;
    csrfToken = body.csrf_token;
  }

  // What to do with an answer that is not a success: true = stop and retry later.
  async function refused(record, response) {
    const status = response.status;
    const { code, message, fields } = await readError(response);
    if (status === 401 || status === 403) {
      loginNeeded = true;                  // kept as it is until the inspector signs in again
      return true;
    }
    if (status === 409) {
      record.state = "conflict";
    } else if (status >= 500 || status === 429 || code === "csrf") {
      throw new NetworkTrouble(message);   // the server's trouble or a stale token: try later
    } else if (status === 404 && record.visit_sent) {
      record.visit_sent = false;           // the visit went missing on the server: send it again
      throw new NetworkTrouble(message);
    } else {
      record.state = "refused";            // a 4xx: sending it again unchanged would fail again
      record.error_fields = Object.keys(fields).filter((path) =>
        typeof getPath(record.payload, path) === "string");
    }
    record.last_error = message;
    await putRecord(record);
    return false;
  }

  // Send one record; returns "sent", "kept" (needs the inspector) or throws NetworkTrouble.
  async function sendRecord(record) {
    record.state = "sending";
    await putRecord(record);
    await render();
    if (!record.visit_sent) {
      const response = await fetch(apiUrl, {
        method: "POST", credentials: "same-origin", cache: "no-store",
        // The tablet's clock at sending: the server compares it with its own (not part of the
        // payload, so a retry stays the same visit).
        headers: { "Content-Type": "application/json", Accept: "application/json",
          "X-CSRFToken": csrfToken, "X-Device-Time": new Date().toISOString() },
        body: JSON.stringify(record.payload),
      });
      if (response.status !== 201 && response.status !== 200) {
        if (await refused(record, response)) throw new NetworkTrouble("login");
        return "kept";
      }
      record.visit_sent = true;
      await putRecord(record);
    }
    for (const photo of record.photos) {
      if (photo.sent) continue;
      const response = await fetch(apiUrl + "/" + record.uuid + "/photos/" + photo.sha256, {
        method: "PUT", credentials: "same-origin", cache: "no-store",
        headers: { "Content-Type": photo.blob.type || "image/jpeg", Accept: "application/json",
          "X-CSRFToken": csrfToken },
        body: photo.blob,
      });
      if (response.status !== 201 && response.status !== 200) {
        if (await refused(record, response)) throw new NetworkTrouble("login");
        return "kept";
      }
      photo.sent = true;
      await putRecord(record);
    }
    await deleteRecord(record.uuid);
    return "sent";
  }

  async function syncNow(force) {
    if (syncing) return;
    syncing = true;
    let sent = 0;
    let kept = 0;
    try {
      const records = (await myRecords()).filter((r) => r.state === "waiting" || r.state === "sending");
      const due = records.filter((r) => force || !r.next_at || r.next_at <= Date.now());
      if (!records.length) {
        setStatus("صف خالی است.");
        return;
      }
      if (!due.length) {
        setStatus("ارسال بعدی پس از پایان زمان انتظار انجام می‌شود.");
        return;
      }
      if (!navigator.onLine && !force) {
        setStatus("اتصال برقرار نیست؛ بازدیدها روی همین دستگاه محفوظ‌اند و با برقراری اتصال ارسال می‌شوند.");
        return;
      }
      setStatus("در حال ارسال…");
      await freshToken();
      for (const record of due) {
        try {
          if ((await sendRecord(record)) === "sent") sent += 1;
          else kept += 1;
        } catch (error) {
          if (!(error instanceof NetworkTrouble) && !(error instanceof TypeError)) throw error;
          const fresh = (await getRecord(record.uuid)) || record;
          fresh.state = "waiting";
          fresh.attempts = (fresh.attempts || 0) + 1;
          fresh.next_at = Date.now() + backoff(fresh.attempts);
          fresh.last_error = loginNeeded ? "برای ارسال، دوباره وارد سامانه شوید."
            : "ارسال نشد (اتصال یا سامانه در دسترس نیست)؛ دوباره تلاش می‌شود.";
          await putRecord(fresh);
          break;                                    // one at a time: wait before the next
        }
      }
      const parts = [];
      if (sent) parts.push(fa(sent) + " بازدید به سامانه رسید.");
      if (kept) parts.push(fa(kept) + " بازدید را سامانه نپذیرفت و نیازمند بررسی شماست (پیام هر کدام زیر آن آمده است).");
      setStatus(parts.join(" ") || "ارسال انجام نشد؛ دوباره تلاش می‌شود.");
    } catch (error) {
      setStatus(loginNeeded ? "نشست کاری به پایان رسیده است؛ دوباره وارد سامانه شوید تا ارسال ادامه یابد."
        : (navigator.onLine ? "سامانه پاسخ نداد؛ بازدیدها روی همین دستگاه محفوظ‌اند و دوباره ارسال می‌شوند."
          : "اتصال برقرار نیست؛ بازدیدها روی همین دستگاه محفوظ‌اند و با برقراری اتصال ارسال می‌شوند."));
    } finally {
      syncing = false;
      const records = await render();
      schedule(records);
    }
  }

  function schedule(records) {
    clearTimeout(timer);
    const next = records.filter((r) => r.state === "waiting" && r.next_at)
      .map((r) => r.next_at).sort((a, b) => a - b)[0];
    if (next) timer = setTimeout(() => sync(false), Math.max(next - Date.now(), 1000));
  }

  // Only one tab sends at a time (Web Locks where the browser has them).
  function sync(force) {
    if (navigator.locks) {
      return navigator.locks.request("pishkhan-outbox", { ifAvailable: true }, (lock) =>
        lock ? syncNow(force) : null);
    }
    return syncNow(force);
  }

  // ------------------------------------------------------------ the inspector's actions

  async function retry(uuid) {
    const record = await getRecord(uuid);
    if (!record) return;
    Object.assign(record, { state: "waiting", next_at: 0, last_error: null });
    await putRecord(record);
    await sync(true);
  }

  // The inspector corrected the texts the server refused: keep the corrections, send again.
  async function correct(uuid, values) {
    const record = await getRecord(uuid);
    if (!record) return;
    Object.entries(values).forEach(([path, value]) => setPath(record.payload, path, value));
    Object.assign(record, { state: "waiting", next_at: 0, attempts: 0, last_error: null,
      error_fields: [] });
    await putRecord(record);
    await sync(true);
  }

  async function resendAsNew(uuid) {
    const record = await getRecord(uuid);
    if (!record) return;
    if (!window.confirm("این بازدید با شناسه تازه به‌عنوان بازدیدی جداگانه ارسال شود؟")) return;
    const fresh = structuredClone(record);
    fresh.uuid = newUuid();
    fresh.payload.uuid = fresh.uuid;
    Object.assign(fresh, { state: "waiting", next_at: 0, attempts: 0, last_error: null,
      visit_sent: false });
    fresh.photos.forEach((p) => { p.sent = false; });
    await putRecord(fresh);
    await deleteRecord(uuid);
    await sync(true);
  }

  async function discard(uuid) {
    if (!window.confirm("این بازدید از صف این دستگاه حذف شود؟ پس از حذف قابل بازگشت نیست.")) return;
    await deleteRecord(uuid);
    await render();
  }

  function newUuid() {
    if (crypto.randomUUID) return crypto.randomUUID();
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  // Called by the visit form: keep the visit, then try to send it.
  async function add(payload, photos, label) {
    const record = {
      uuid: payload.uuid, user_id: userId, payload, label,
      photos: photos.map((p) => ({ sha256: p.sha256, blob: p.blob, sent: false })),
      saved_at: Date.now(), state: "waiting", attempts: 0, next_at: 0, last_error: null,
      visit_sent: false,
    };
    await putRecord(record);
    await render();
    sync(true);
    return record;
  }

  // ------------------------------------------------------------ start

  async function registerWorker() {
    if (!("serviceWorker" in navigator) || !root.dataset.swUrl) return;
    try {
      await navigator.serviceWorker.register(root.dataset.swUrl, { scope: root.dataset.swScope });
      await navigator.serviceWorker.ready;
      document.querySelectorAll("[data-offline-ready]").forEach((node) => { node.hidden = false; });
      root.dataset.swState = "ready";
    } catch (error) {
      root.dataset.swState = "failed";
    }
  }

  window.PishkhanOutbox = { add, sync, render, newUuid, fa, userId, records: myRecords };

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("[data-outbox-send]").forEach((button) => {
      button.addEventListener("click", () => sync(true));
    });
    window.addEventListener("online", () => { showNetwork(); sync(true); });
    window.addEventListener("offline", showNetwork);
    registerWorker();
    render().then(() => sync(false));
  });
})();
