// Runs before the body renders so GOV.UK components style themselves for JavaScript.
document.documentElement.classList.add("js-enabled");
document.addEventListener("DOMContentLoaded", function () {
  document.body.classList.add("js-enabled");
  if ("noModule" in HTMLScriptElement.prototype) {
    document.body.classList.add("govuk-frontend-supported");
  }
});
