/* The tablet visit form: draws the checklist for the site and purpose, takes the GPS fix, shrinks
 * photos on the device, and saves the visit into the outbox (inspections-outbox.js).
 *
 * Works offline: the page itself comes from the service worker, and the site, its checklist and
 * the licensing request come from the cached offline data, found by this page's own ?site=,
 * ?request= or ?assignment=. The visit gets its UUID when the form opens.
 */
(function () {
  "use strict";

  const MAX_PHOTO_SIDE = 1600;
  const JPEG_QUALITY = 0.82;
  const CONTEXT_KEY = "pishkhan.visit-context";

  const app = document.getElementById("visit-app");
  if (!app) return;
  const form = document.getElementById("visit-form");
  const $ = (selector) => app.querySelector(selector);
  const numberFa = new Intl.NumberFormat("fa-IR", { maximumFractionDigits: 0 });
  const coordFa = new Intl.NumberFormat("fa-IR", { minimumFractionDigits: 5, maximumFractionDigits: 5,
    useGrouping: false });

  const state = {
    uuid: null, startedAt: null, bundle: null, target: null, purpose: null, checklist: null,
    gps: null, photos: [],
  };

  function fa(value) {
    return window.PishkhanOutbox ? window.PishkhanOutbox.fa(value) : String(value);
  }

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (key === "class") node.className = value;
      else if (key.startsWith("data-") || key.startsWith("aria-") || key === "for" || key === "role") {
        node.setAttribute(key, value);
      } else node[key] = value;
    }
    for (const child of children) if (child !== null && child !== undefined) node.append(child);
    return node;
  }

  function latinDigits(text) {
    return String(text).replace(/[۰-۹]/g, (d) => "۰۱۲۳۴۵۶۷۸۹".indexOf(d))
      .replace(/[٠-٩]/g, (d) => "٠١٢٣٤٥٦٧٨٩".indexOf(d)).replace("٫", ".").replace("/", ".");
  }

  function problem(message) {
    const box = $("[data-visit-problem]");
    box.textContent = message;
    box.hidden = false;
    form.hidden = true;
  }

  // ------------------------------------------------------------ what is being visited

  function readContext() {
    let context = {};
    try {
      context = JSON.parse(document.getElementById("visit-context").textContent) || {};
    } catch (e) { context = {}; }
    const key = CONTEXT_KEY + location.search;
    if (context.query === location.search && (context.site || context.request)) {
      try { localStorage.setItem(key, JSON.stringify(context)); } catch (e) { /* full */ }
      return context;
    }
    // Offline, the service worker served the form without its query: use what was seen online.
    try { return JSON.parse(localStorage.getItem(key)) || {}; } catch (e) { return {}; }
  }

  async function loadBundle() {
    const url = app.dataset.bundleUrl;
    try {
      const response = await fetch(url, { credentials: "same-origin",
        headers: { Accept: "application/json" } });
      if (response.ok && !response.redirected) return await response.json();
    } catch (e) { /* offline: the cache below */ }
    if (window.caches) {
      const cached = await caches.match(url);
      if (cached) return cached.json();
    }
    return null;
  }

  function resolveTarget(context, bundle) {
    const params = new URLSearchParams(location.search);
    const num = (name) => (params.get(name) && /^\d+$/.test(params.get(name)) ?
      Number(params.get(name)) : null);
    const assignment = context.assignment ||
      (bundle.assignments || []).find((a) => a.id === num("assignment")) || null;
    const requestId = num("request") || (assignment && assignment.visit_request_id);
    const request = context.request || (bundle.requests || []).find((r) => r.id === requestId) ||
      null;
    const siteId = num("site") || (assignment && assignment.site_id) || (request && request.site_id);
    const site = context.site || (bundle.sites || []).find((s) => s.id === siteId) || null;
    if ((num("assignment") && !assignment) || (requestId && !request) || (siteId && !site)) return null;
    if (!site && !request) return null;
    const kind = site ? site.kind : request.office_kind;
    const fixedPurpose = (request && request.purpose) || (assignment && assignment.purpose) ||
      context.purpose || params.get("purpose");
    return { site, request, assignment, kind, fixedPurpose };
  }

  // Where the visit should be: the proposed address of a request, else the site.
  function referencePoint() {
    const { site, request } = state.target;
    if (request && request.lat !== null && (!site || state.purpose === "address_change")) {
      return [request.lat, request.lon];
    }
    if (site && site.lat !== null) return [site.lat, site.lon];
    return null;
  }

  // ------------------------------------------------------------ drawing the form

  function purposesFor(kind) {
    return state.bundle.purposes.filter((p) => p.site_kinds.includes(kind) &&
      state.bundle.checklists.some((c) => c.purpose === p.value && c.site_kind === kind));
  }

  function drawTarget() {
    const { site, request, kind } = state.target;
    const kindLabel = site ? site.kind_label : "";
    $("[data-target-name]").textContent = site ? site.name :
      (request.office_name || "محل پیشنهادی");
    const meta = [];
    if (site) meta.push(kindLabel, "کد " + fa(site.code));
    if (request) {
      meta.push("درخواست بازدید" + (request.application_number ?
        " — پرونده " + fa(request.application_number) : ""));
      if (request.due_on) meta.push("مهلت " + request.due_on);
    }
    $("[data-target-meta]").textContent = meta.join(" — ");
    const address = request && request.address && (!site || request.purpose === "address_change") ?
      request.address : (site ? site.address : "");
    $("[data-target-address]").textContent = fa(address || "");
    const select = $("#purpose");
    const options = purposesFor(kind);
    select.replaceChildren(...options.map((p) => el("option", { value: p.value, textContent: p.label })));
    const fixed = state.target.fixedPurpose;
    state.purpose = options.some((p) => p.value === fixed) ? fixed : (options[0] || {}).value;
    select.value = state.purpose || "";
    select.disabled = Boolean(fixed && options.some((p) => p.value === fixed)) || options.length < 2;
    select.addEventListener("change", () => {
      state.purpose = select.value;
      drawChecklist();
      showGps();
    });
    $("[data-verdict-box]").hidden = !request;
  }

  function choiceGroup(item) {
    const name = "item-" + item.id;
    const group = el("div", { class: "choice-group", role: "radiogroup",
      "aria-labelledby": "item-label-" + item.id });
    for (const [value, label, style] of [["yes", "بله", "success"], ["no", "خیر", "danger"],
      ["na", "موضوعیت ندارد", "secondary"]]) {
      const id = name + "-" + value;
      group.append(el("input", { type: "radio", class: "btn-check", name, id, value,
        autocomplete: "off" }));
      group.append(el("label", { class: "btn btn-outline-" + style + " choice-btn", for: id,
        textContent: label }));
    }
    return group;
  }

  function photoBox(itemId) {
    const box = el("div", { class: "photo-box", "data-photo-box": "", "data-item-id": String(itemId) });
    const input = el("input", { type: "file", accept: "image/*", class: "visually-hidden",
      "data-photo-input": "" });
    input.setAttribute("capture", "environment");
    box.append(el("label", { class: "btn btn-outline-primary btn-touch photo-pick" },
      "گرفتن یا افزودن عکس", input));
    box.append(el("div", { class: "photo-thumbs", "data-photo-thumbs": "" }));
    return box;
  }

  function drawChecklist() {
    const list = $("[data-items]");
    state.checklist = state.bundle.checklists.find((c) => c.purpose === state.purpose &&
      c.site_kind === state.target.kind) || null;
    state.photos = state.photos.filter((p) => p.itemId === null);
    if (!state.checklist) {
      list.replaceChildren(el("li", { class: "alert alert-warning" },
        "برای این هدف و نوع محل چک‌لیستی تعریف نشده است."));
      $("[data-checklist-title]").textContent = "";
      return;
    }
    $("[data-checklist-title]").textContent = state.checklist.title + " — نسخه " +
      fa(state.checklist.version);
    list.replaceChildren(...state.checklist.items.map((item, index) => {
      const head = el("div", { class: "item-head" },
        el("span", { class: "item-number" }, fa(index + 1)),
        el("span", { class: "item-text", id: "item-label-" + item.id }, fa(item.text)));
      const tags = el("div", { class: "item-tags small" },
        el("span", { class: "badge severity-" + item.severity }, item.severity_label),
        item.required ? el("span", { class: "badge text-bg-light border" }, "الزامی") : null,
        item.violation ? el("span", { class: "text-secondary" }, "تخلف: " + item.violation) : null);
      let control;
      if (item.answer_type === "yes_no") {
        control = el("div", {}, choiceGroup(item),
          el("textarea", { class: "form-control mt-2 item-note", rows: 2, maxLength: 1000,
            placeholder: "شرح مورد مشاهده‌شده", "data-note-for": String(item.id),
            "aria-label": "شرح مورد: " + fa(item.text), hidden: true }));
      } else if (item.answer_type === "number") {
        control = el("input", { class: "form-control form-control-lg number-input", type: "text",
          inputMode: "decimal", autocomplete: "off", name: "item-" + item.id,
          "aria-labelledby": "item-label-" + item.id });
      } else if (item.answer_type === "text") {
        control = el("textarea", { class: "form-control form-control-lg", rows: 2,
          maxLength: 2000, name: "item-" + item.id, "aria-labelledby": "item-label-" + item.id });
      } else {
        control = photoBox(item.id);
      }
      return el("li", { class: "card checklist-item mb-2", "data-item": String(item.id) },
        el("div", { class: "card-body" }, head, tags, control));
    }));
    list.querySelectorAll("input.btn-check").forEach((input) => {
      input.addEventListener("change", () => {
        const note = list.querySelector(`[data-note-for="${input.name.slice(5)}"]`);
        if (note) note.hidden = input.value !== "no";
        input.closest("[data-item]").classList.remove("is-missing");
      });
    });
    bindPhotoInputs(list);
  }

  // ------------------------------------------------------------ GPS

  function haversine(a, b) {
    const rad = (x) => (x * Math.PI) / 180;
    const dLat = rad(b[0] - a[0]);
    const dLon = rad(b[1] - a[1]);
    const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(a[0])) * Math.cos(rad(b[0])) * Math.sin(dLon / 2) ** 2;
    return 2 * 6371008.8 * Math.asin(Math.sqrt(h));
  }

  function showGps() {
    const status = $("[data-gps-status]");
    const warning = $("[data-gps-warning]");
    warning.hidden = true;
    if (!state.gps) return;
    const g = state.gps;
    const time = new Date(g.fix_at);
    status.textContent = "عرض " + coordFa.format(g.lat) + "، طول " + coordFa.format(g.lon) +
      " — دقت " + numberFa.format(Math.round(g.accuracy_m)) + " متر — ساعت " +
      fa(String(time.getHours()).padStart(2, "0") + ":" + String(time.getMinutes()).padStart(2, "0"));
    const settings = state.bundle.settings || {};
    const messages = [];
    const ref = referencePoint();
    if (ref) {
      const d = haversine([g.lat, g.lon], ref);
      status.textContent += " — فاصله تا نشانی ثبت‌شده: " + numberFa.format(Math.round(d)) + " متر";
      if (settings.max_distance_m && d > settings.max_distance_m) {
        messages.push("فاصله از نشانی ثبت‌شده بیش از " + numberFa.format(settings.max_distance_m) +
          " متر است؛ بازدید ذخیره می‌شود ولی علامت «دور از محل» می‌خورد.");
      }
    }
    if (settings.max_accuracy_m && g.accuracy_m > settings.max_accuracy_m) {
      messages.push("دقت موقعیت کم است؛ اگر می‌توانید در فضای باز دوباره موقعیت بگیرید.");
    }
    if (messages.length) {
      warning.textContent = messages.join(" ");
      warning.hidden = false;
    }
  }

  function takeFix() {
    const status = $("[data-gps-status]");
    if (!navigator.geolocation) {
      status.textContent = "این دستگاه موقعیت‌یابی ندارد؛ بازدید بدون موقعیت ذخیره و علامت‌گذاری می‌شود.";
      return;
    }
    status.textContent = "در حال دریافت موقعیت…";
    navigator.geolocation.getCurrentPosition((position) => {
      state.gps = {
        lat: position.coords.latitude, lon: position.coords.longitude,
        accuracy_m: position.coords.accuracy, fix_at: new Date(position.timestamp).toISOString(),
      };
      app.dataset.gps = "1";
      showGps();
    }, (error) => {
      status.textContent = error.code === error.PERMISSION_DENIED ?
        "اجازه موقعیت‌یابی داده نشده است؛ بازدید بدون موقعیت ذخیره و علامت‌گذاری می‌شود." :
        "موقعیت دریافت نشد؛ دوباره تلاش کنید یا بدون موقعیت ذخیره کنید.";
    }, { enableHighAccuracy: true, timeout: 30000, maximumAge: 0 });
  }

  // ------------------------------------------------------------ photos

  async function shrink(file) {
    if (!window.crypto || !crypto.subtle) {
      // SubtleCrypto (and service workers) exist only on HTTPS pages.
      throw new Error("این صفحه باید با HTTPS باز شود تا عکس‌ها آماده ارسال شوند.");
    }
    const bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
    const scale = Math.min(1, MAX_PHOTO_SIDE / Math.max(bitmap.width, bitmap.height));
    const canvas = document.createElement("canvas");
    canvas.width = Math.max(1, Math.round(bitmap.width * scale));
    canvas.height = Math.max(1, Math.round(bitmap.height * scale));
    const context = canvas.getContext("2d");
    context.fillStyle = "#fff";
    context.fillRect(0, 0, canvas.width, canvas.height);
    context.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    bitmap.close();
    const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", JPEG_QUALITY));
    const digest = await crypto.subtle.digest("SHA-256", await blob.arrayBuffer());
    const sha256 = [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
    return { blob, sha256 };
  }

  function drawThumbs(box) {
    const itemId = box.dataset.itemId ? Number(box.dataset.itemId) : null;
    const thumbs = box.querySelector("[data-photo-thumbs]");
    thumbs.replaceChildren(...state.photos.filter((p) => p.itemId === itemId).map((photo) =>
      el("figure", { class: "photo-thumb" },
        el("img", { src: photo.url, alt: "عکس گرفته‌شده" }),
        el("button", { type: "button", class: "btn btn-outline-danger btn-touch",
          textContent: "حذف عکس", onclick: () => {
            state.photos = state.photos.filter((p) => p !== photo);
            URL.revokeObjectURL(photo.url);
            drawThumbs(box);
          } }))));
  }

  function bindPhotoInputs(scope) {
    scope.querySelectorAll("[data-photo-input]").forEach((input) => {
      if (input.dataset.bound) return;
      input.dataset.bound = "1";
      input.addEventListener("change", async () => {
        const box = input.closest("[data-photo-box]");
        const itemId = box.dataset.itemId ? Number(box.dataset.itemId) : null;
        for (const file of input.files) {
          try {
            const shrunk = await shrink(file);
            if (state.photos.some((p) => p.sha256 === shrunk.sha256)) continue;
            state.photos.push({ ...shrunk, itemId, url: URL.createObjectURL(shrunk.blob),
              takenAt: new Date(file.lastModified || Date.now()).toISOString() });
          } catch (error) {
            window.alert(error.message && /HTTPS/.test(error.message) ? error.message :
              "این فایل عکس قابل خواندن نیست.");
          }
        }
        input.value = "";
        box.closest("[data-item]") && box.closest("[data-item]").classList.remove("is-missing");
        drawThumbs(box);
      });
    });
  }

  // ------------------------------------------------------------ saving

  function collect() {
    const errors = [];
    const answers = [];
    app.querySelectorAll(".is-missing").forEach((n) => n.classList.remove("is-missing"));
    for (const item of state.checklist.items) {
      const node = form.querySelector(`[data-item="${item.id}"]`);
      let answer = null;
      if (item.answer_type === "yes_no") {
        const checked = node.querySelector("input.btn-check:checked");
        if (checked) {
          answer = { item_id: item.id, choice: checked.value };
          const note = node.querySelector("[data-note-for]");
          if (checked.value === "no" && note.value.trim()) answer.note = note.value.trim();
        }
      } else if (item.answer_type === "number") {
        const raw = latinDigits(node.querySelector("input").value.trim());
        if (raw) {
          const value = Number(raw);
          if (!Number.isFinite(value)) errors.push([node, `بند «${fa(item.text)}»: عدد وارد کنید.`]);
          else answer = { item_id: item.id, number: value };
        }
      } else if (item.answer_type === "text") {
        const value = node.querySelector("textarea").value.trim();
        if (value) answer = { item_id: item.id, text: value };
      } else {
        const has = state.photos.some((p) => p.itemId === item.id);
        if (has) answer = { item_id: item.id };
        else if (item.required) errors.push([node, `بند «${fa(item.text)}»: عکس بگیرید.`]);
        if (answer) answers.push(answer);
        continue;
      }
      if (answer) answers.push(answer);
      else if (item.required) errors.push([node, `بند «${fa(item.text)}» پاسخ داده نشده است.`]);
    }
    const verdict = form.querySelector("input[name=verdict]:checked");
    if (state.target.request && !verdict) {
      errors.push([$("[data-verdict-box]"), "نتیجه کلی بازدید را برای کارشناس صدور پروانه مشخص کنید."]);
    }
    const text = (name) => (form.elements[name].value.trim() || null);
    const payload = {
      uuid: state.uuid,
      purpose: state.purpose,
      site_id: state.target.site ? state.target.site.id : null,
      visit_request_id: state.target.request ? state.target.request.id : null,
      assignment_id: state.target.assignment ? state.target.assignment.id : null,
      checklist_version_id: state.checklist.version_id,
      started_at: state.startedAt,
      saved_at: new Date().toISOString(),
      gps: state.gps,
      person_met: text("person_met"),
      person_met_role: text("person_met_role"),
      notes: text("notes"),
      verdict: verdict ? verdict.value : null,
      answers,
      photos: state.photos.map((p) => ({ sha256: p.sha256, item_id: p.itemId, taken_at: p.takenAt })),
    };
    return { payload, errors };
  }

  async function save(event) {
    event.preventDefault();
    if (!state.checklist) return;
    const { payload, errors } = collect();
    const box = $("[data-form-errors]");
    if (errors.length) {
      errors.forEach(([node]) => node && node.classList.add("is-missing"));
      box.replaceChildren(el("div", { class: "fw-bold mb-1" }, "پیش از ذخیره این موارد را کامل کنید:"),
        el("ul", { class: "mb-0" }, ...errors.map(([, message]) => el("li", {}, message))));
      box.hidden = false;
      errors[0][0] && errors[0][0].scrollIntoView({ block: "center" });
      return;
    }
    box.hidden = true;
    const button = $("[data-save]");
    button.disabled = true;
    const purposeLabel = (state.bundle.purposes.find((p) => p.value === state.purpose) || {}).label;
    const label = $("[data-target-name]").textContent + " — " + (purposeLabel || "");
    try {
      await window.PishkhanOutbox.add(payload, state.photos, label);
    } catch (error) {
      button.disabled = false;
      box.textContent = "ذخیره روی دستگاه ممکن نشد (حافظه مرورگر در دسترس نیست). صفحه را نبندید و دوباره تلاش کنید.";
      box.hidden = false;
      return;
    }
    state.photos.forEach((p) => URL.revokeObjectURL(p.url));
    form.hidden = true;
    const saved = $("[data-saved]");
    $("[data-saved-text]").textContent = "«" + label + "» در صف ارسال این دستگاه است و " +
      (navigator.onLine ? "هم‌اکنون ارسال می‌شود." : "با برقراری اتصال ارسال می‌شود.");
    saved.hidden = false;
    app.dataset.savedUuid = payload.uuid;
    saved.scrollIntoView({ block: "start" });
  }

  // A visit of this assignment or site already waits in the outbox: say so above the form.
  async function showEarlierSave() {
    const { site, request, assignment } = state.target;
    const waiting = (await window.PishkhanOutbox.records()).filter((r) =>
      (assignment && r.payload.assignment_id === assignment.id) ||
      (request && r.payload.visit_request_id === request.id) ||
      (!assignment && !request && site && r.payload.site_id === site.id));
    const box = $("[data-earlier]");
    box.hidden = !waiting.length;
    if (waiting.length) {
      box.textContent = "بازدیدی از همین محل روی این دستگاه ذخیره شده و در صف ارسال است " +
        "(پایین صفحه). فقط اگر بازدید تازه‌ای انجام می‌دهید این فرم را پر کنید.";
    }
  }

  // ------------------------------------------------------------ start

  async function start() {
    const context = readContext();
    state.bundle = await loadBundle();
    if (!state.bundle) {
      problem("داده‌های کار بدون اتصال روی این دستگاه نیست؛ یک بار با اینترنت «میز بازرس» را باز کنید.");
      return;
    }
    state.target = resolveTarget(context, state.bundle);
    if (!state.target) {
      problem("اطلاعات این محل روی دستگاه ذخیره نشده است؛ با اینترنت دوباره باز کنید یا از فهرست مأموریت‌ها آغاز کنید.");
      return;
    }
    state.uuid = window.PishkhanOutbox.newUuid();
    state.startedAt = new Date().toISOString();
    app.dataset.visitUuid = state.uuid;
    drawTarget();
    drawChecklist();
    await showEarlierSave();
    bindPhotoInputs(form);
    form.hidden = false;
    form.addEventListener("submit", save);
    $("[data-gps-button]").addEventListener("click", takeFix);
    takeFix();
    app.dataset.ready = "1";
  }

  document.addEventListener("DOMContentLoaded", start);
})();
