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
});
