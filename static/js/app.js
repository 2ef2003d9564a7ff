// Progressive enhancement only: every page works without this file.
import { initAll } from "../vendor/govuk-frontend/govuk-frontend.min.js";

initAll();

// Screen readers read a live region's new text, not a swapped-in table: an
// update that leaves the focus where it was (a filter applied while typing)
// marks a short summary with data-announce, and it is said here. Emptied
// first, so the same text twice in a row is still read out.
function announce(text) {
  const region = document.getElementById("app-live-region");
  if (!region) return;
  region.textContent = "";
  window.setTimeout(function () {
    region.textContent = text;
  }, 100);
}

// After an htmx swap, start GOV.UK components inside the new content, then
// either move the focus to it when it asks (data-focus-after-swap: the result
// of an action the person took) or announce its summary (data-announce), so
// keyboard and screen reader users know where the change happened.
document.addEventListener("htmx:afterSwap", function (event) {
  // htmx fires this on the swapped-in content: for an outerHTML swap that is the
  // new element, while event.detail.target is the one it replaced.
  const target = event.target;
  if (!(target instanceof Element)) return;
  initAll({ scope: target });
  // A form sent back with errors: GOV.UK Frontend has put the focus on its error
  // summary, which lists what to correct and links to each field.
  if (target.querySelector(".govuk-error-summary")) return;
  const focus = target.querySelector("[data-focus-after-swap]") ||
    (target.matches("[data-focus-after-swap]") ? target : null);
  if (focus) {
    if (!focus.hasAttribute("tabindex")) focus.setAttribute("tabindex", "-1");
    focus.focus();
    return;
  }
  const summary = target.querySelector("[data-announce]");
  if (summary) announce(summary.textContent.replace(/\s+/g, " ").trim());
});
