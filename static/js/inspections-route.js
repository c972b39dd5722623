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
