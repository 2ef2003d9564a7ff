"""What every end-to-end journey checks on the pages it visits.

- axe-core (vendored, tests/e2e/vendor/axe-core) on every page: any serious or
  critical violation fails the test, printed with its rule, help and elements;
- screenshots of the main pages at phone (375px) and desktop (1280px) widths,
  saved to test-artifacts/screenshots/ for a reviewer;
- reflow at 400% zoom: a 1280px screen at 400% is 320 CSS px wide, and the page
  must not scroll sideways there (WCAG 2.2 SC 1.4.10);
- keyboard helpers that move focus with Tab and Shift+Tab only, checking on the
  way that each element focused shows a visible focus indicator (SC 2.4.7).
"""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

from playwright.sync_api import Page, Route

from core.security import CSP

ROOT = Path(__file__).resolve().parents[2]
AXE_SOURCE = (Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js").read_text()
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
WIDTHS = (375, 1280)
REFLOW_WIDTH = 320
FAILING_IMPACTS = {"serious", "critical"}

# Run inside the page after axe is loaded: the violations, with what a reader needs.
_RUN_AXE = """async () => {
  const results = await axe.run(document, {resultTypes: ["violations"]});
  return results.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.map(n => ({target: n.target.join(" "), html: n.html,
                              summary: n.failureSummary}))
  }));
}"""


def _report(label: str, violations: list[dict]) -> str:
    lines = [f"axe: {len(violations)} serious or critical violation(s) on {label}:"]
    for v in violations:
        lines.append(f"- [{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"][:10]:
            lines.append(f"    at {node['target']}: {node['html'][:200]}")
            lines.extend(f"      {line}" for line in (node["summary"] or "").splitlines())
    return "\n".join(lines)


def axe_violations(page: Page) -> list[dict]:
    """Every violation axe finds on the page as it is now.

    The page's CSP forbids inline and injected scripts, and stays on:
    Playwright's evaluate runs axe through the DevTools protocol, which the
    page's policy does not govern (an added <script> tag would be blocked).
    """
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(AXE_SOURCE)
    return page.evaluate(_RUN_AXE)


def assert_accessible(page: Page, label: str, *, twin: Page | None = None) -> None:
    """Fail on any serious or critical axe violation.

    A page with JavaScript off cannot run axe (its timers never fire): give a
    JavaScript-enabled ``twin`` page, which is shown the very same HTML and
    styles with every script blocked, so axe audits what the person saw.
    """
    audited = page if twin is None else _mirror(page, twin)
    found = [v for v in axe_violations(audited) if v["impact"] in FAILING_IMPACTS]
    assert not found, _report(label, found)


def _mirror(page: Page, twin: Page) -> Page:
    html, url = page.content(), page.url.split("#")[0]

    def serve(route: Route) -> None:
        request = route.request
        if request.url == url and request.resource_type == "document":
            headers = {"Content-Type": "text/html; charset=utf-8", "Content-Security-Policy": CSP}
            route.fulfill(status=200, headers=headers, body=html)
        elif request.resource_type == "script":
            route.abort()
        else:
            route.continue_()

    twin.unroute("**/*")
    twin.route("**/*", serve)
    twin.goto(url)
    return twin


# Headings as a screen reader lists them: one h1, and no level skipped on the way down.
_HEADINGS = """() => [...document.querySelectorAll("h1, h2, h3, h4, h5, h6")]
  .filter(h => h.getClientRects().length > 0)
  .map(h => [Number(h.tagName[1]), h.textContent.replace(/\\s+/g, " ").trim()])"""


def assert_headings_in_order(page: Page, label: str) -> None:
    headings = page.evaluate(_HEADINGS)
    outline = "\n".join(f"  h{level} {text}" for level, text in headings)
    assert [level for level, _ in headings].count(1) == 1, f"{label}: not one h1:\n{outline}"
    for (before, _), (level, text) in pairwise(headings):
        assert level <= before + 1, f"{label}: h{level} {text!r} follows an h{before}:\n{outline}"


# Every hint and error message is tied to its control (aria-describedby), so it
# is read out with the field; GOV.UK Frontend's macros do this when given an id.
_UNTIED = """() => {
  const described = new Set();
  for (const el of document.querySelectorAll("[aria-describedby]")) {
    el.getAttribute("aria-describedby").split(/\\s+/).forEach(id => described.add(id));
  }
  return [...document.querySelectorAll("main .govuk-hint, main .govuk-error-message")]
    .filter(el => !el.id || !described.has(el.id))
    .map(el => el.outerHTML.slice(0, 200));
}"""


def assert_descriptions_tied(page: Page, label: str) -> None:
    untied = page.evaluate(_UNTIED)
    assert not untied, f"{label}: hints or error messages no control refers to: {untied}"


def screenshot(page: Page, name: str) -> None:
    """Full-page screenshots at phone and desktop widths: <name>-375.png, <name>-1280.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size(size)


# The elements sticking out on the right: what a failure should point at.
_OVERFLOW = """() => {
  const root = document.documentElement;
  if (root.scrollWidth <= root.clientWidth) return null;
  const wide = [];
  for (const el of document.body.querySelectorAll("*")) {
    // A wide table scrolling in its own box is allowed (data tables may, SC 1.4.10).
    if (el.parentElement && el.parentElement.closest(".app-table-scroll")) continue;
    const box = el.getBoundingClientRect();
    if (box.right > root.clientWidth + 1 && box.width > 0) {
      wide.push(el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
                (el.className && typeof el.className === "string" ?
                 "." + el.className.trim().split(/\\s+/).join(".") : "") +
                " (right edge " + Math.round(box.right) + "px)");
    }
  }
  return {scrollWidth: root.scrollWidth, clientWidth: root.clientWidth, wide: wide.slice(0, 10)};
}"""


def assert_reflows(page: Page, label: str) -> None:
    """At 320 CSS px (1280px at 400% zoom) the page scrolls only up and down."""
    size = page.viewport_size
    page.set_viewport_size({"width": REFLOW_WIDTH, "height": 900})
    try:
        overflow = page.evaluate(_OVERFLOW)
    finally:
        page.set_viewport_size(size)
    assert overflow is None, (
        f"{label} scrolls sideways at {REFLOW_WIDTH}px (400% zoom): document "
        f"{overflow['scrollWidth']}px wide for {overflow['clientWidth']}px; "
        f"wide elements: {overflow['wide']}"
    )


def check_page(page: Page, name: str, *, twin: Page | None = None, main: bool = True) -> None:
    """All the checks for one page visited; for a main page, reflow and screenshots too."""
    assert_accessible(page, name, twin=twin)
    assert_headings_in_order(page, name)
    assert_descriptions_tied(page, name)
    if main:
        assert_reflows(page, name)
        screenshot(page, name)


# --- keyboard ---------------------------------------------------------------------------

# Whether the focused element shows a focus indicator: its look (outline, shadow,
# colours) must change when it takes the focus. Radios and checkboxes draw their
# ring on the ::before of the label after their (invisible) input.
_FOCUS_STATE = """(selector) => {
  const el = document.activeElement;
  if (!el || el === document.body) return {matches: false, visible: true, what: "body"};
  const what = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
               (el.name ? "[name=" + el.name + "]" : "");
  if (el.tabIndex < 0) {
    // Focused by a script to move the reader (skip link target, error summary):
    // not a control, and GOV.UK Frontend deliberately draws no ring on it.
    return {matches: el.matches(selector), visible: true, what};
  }
  const drawnOn = el.matches(".govuk-radios__input, .govuk-checkboxes__input") ?
    [el.nextElementSibling, "::before"] : [el, null];
  const look = () => {
    const s = getComputedStyle(drawnOn[0], drawnOn[1]);
    return [s.outlineStyle, s.outlineWidth, s.outlineColor, s.boxShadow, s.backgroundColor,
            s.borderColor, s.color, s.textDecorationLine].join("|");
  };
  const focusedLook = look();
  el.blur();
  const restingLook = look();
  el.focus({preventScroll: true});
  return {matches: el.matches(selector), visible: focusedLook !== restingLook, what};
}"""


def focused(page: Page, selector: str) -> bool:
    return page.evaluate("s => !!document.activeElement?.matches(s)", selector)


def tab_to(page: Page, selector: str, *, backwards: bool = False, limit: int = 150) -> None:
    """Press Tab (or Shift+Tab) until the focused element matches ``selector``.

    Every element focused on the way must show where the focus is.
    """
    key = "Shift+Tab" if backwards else "Tab"
    passed: list[str] = []
    for _ in range(limit):
        state = page.evaluate(_FOCUS_STATE, selector)
        assert state["visible"], f"no visible focus indicator on {state['what']}"
        if state["matches"]:
            return
        passed.append(state["what"])
        page.keyboard.press(key)
    raise AssertionError(f"{selector} never took the focus; tabbed through {passed[-20:]}")


def type_into(page: Page, selector: str, text: str) -> None:
    """Tab to a text field and type, as a keyboard user does (replacing what is there)."""
    tab_to(page, selector)
    page.keyboard.press("ControlOrMeta+A")
    page.keyboard.type(text)
