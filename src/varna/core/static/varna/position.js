// "Use my position" on the incident report: fills the hidden latitude and longitude fields
// with the phone's position, only when the user presses the button and the browser allows it.
document.addEventListener("DOMContentLoaded", () => {
  const box = document.querySelector("[data-position]");
  const lat = document.getElementById("id_latitude");
  const lon = document.getElementById("id_longitude");
  if (!box || !lat || !lon || !("geolocation" in navigator)) return;
  box.hidden = false;
  const status = box.querySelector("[data-position-status]");
  box.querySelector("[data-position-button]").addEventListener("click", () => {
    navigator.geolocation.getCurrentPosition(
      (position) => {
        lat.value = position.coords.latitude.toFixed(5);
        lon.value = position.coords.longitude.toFixed(5);
        status.textContent = `${status.dataset.found} (${lat.value}, ${lon.value})`;
      },
      () => { status.textContent = status.dataset.failed; },
      { enableHighAccuracy: true, timeout: 10000 }
    );
  });
});
