// The public office finder: "nearest to me" asks the browser for the position and reloads the list
// nearest first; the map shows every licensed office (Leaflet, markers without tiles) and a click
// opens the office's page.
(function () {
  "use strict";

  function fa(text) {
    return String(text ?? "").replace(/[0-9]/g, (d) => "۰۱۲۳۴۵۶۷۸۹"[d]);
  }

  function nearMe() {
    const button = document.getElementById("near-me");
    const status = document.getElementById("near-status");
    if (!button) return;
    button.addEventListener("click", () => {
      if (!navigator.geolocation) {
        status.textContent = "مرورگر شما موقعیت‌یابی را پشتیبانی نمی‌کند؛ شهرستان یا شهر را انتخاب کنید.";
        return;
      }
      status.textContent = "در حال یافتن موقعیت شما…";
      navigator.geolocation.getCurrentPosition(
        (pos) => {
          const form = document.getElementById("finder-form");
          const params = new URLSearchParams(new FormData(form));
          params.set("lat", pos.coords.latitude.toFixed(5));
          params.set("lon", pos.coords.longitude.toFixed(5));
          window.location.search = params.toString();
        },
        () => {
          status.textContent = "موقعیت شما در دسترس نیست؛ شهرستان یا شهر را انتخاب کنید.";
        },
        { enableHighAccuracy: false, timeout: 10000, maximumAge: 300000 }
      );
    });
  }

  function drawMap() {
    const box = document.getElementById("finder-map");
    if (!box || !window.L) return;
    const L = window.L;
    const map = L.map(box, { preferCanvas: true, attributionControl: false });
    box.finderMap = map;
    map.setView([33.5, 48.4], 7);
    const here = box.dataset.lat ? [Number(box.dataset.lat), Number(box.dataset.lon)] : null;
    fetch(box.dataset.markersUrl, { headers: { Accept: "application/json" } })
      .then((r) => (r.ok ? r.json() : []))
      .then((offices) => {
        const points = [];
        for (const o of offices) {
          const marker = L.circleMarker([o.lat, o.lon], { radius: 6, color: "#0d6efd", weight: 2, fillOpacity: 0.8 });
          const link = document.createElement("a");
          link.href = box.dataset.officeUrl.replace("CODE", encodeURIComponent(o.code.replace(/[۰-۹]/g, (d) => "۰۱۲۳۴۵۶۷۸۹".indexOf(d))));
          link.textContent = fa(o.name);
          marker.bindPopup(link);
          marker.addTo(map);
          points.push([o.lat, o.lon]);
        }
        if (here) {
          L.circleMarker(here, { radius: 8, color: "#198754", weight: 3, fillOpacity: 0.9 }).addTo(map);
          map.setView(here, 12, { animate: false });
        } else if (points.length) {
          map.fitBounds(points, { padding: [20, 20], animate: false });
        }
      })
      .then(() => {
        box.dataset.ready = "yes"; // for the browser tests: the markers are drawn
      })
      .catch(() => {});
  }

  document.addEventListener("DOMContentLoaded", () => {
    nearMe();
    drawMap();
  });
})();
