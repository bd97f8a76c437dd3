"""axe-core in the browser tests: WCAG 2.2 AA, failing on any serious or critical violation.

    from tests.browser.axe import assert_no_serious_violations
    ...
    page.goto("/patients/")
    assert_no_serious_violations(page, context="lead: patient list")

axe-core (bundled by axe-playwright-python, so nothing is fetched at run time) runs on the page as it is
now, after whatever the test did to it (a dialog opened, an error shown): call it where the page shows
what you want checked. The WCAG 2.0, 2.1 and 2.2 A and AA rules run (not axe's best-practice rules, but
for the two named in EXTRA_RULES), and the violations axe rates serious or critical fail the test (and any
of EXTRA_RULES); minor and moderate ones are not listed.
"""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe

WCAG_AA_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
FAILING_IMPACTS = {"serious", "critical"}
# Two rules outside those tags, switched on as well: label-content-name-mismatch (WCAG 2.5.3, Label in
# Name, serious; axe still marks it experimental, so off by default) and empty-table-header (a <th> with
# no text: axe files it under best practice and rates it minor, but a screen reader announces a column
# with no name, so it fails here too, whatever its impact).
EXTRA_RULES = {"label-content-name-mismatch", "empty-table-header"}
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": WCAG_AA_TAGS},
    "rules": {rule: {"enabled": True} for rule in sorted(EXTRA_RULES)},
    "resultTypes": ["violations"],
}

_axe = Axe()


def serious_violations(page) -> list[str]:
    """One line per serious or critical violation on the page now: impact, rule id, help, the targets."""
    results = _axe.run(page, options=AXE_OPTIONS).response
    lines = []
    for violation in results["violations"]:
        if violation.get("impact") not in FAILING_IMPACTS and violation["id"] not in EXTRA_RULES:
            continue
        targets = [" ".join(map(str, node["target"])) for node in violation["nodes"]]
        shown = ", ".join(targets[:5]) + (f" (and {len(targets) - 5} more)" if len(targets) > 5 else "")
        # What axe measured on the first one, e.g. "insufficient color contrast of 3.2 (foreground ...)".
        summary = " ".join(violation["nodes"][0].get("failureSummary", "").split("\n")[1:2]).strip()
        detail = f" [{summary}]" if summary else ""
        lines.append(f"{violation['impact']} {violation['id']}: {violation['help']} -- {shown}{detail}")
    return lines


def assert_no_serious_violations(page, *, context: str = "") -> None:
    """Fail listing every serious or critical WCAG 2.2 A/AA violation axe-core finds on the page now."""
    found = serious_violations(page)
    if found:
        where = f"{context} ({page.url})" if context else page.url
        listing = "\n  ".join(found)
        raise AssertionError(f"axe-core: {len(found)} failing violation(s) on {where}:\n  {listing}")
