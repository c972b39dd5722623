/* The day's route: «از موقعیت من» fills the starting point from the device's GPS. */
document.addEventListener("DOMContentLoaded", () => {
  const button = document.querySelector("[data-route-here]");
  if (!button || !navigator.geolocation) return;
  button.addEventListener("click", () => {
    navigator.geolocation.getCurrentPosition((position) => {
      document.getElementById("start_lat").value = position.coords.latitude.toFixed(6);
      document.getElementById("start_lon").value = position.coords.longitude.toFixed(6);
      document.getElementById("route-form").requestSubmit();
    }, () => window.alert("موقعیت دریافت نشد."), { enableHighAccuracy: true, timeout: 20000 });
  });
});

/* The route on a map without tiles (as the reports map): the stops in order, numbered, joined by
   straight lines from the starting point. */
document.addEventListener("DOMContentLoaded", () => {
  const box = document.getElementById("route-map");
  const data = document.getElementById("route-data");
  if (!box || !data || !window.L) return;
  const route = JSON.parse(data.textContent);
  const points = route.stops.filter((p) => p);
  if (!points.length) { box.hidden = true; return; }
  const L = window.L;
  // The map is laid out left to right (Leaflet's positions); its labels read right to left.
  const label = (text) => {
    const span = document.createElement("span");
    span.dir = "rtl";
    span.textContent = text;
    return span;
  };
  const map = L.map(box, { attributionControl: false, preferCanvas: true });
  box.routeMap = map;
  const line = route.start ? [route.start, ...points] : points;
  L.polyline(line, { color: "#0d6efd", weight: 3, dashArray: "6 6" }).addTo(map);
  if (route.start) {
    L.circleMarker(route.start, { radius: 7, color: "#198754", fillOpacity: 1 }).addTo(map)
      .bindTooltip(label("شروع"));
  }
  route.stops.forEach((point, index) => {
    if (!point) return;
    const number = String(index + 1).replace(/[0-9]/g, (d) => "۰۱۲۳۴۵۶۷۸۹"[d]);
    L.circleMarker(point, { radius: 10, color: "#dc3545", fillOpacity: 0.9 }).addTo(map)
      .bindTooltip(label(number + ". " + route.names[index]), { permanent: true, direction: "top" });
  });
  map.fitBounds(L.latLngBounds(line).pad(0.2));
});
