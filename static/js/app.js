// Progressive enhancement only: every page works without this file.
import { initAll } from "../vendor/govuk-frontend/govuk-frontend.min.js";

initAll();

// After an htmx swap, start GOV.UK components inside the new content and move
// focus to it when it asks (data-focus-after-swap), so keyboard and screen
// reader users land where the change happened.
document.addEventListener("htmx:afterSwap", function (event) {
  const target = event.detail.target;
  initAll({ scope: target });
  const focus = target.querySelector("[data-focus-after-swap]") ||
    (target.matches("[data-focus-after-swap]") ? target : null);
  if (focus) {
    if (!focus.hasAttribute("tabindex")) focus.setAttribute("tabindex", "-1");
    focus.focus();
  }
});
