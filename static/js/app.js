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
