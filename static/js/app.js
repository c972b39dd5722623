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
  // The picker reads only Latin digits: a field showing ۱۴۰۴/۰۱/۰۵ is given 1404/01/05 when it is
  // clicked to open the picker (the server reads either).
  const toLatin = (text) =>
    text.replace(/[۰-۹]/g, (d) => "۰۱۲۳۴۵۶۷۸۹".indexOf(d)).replace(/[٠-٩]/g, (d) => "٠١٢٣٤٥٦٧٨٩".indexOf(d));
  if (window.jalaliDatepicker) {
    // Typing a date means the picker is not wanted: it closes, so it never covers the buttons below.
    document.addEventListener("input", (event) => {
      if (event.target instanceof HTMLInputElement && event.target.matches("[data-jdp]") && event.isTrusted) {
        window.jalaliDatepicker.hide();
      }
    });
    // It opens when the field is clicked (not on every focus, so keyboard users type undisturbed).
    document.addEventListener("click", (event) => {
      const field = event.target;
      if (field instanceof HTMLInputElement && field.matches("[data-jdp]")) {
        const latin = toLatin(field.value);
        if (latin !== field.value) field.value = latin;
        window.jalaliDatepicker.show(field);
      }
    });
    window.jalaliDatepicker.startWatch({
      autoShow: false,
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
  // An upload sent by htmx shows how much of the file has gone (data-upload-progress names the bar).
  document.querySelectorAll("form[data-upload-progress]").forEach((form) => {
    const bar = document.querySelector(form.dataset.uploadProgress);
    form.addEventListener("htmx:xhr:progress", (event) => {
      if (event.detail.lengthComputable) bar.value = (event.detail.loaded / event.detail.total) * 100;
    });
    form.addEventListener("htmx:afterRequest", () => {
      bar.value = 100;
    });
  });
});
