// The map of sites (Leaflet, vendored from npm). Markers are drawn on one canvas (preferCanvas):
// a national map has some 80,000 of them. They come as compact rows from /reports/map/sites.json;
// a click fetches the site's name and links to its page. The tile server is a setting: with none
// (or none reachable, on a closed network) the markers and county centres show on a plain
// background and the map stays usable.
(function () {
  "use strict";

  // Latin digits in stored names and codes are shown as Persian digits.
  function fa(text) {
    return String(text ?? "").replace(/[0-9]/g, (d) => "۰۱۲۳۴۵۶۷۸۹"[d]);
  }

  function el(tag, text, className) {
    const node = document.createElement(tag);
    if (text) node.textContent = text;
    if (className) node.className = className;
    return node;
  }

  function start() {
    const box = document.getElementById("site-map");
    if (!box || !window.L) return;
    const L = window.L;
    const form = document.getElementById("map-filters");
    const status = document.getElementById("map-status");
    const digits = new Intl.NumberFormat("fa-IR");
    const tileUrl = box.dataset.tileUrl;

    const map = L.map(box, { preferCanvas: true, attributionControl: Boolean(tileUrl) });
    box.siteMap = map; // for scripts and the browser tests (pixel positions of markers)
    const renderer = L.canvas({ padding: 0.5 });
    if (tileUrl) {
      const tiles = L.tileLayer(tileUrl, { attribution: box.dataset.attribution || "", maxZoom: 19 });
      tiles.once("tileerror", () => {
        document.getElementById("tile-notice").hidden = false;
      });
      tiles.addTo(map);
    }
    // Leaflet's scale bar speaks English ("100 m"): the map goes without it.
    map.setView([32.4, 53.7], 5); // Iran, until the markers say where to look

    // Colours live in reports.css (the legend's swatches), one source for the legend and markers.
    const kindFill = [...document.querySelectorAll("[data-kind]")].map((s) => getComputedStyle(s).backgroundColor);
    const statusRing = [...document.querySelectorAll("[data-status]")].map((s) => getComputedStyle(s).borderTopColor);
    const markers = L.layerGroup().addTo(map);
    const centres = L.layerGroup().addTo(map);
    let request = 0;

    function popup(siteId, latlng) {
      const url = box.dataset.siteUrl.replace(/\/0\.json$/, `/${siteId}.json`);
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then((response) => (response.ok ? response.json() : Promise.reject(response.status)))
        .then((site) => {
          const content = el("div", null, "site-popup");
          const open = el("a", "مشاهده پرونده محل", "btn btn-sm btn-primary mt-1 text-white");
          open.href = site.url;
          content.append(
            el("strong", fa(site.name)),
            el("div", `${site.kind} — ${site.status}`),
            el("div", `${site.county}، ${fa(site.locality)}`),
            el("div", `کد: ${fa(site.code)}`),
            open,
          );
          L.popup().setLatLng(latlng).setContent(content).openOn(map);
        })
        .catch(() => L.popup().setLatLng(latlng).setContent("اطلاعات محل دریافت نشد.").openOn(map));
    }

    function draw(data) {
      markers.clearLayers();
      centres.clearLayers();
      const active = data.statuses.indexOf("active");
      const bounds = [];
      for (const [id, lat, lon, kind, state] of data.sites) {
        const marker = L.circleMarker([lat, lon], {
          renderer,
          radius: 6,
          weight: state === active ? 1 : 3,
          color: statusRing[state] || "#212529",
          fillColor: kindFill[kind] || "#0d6efd",
          fillOpacity: state === active ? 0.85 : 0.35,
        });
        marker.on("click", (event) => popup(id, event.latlng));
        markers.addLayer(marker);
        bounds.push([lat, lon]);
      }
      for (const [name, lat, lon] of data.counties) {
        L.circleMarker([lat, lon], { renderer, radius: 3, weight: 1, color: "#6c757d", fillOpacity: 1, interactive: false })
          .bindTooltip(name, { permanent: true, direction: "top", offset: [0, -4], className: "county-label" })
          .addTo(centres);
        if (!data.sites.length) bounds.push([lat, lon]);
      }
      if (bounds.length) map.fitBounds(bounds, { padding: [40, 40], maxZoom: 14, animate: false });
      box.dataset.markers = String(data.sites.length);
      box.dataset.ready = "1";
      status.textContent = data.sites.length
        ? `${digits.format(data.sites.length)} محل روی نقشه`
        : "محلی با این شرایط مختصات ثبت‌شده ندارد.";
    }

    function load() {
      const params = new URLSearchParams();
      new FormData(form).forEach((value, key) => {
        if (value) params.set(key, value);
      });
      const mine = ++request;
      status.textContent = "در حال بارگذاری نشانگرها…";
      box.dataset.ready = "0";
      fetch(`${box.dataset.sitesUrl}?${params}`, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then((response) => (response.ok ? response.json() : Promise.reject(response.status)))
        .then((data) => {
          if (mine === request) draw(data);
        })
        .catch(() => {
          status.textContent = "دریافت نشانگرها ممکن نشد؛ صفحه را دوباره باز کنید.";
        });
      const query = params.toString();
      window.history.replaceState(null, "", query ? `?${query}` : window.location.pathname);
    }

    form.addEventListener("change", load);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      load();
    });
    load();
  }

  document.addEventListener("DOMContentLoaded", start);
})();
