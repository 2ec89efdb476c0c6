// Page behaviour that would otherwise be inline handlers, which the Content-Security-Policy
// refuses: a <select data-submit-on-change> submits its form when its value changes.
document.addEventListener("change", function (event) {
  if (event.target.matches("select[data-submit-on-change]")) {
    event.target.form.requestSubmit();
  }
});
