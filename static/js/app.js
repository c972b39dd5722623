// Small progressive enhancements; every page works without them.
document.addEventListener("DOMContentLoaded", () => {
  // Confirm destructive actions that declare data-confirm.
  document.querySelectorAll("form[data-confirm]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  });
  // A Persian file picker: show the chosen file's name instead of the browser's own widget.
  document.querySelectorAll(".file-picker input[type=file]").forEach((input) => {
    input.addEventListener("change", () => {
      const label = input.closest(".file-picker").querySelector("[data-file-name]");
      if (input.files.length) label.textContent = input.files[0].name;
    });
  });
  // A Jalali date picker on every date field (data-jdp); typing a date, in any digits, still works.
  // The picker reads only Latin digits: a field showing ۱۴۰۴/۰۱/۰۵ is given 1404/01/05 as it
  // gains focus (a capturing listener runs before the picker's own), the server reads either.
  const toLatin = (text) =>
    text.replace(/[۰-۹]/g, (d) => "۰۱۲۳۴۵۶۷۸۹".indexOf(d)).replace(/[٠-٩]/g, (d) => "٠١٢٣٤٥٦٧٨٩".indexOf(d));
  ["focusin", "focus", "mousedown", "touchstart"].forEach((type) => {
    window.addEventListener(type, (event) => {
      const field = event.target;
      if (!(field instanceof HTMLInputElement) || !field.matches("[data-jdp]")) return;
      const latin = toLatin(field.value);
      if (latin !== field.value) field.value = latin;
    }, { capture: true, passive: true });
  });
  if (window.jalaliDatepicker) {
    window.jalaliDatepicker.startWatch({
      persianDigits: true,
      autoReadOnlyInput: false,
      showCloseBtn: true,
      zIndex: 1080,
    });
  }
  // A filter select submits its form on change.
  document.querySelectorAll("select[data-autosubmit]").forEach((select) => {
    select.addEventListener("change", () => select.form.requestSubmit());
  });
});
