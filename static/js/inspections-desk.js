/* The inspector's desk: keeps the offline data fresh, finds any site of the inspector's area with
 * no network, and checks a licence (its QR code or its number) against the offline data.
 *
 * - The offline data is asked for when the desk opens online, when the network comes back and
 *   every data-refresh-min minutes while online. The request carries the last ETag (the browser's
 *   HTTP cache does it), so when nothing changed the answer is a 304 of a few hundred bytes.
 * - Each refresh compares the tablet's clock with the server's (X-Server-Time) and warns above
 *   data-max-skew-min either way.
 * - A licence QR is read by html5-qrcode (camera or an image file), its Ed25519 signature checked
 *   with WebCrypto and the public key in the offline data, and its status compared with the
 *   offline status list (a licence suspended or revoked after the QR was printed).
 * Plain browser JavaScript, no build step.
 */
(function () {
  "use strict";

  const CHECKED_KEY = "pishkhan-bundle-checked-at";
  const SKEW_KEY = "pishkhan-clock-skew-ms";
  const PERSIAN_DIGITS = "۰۱۲۳۴۵۶۷۸۹";
  const STATUS = {
    active: { label: "معتبر", tone: "success" },
    suspended: { label: "تعلیق", tone: "warning" },
    revoked: { label: "لغو شده", tone: "danger" },
    expired: { label: "منقضی", tone: "secondary" },
    superseded: { label: "جایگزین شده", tone: "secondary" },
  };

  const root = document.querySelector("[data-bundle-url][data-user-id]");
  if (!root) return;
  const bundleUrl = root.dataset.bundleUrl;
  const formUrl = root.dataset.formUrl;
  let bundle = null;

  function fa(value) {
    return String(value).replace(/[0-9]/g, (d) => PERSIAN_DIGITS[d]);
  }

  function whenFa(ms) {
    const d = new Date(ms);
    const pad = (n) => String(n).padStart(2, "0");
    const day = new Intl.DateTimeFormat("fa-IR-u-ca-persian", { month: "long", day: "numeric" }).format(d);
    return fa(pad(d.getHours()) + ":" + pad(d.getMinutes())) + "، " + day;
  }

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (key === "class") node.className = value;
      else if (key.startsWith("data-")) node.setAttribute(key, value);
      else node[key] = value;
    }
    for (const child of children) if (child !== null && child !== undefined) node.append(child);
    return node;
  }

  // Arabic forms and Persian/Latin digits the same, so «كد ١٢» finds «کد ۱۲».
  function norm(text) {
    return String(text || "").replace(/ي/g, "ی").replace(/ك/g, "ک").replace(/[\u064B-\u065F\u200c]/g, "")
      .replace(/[۰-۹]/g, (d) => String(PERSIAN_DIGITS.indexOf(d))).replace(/[٠-٩]/g, (d) => String(d.charCodeAt(0) - 0x660))
      .toLowerCase().trim();
  }

  // ------------------------------------------------------------ the offline data

  async function fromCache() {
    if (!window.caches) return null;
    const cached = await caches.match(bundleUrl);
    return cached ? cached.json() : null;
  }

  async function refresh() {
    let fresh = false;
    try {
      // "no-cache": revalidate with the stored ETag; the service worker keeps the answer.
      const response = await fetch(bundleUrl, { credentials: "same-origin", cache: "no-cache",
        headers: { Accept: "application/json" } });
      if (response.ok && !response.redirected && !response.headers.get("X-From-Cache")) {
        bundle = await response.json();
        fresh = true;
        localStorage.setItem(CHECKED_KEY, String(Date.now()));
        const serverTime = Date.parse(response.headers.get("X-Server-Time") || "");
        if (!Number.isNaN(serverTime)) localStorage.setItem(SKEW_KEY, String(Date.now() - serverTime));
      } else if (response.ok && !response.redirected) {
        bundle = await response.json();
      }
    } catch (e) { /* offline: the copy on the device */ }
    if (!bundle) bundle = await fromCache();
    root.dataset.bundleState = fresh ? "fresh" : (bundle ? "cached" : "missing");
    showStatus();
    return bundle;
  }

  function showStatus() {
    const box = document.querySelector("[data-bundle-status]");
    if (!box) return;
    const checked = Number(localStorage.getItem(CHECKED_KEY) || 0);
    if (!bundle) {
      box.className = "alert alert-danger mb-0";
      box.textContent = "داده‌های کار بدون اینترنت روی این دستگاه نیست؛ یک بار با اینترنت این صفحه را باز کنید.";
      return;
    }
    const area = (bundle.area || []).join("، ");
    const assigned = (bundle.assignments || []).length;
    box.className = "alert alert-light border mb-0";
    box.replaceChildren(
      el("div", { class: "fw-bold" }, checked
        ? "آخرین به‌روزرسانی داده‌های بدون اینترنت: " + whenFa(checked)
        : "داده‌های بدون اینترنت هنوز با سامانه به‌روز نشده است."),
      el("div", { class: "small", "data-bundle-counts": "" },
        fa(assigned) + " مأموریت، " + fa((bundle.sites || []).length) + " محل" +
        (area ? " (شهرستان " + area + ")" : "") + "، " + fa((bundle.checklists || []).length) +
        " چک‌لیست، وضعیت " + fa((bundle.licences || []).length) + " پروانه"),
    );
    const skew = Number(localStorage.getItem(SKEW_KEY) || 0);
    const maxSkew = Number(root.dataset.maxSkewMin || 10) * 60000;
    if (Math.abs(skew) > maxSkew) {
      const minutes = Math.round(Math.abs(skew) / 60000);
      const hours = minutes >= 120 ? fa(Math.round(minutes / 60)) + " ساعت" : fa(minutes) + " دقیقه";
      box.append(el("div", { class: "alert alert-warning mt-2 mb-0", role: "alert", "data-clock-warning": "" },
        "ساعت این دستگاه " + hours + (skew > 0 ? " جلوتر" : " عقب‌تر") +
        " از ساعت سامانه است؛ ساعت دستگاه را درست کنید. بازدیدها علامت‌گذاری می‌شوند."));
    }
  }

  // ------------------------------------------------------------ finding a site offline

  function searchSites(query) {
    const q = norm(query);
    if (!bundle || q.length < 2) return [];
    return (bundle.sites || []).filter((s) =>
      norm(s.name).includes(q) || norm(s.code).includes(q) || norm(s.address).includes(q)).slice(0, 20);
  }

  function showSites(query) {
    const list = document.querySelector("[data-site-results]");
    if (!list) return;
    const sites = searchSites(query);
    list.replaceChildren(...sites.map((s) => {
      const licence = s.licence ? (STATUS[s.licence.status] || {}).label : "بدون پروانه";
      const facts = [s.kind_label, "پروانه: " + licence,
        s.last_visit ? "آخرین بازدید " + s.last_visit : "بازدید نشده"];
      if (s.open_cases) facts.push(fa(s.open_cases) + " پرونده باز");
      return el("li", { class: "list-group-item task-row", "data-site-id": String(s.id) },
        el("div", { class: "flex-grow-1" },
          el("div", { class: "fw-bold" }, fa(s.name), " ", el("span", { class: "ltr small text-secondary" }, fa(s.code))),
          el("div", { class: "small" }, facts.join(" — ")),
          el("div", { class: "small text-secondary" }, fa(s.address || ""))),
        el("a", { class: "btn btn-success btn-touch", href: formUrl + "?site=" + s.id }, "شروع بازدید"));
    }));
    if (!sites.length && norm(query).length >= 2) {
      list.append(el("li", { class: "list-group-item text-secondary" }, "محلی با این مشخصات در داده‌های این دستگاه نیست."));
    }
  }

  // ------------------------------------------------------------ licence checks

  function unb64(text) {
    const b64 = text.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((text.length + 3) % 4);
    return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  }

  // The signed payload of a QR (its ?q=), or null when the signature is not ours.
  async function readSigned(text) {
    let signed = null;
    try { signed = new URL(text, location.origin).searchParams.get("q"); } catch (e) { signed = null; }
    if (!signed || signed.split(".").length !== 2 || !bundle || !bundle.public_key) return null;
    try {
      const [bodyText, sigText] = signed.split(".");
      const body = unb64(bodyText);
      const key = await crypto.subtle.importKey("raw", unb64(bundle.public_key), { name: "Ed25519" }, false, ["verify"]);
      const ok = await crypto.subtle.verify({ name: "Ed25519" }, key, unb64(sigText), body);
      return ok ? JSON.parse(new TextDecoder().decode(body)) : null;
    } catch (e) {
      return null;
    }
  }

  function today() {
    const d = new Date();
    const pad = (n) => String(n).padStart(2, "0");
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate());
  }

  // valid / suspended / revoked / expired / unknown, from the offline status list.
  function verdictFor(number, signedPayload) {
    const entry = (bundle.licences || []).find((l) => norm(l.number) === norm(number));
    if (!entry) {
      if (signedPayload) {
        const status = signedPayload.e < today() ? "expired" : signedPayload.s;
        return { status, known: false, payload: signedPayload };
      }
      return { status: "unknown", known: false };
    }
    const status = entry.status === "active" && entry.expires_on < today() ? "expired" : entry.status;
    return { status, known: true, entry, payload: signedPayload };
  }

  function showVerdict(result) {
    const box = document.querySelector("[data-licence-result]");
    if (!box) return;
    const checked = Number(localStorage.getItem(CHECKED_KEY) || 0);
    const asOf = checked ? "بر پایه داده‌های " + whenFa(checked) : "داده‌های بدون اینترنت به‌روز نشده است";
    if (result.status === "forged") {
      box.className = "alert alert-danger mt-3";
      box.dataset.verdict = "forged";
      box.replaceChildren(el("div", { class: "h4 fw-bold mb-1" }, "✖ کد QR اصل نیست"),
        el("div", {}, "امضای این کد با کلید اداره کل نمی‌خواند: کد دست‌کاری یا جعل شده است."));
      return;
    }
    if (result.status === "unknown") {
      box.className = "alert alert-secondary mt-3";
      box.dataset.verdict = "unknown";
      box.replaceChildren(el("div", { class: "h4 fw-bold mb-1" }, "نامشخص"),
        el("div", {}, "این پروانه در داده‌های این دستگاه نیست. " + asOf + "."));
      return;
    }
    const status = STATUS[result.status] || { label: result.status, tone: "secondary" };
    const entry = result.entry || {};
    const payload = result.payload || {};
    box.className = "alert alert-" + status.tone + " mt-3";
    box.dataset.verdict = result.status;
    const facts = [];
    if (entry.office_name) facts.push(fa(entry.office_name));
    if (payload.h) facts.push("دارنده: " + payload.h);
    if (entry.expires_on_jalali) facts.push("انقضا " + entry.expires_on_jalali);
    if (payload.s && entry.status && payload.s !== entry.status) {
      facts.push("در زمان چاپ کد: " + ((STATUS[payload.s] || {}).label || payload.s));
    }
    box.replaceChildren(
      el("div", { class: "h4 fw-bold mb-1", "data-verdict-label": "" },
        (result.status === "active" ? "✔ " : "✖ ") + status.label),
      el("div", {}, "پروانه ", el("span", { class: "ltr" }, fa(entry.number || payload.n || "")),
        facts.length ? " — " + facts.join(" — ") : ""),
      el("div", { class: "small" }, (payload.n ? "امضای کد QR معتبر است. " : "") + asOf + "."));
  }

  async function checkText(text) {
    if (!bundle) await refresh();
    if (!bundle) return;
    if (/[?&]q=/.test(text)) {
      const payload = await readSigned(text);
      showVerdict(payload ? verdictFor(payload.n, payload) : { status: "forged" });
      return;
    }
    showVerdict(verdictFor(text.trim(), null));
  }

  let scanner = null;

  function ensureScanner() {
    if (!window.Html5Qrcode) return null;
    if (!scanner) scanner = new window.Html5Qrcode("qr-reader", { verbose: false });
    return scanner;
  }

  async function loadScannerLibrary() {
    if (window.Html5Qrcode) return true;
    const src = root.dataset.qrLibUrl;
    if (!src) return false;
    await new Promise((resolve) => {
      const script = el("script", { src });
      script.onload = resolve;
      script.onerror = resolve;
      document.head.append(script);
    });
    return Boolean(window.Html5Qrcode);
  }

  // The same photo at other sizes: the decoder misses some codes at one scale and reads them at another.
  async function rescaled(file, factor) {
    const bitmap = await createImageBitmap(file);
    const canvas = el("canvas", { width: Math.round(bitmap.width * factor), height: Math.round(bitmap.height * factor) });
    const context = canvas.getContext("2d");
    context.fillStyle = "#fff";
    context.fillRect(0, 0, canvas.width, canvas.height);
    context.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/png"));
    return new File([blob], "scaled.png", { type: "image/png" });
  }

  async function readImage(file) {
    for (const factor of [1, 0.6, 1.4, 0.8, 0.5, 1.2]) {
      try {
        const image = factor === 1 ? file : await rescaled(file, factor);
        return await ensureScanner().scanFile(image, false);
      } catch (e) { /* not read at this size: the next */ }
    }
    return null;
  }

  async function scanFile(file) {
    const box = document.querySelector("[data-licence-result]");
    if (!(await loadScannerLibrary())) return;
    const text = await readImage(file);
    if (text !== null) {
      await checkText(text);
    } else {
      box.className = "alert alert-secondary mt-3";
      box.dataset.verdict = "unread";
      box.textContent = "کد QR در این تصویر خوانده نشد؛ عکس واضح‌تری بگیرید یا شماره پروانه را وارد کنید.";
    }
  }

  async function scanCamera(button) {
    if (!(await loadScannerLibrary())) return;
    const reader = ensureScanner();
    if (reader.isScanning) {
      await reader.stop();
      button.textContent = "اسکن با دوربین";
      return;
    }
    button.textContent = "توقف دوربین";
    try {
      await reader.start({ facingMode: "environment" }, { fps: 10, qrbox: 240 }, async (text) => {
        await reader.stop();
        button.textContent = "اسکن با دوربین";
        await checkText(text);
      });
    } catch (e) {
      button.textContent = "اسکن با دوربین";
      const box = document.querySelector("[data-licence-result]");
      box.className = "alert alert-secondary mt-3";
      box.textContent = "دوربین در دسترس نیست؛ از عکس کد QR یا شماره پروانه استفاده کنید.";
    }
  }

  // ------------------------------------------------------------ start

  window.PishkhanDesk = { refresh, checkText, searchSites, readSigned };

  document.addEventListener("DOMContentLoaded", () => {
    const search = document.querySelector("[data-site-search]");
    if (search) {
      search.addEventListener("input", () => showSites(search.value));
      search.form.addEventListener("submit", (event) => {
        if (!navigator.onLine) {
          event.preventDefault();
          showSites(search.value);
        }
      });
    }
    const licenceForm = document.querySelector("[data-licence-form]");
    if (licenceForm) {
      licenceForm.addEventListener("submit", (event) => {
        event.preventDefault();
        checkText(licenceForm.elements.number.value);
      });
    }
    const file = document.querySelector("[data-qr-file]");
    if (file) file.addEventListener("change", () => { if (file.files[0]) scanFile(file.files[0]); });
    const camera = document.querySelector("[data-qr-camera]");
    if (camera) camera.addEventListener("click", () => scanCamera(camera));
    refresh().then(() => { root.dataset.deskReady = "yes"; if (search && search.value) showSites(search.value); });
    window.addEventListener("online", refresh);
    const minutes = Number(root.dataset.refreshMin || 15);
    setInterval(() => { if (navigator.onLine) refresh(); }, Math.max(minutes, 1) * 60000);
  });
})();
