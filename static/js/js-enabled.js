// GOV.UK Frontend's template sets these classes with an inline snippet at the top
// of <body>; the CSP forbids inline script, so this file is loaded there instead.
// It must run before app.js: initAll() does nothing unless <body> already says
// the browser is supported (module scripts run before DOMContentLoaded).
document.body.classList.add("js-enabled");
if ("noModule" in HTMLScriptElement.prototype) {
  document.body.classList.add("govuk-frontend-supported");
}
