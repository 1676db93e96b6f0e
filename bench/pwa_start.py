"""The field app on a slow phone: cold offline start to an interactive checklist, and input latency
on a 300-item checklist, in headless Chromium with the CPU throttled 4× (DevTools emulation).

Run: ``.venv/bin/python bench/pwa_start.py [--runs 7] [--throttle 4]``. It starts the real server
(``rasd migrate/demo/serve`` on a temporary directory), publishes a generated 300-item template,
signs in as ``inspector``, starts a visit, and then, with the network cut:

* **cold start**: a new tab opens the visit's checklist (the service worker serves the shell, the
  modules and the catalogue; IndexedDB the data). Measured inside the page, from the start of the
  navigation to the frame after the first item's control exists and is enabled: a script installed
  before any of the page's own watches the document, and the bench reads its figure over the
  DevTools protocol only afterwards, so that Playwright's own scripts do not run in the page (and
  on its throttled CPU) while it starts;
* **input latency**: clicks on yes/no items spread over the checklist; the Event Timing API gives
  each click's duration (input delay + handlers + the next paint), as Chrome's INP does.

Baselines in the same run, same browser, same throttling, measured the same way (bench/pwa_peers.py):
the cold start of the shell alone (the home screen: service worker, modules, IndexedDB, no
checklist); the least an offline-first app does to show 300 radio groups (a service worker, one
module, one IndexedDB read, the DOM), offline; and a plain HTML page of 300 native radio groups
and no script, served over HTTP on this machine (nothing to do but parse and paint).
Target: start ≤ 0.5 s.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, sync_playwright

# The bench drives the app as the browser tests do, with their helpers: the repository on the path.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from backend.db.engine import make_database
from backend.sync_server.feed import publish_template
from bench.pwa_peers import serve_offline_app, serve_plain
from tests.support.browser import sign_in, store_call, wait_for
from tests.support.live_server import start_live_server

ITEMS = 300
SECTIONS = 10
START_TARGET_MS = 500
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
]
ARGS += ["--disable-component-update", "--disable-sync"]
# Collects each click's Event Timing entry (16 ms is the API's smallest threshold): its duration,
# and the part spent running handlers (processingEnd - processingStart); the rest is the wait for
# the main thread before them and the rendering of the next frame after them.
OBSERVE = """() => { window.__clicks = [];
  new PerformanceObserver((list) => { for (const e of list.getEntries())
    if (e.name === 'click') window.__clicks.push([e.duration, e.processingEnd - e.processingStart]); })
  .observe({ type: 'event', durationThreshold: 16, buffered: false }); }"""


def template(items: int = ITEMS, sections: int = SECTIONS) -> dict[str, Any]:
    """A valid template of ``items`` yes/no, rating and number items in ``sections`` sections."""
    per = items // sections
    kinds = ["yes_no", "yes_no", "rating", "number"]
    return {
        "key": "bench_300",
        "version": 1,
        "title": {"ar": "قائمة اختبار الأداء", "fr": "Grille de mesure", "en": "Benchmark checklist"},
        "sections": [
            {
                "key": f"s{s}",
                "title": {"ar": f"القسم {s}", "fr": f"Section {s}", "en": f"Section {s}"},
                "items": [
                    {
                        "key": f"s{s}_i{i}",
                        "type": kinds[i % len(kinds)],
                        "label": {"ar": f"البند {s}.{i}", "fr": f"Point {s}.{i}", "en": f"Item {s}.{i}"},
                        **(
                            {"min": 0, "max": 1000, "unit": "min"}
                            if kinds[i % len(kinds)] == "number"
                            else {}
                        ),
                    }
                    for i in range(per)
                ],
            }
            for s in range(sections)
        ],
    }


async def _publish(data_dir: Path) -> None:
    db = make_database(f"sqlite+aiosqlite:///{data_dir / 'rasd.db'}")
    try:
        await publish_template(db, template())
    finally:
        await db.dispose()


# Installed before the page's own scripts: the time (ms since the navigation started) when `selector`
# first matches, and of the frame after it (the task queued from requestAnimationFrame runs once
# that frame is out).
WATCH = """(() => {
  const marks = (window.__bench = { ready: null, painted: null });
  const check = () => {
    if (marks.ready !== null || !document.querySelector(%s)) return;
    marks.ready = performance.now();
    requestAnimationFrame(() => setTimeout(() => { marks.painted = performance.now(); }, 0));
  };
  new MutationObserver(check).observe(document, { childList: true, subtree: true, attributes: true });
})();"""


def _throttle(page: Page, rate: float) -> None:
    page.context.new_cdp_session(page).send("Emulation.setCPUThrottlingRate", {"rate": rate})


def _cold_open(page: Page, url: str, ready: str, rate: float) -> float:
    """Milliseconds from the start of the navigation to the frame after `ready` matched, in the page."""
    page.add_init_script(WATCH % json.dumps(ready))
    cdp = page.context.new_cdp_session(page)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": rate})
    page.goto(url, wait_until="commit")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        time.sleep(0.1)
        asked = {"expression": "window.__bench?.painted ?? null", "returnByValue": True}
        painted = cdp.send("Runtime.evaluate", asked)["result"].get("value")
        if painted is not None:
            return float(painted)
    raise TimeoutError(f"{url}: {ready} never appeared")


def _clicks(page: Page, targets: list[str], rate: float) -> tuple[list[float], list[float]]:
    """The durations of the clicks on `targets`, and the time their handlers took (ms)."""
    _throttle(page, rate)
    page.evaluate(OBSERVE)
    for selector in targets:
        page.locator(selector).first.click()
    page.wait_for_timeout(500)  # the last entries are delivered after their paint
    entries: list[list[float]] = page.evaluate("() => window.__clicks")
    return [duration for duration, _ in entries], [handlers for _, handlers in entries]


def _summary(values: list[float], unit: str) -> str:
    if not values:
        return "no samples"
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"median {statistics.median(ordered):7.1f} {unit}  p95 {p95:7.1f} {unit}  (n={len(ordered)})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--throttle", type=float, default=4.0)
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="rasd-pwa-bench-"))
    server = start_live_server(data_dir)
    try:
        asyncio.run(_publish(data_dir))
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=shutil.which("chromium"), args=ARGS)
            context = browser.new_context(base_url=server.url, viewport={"width": 412, "height": 915})
            page = context.new_page()
            sign_in(page, "inspector")
            page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=15000)
            found = wait_for(
                lambda: store_call(
                    page,
                    """const agency = (await store.listAgencies()).find((a) => a.code === 'CNAS-16');
                       const versions = await store.listTemplates();
                       const version = versions.find((t) => t.template_key === 'bench_300');
                       if (!agency || !version) return null;
                       const fields = { agency_id: agency.id, template_version_id: version.id };
                       return store.createVisit(fields);""",
                ),
                "the 300-item template and the agencies on the phone",
                timeout=60,
            )
            checklist = f"/#/visit/{found}"
            page.goto(checklist)
            page.wait_for_selector("#item-s0_i0 input", state="visible", timeout=30000)
            context.set_offline(True)
            page.close()

            plain_server, plain_url = serve_plain(ITEMS)
            app_server, app_url = serve_offline_app(ITEMS)
            peer_context = browser.new_context(viewport={"width": 412, "height": 915})
            # The minimal offline app: a first visit online installs its worker and stores its items.
            app_context = browser.new_context(viewport={"width": 412, "height": 915})
            first = app_context.new_page()
            first.goto(app_url)
            first.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=15000)
            first.close()
            app_context.set_offline(True)
            starts, floors, apps, peers = [], [], [], []
            for _ in range(args.runs):
                tab = context.new_page()
                starts.append(_cold_open(tab, checklist, "#item-s0_i0 input:enabled", args.throttle))
                tab.close()
                tab = context.new_page()
                floors.append(_cold_open(tab, "/", "html[data-ready]", args.throttle))
                tab.close()
                tab = app_context.new_page()
                apps.append(_cold_open(tab, app_url, "#g0 input:enabled", args.throttle))
                tab.close()
                tab = peer_context.new_page()
                peers.append(_cold_open(tab, plain_url, "#g0 input:enabled", args.throttle))
                tab.close()

            tab = context.new_page()
            tab.goto(checklist)
            tab.wait_for_selector("#item-s0_i0 input", state="visible")
            targets = []
            for section in range(SECTIONS):
                details = tab.locator(f"#section-s{section}")
                if details.get_attribute("open") is None:
                    details.locator("> summary").click()
                targets += [f"#item-s{section}_i{i} input[type=radio] >> nth=0" for i in (0, 4, 8, 12, 16)]
            app_clicks = _clicks(tab, targets, args.throttle)
            tab.close()

            peer = peer_context.new_page()
            peer.goto(plain_url)
            peer_targets = [f"#g{i} input >> nth=0" for i in range(0, ITEMS, ITEMS // len(targets))][
                : len(targets)
            ]
            peer_clicks = _clicks(peer, peer_targets, args.throttle)
            plain_server.shutdown()
            app_server.shutdown()
            browser.close()
    finally:
        server.stop()
        shutil.rmtree(data_dir, ignore_errors=True)

    print(f"field app, headless Chromium, CPU throttled {args.throttle:g}×, offline, {ITEMS}-item checklist")
    print("cold start, navigation to the frame after the first control is enabled (measured in the page)")
    print(f"  the checklist, offline                  {_summary(starts, 'ms')}")
    print(f"  the shell alone (home screen, offline)  {_summary(floors, 'ms')}")
    print(f"  peer: minimal offline app, offline      {_summary(apps, 'ms')}")
    print(f"  peer: plain HTML, 300 radio groups      {_summary(peers, 'ms')}")
    verdict = "met" if statistics.median(starts) <= START_TARGET_MS else "NOT met"
    print(f"  target ≤ {START_TARGET_MS} ms (median): {verdict}")
    print("input latency (Event Timing: input delay + handlers + next paint; entries ≥ 16 ms only)")
    print(f"  the checklist, {len(targets)} clicks         {_summary(app_clicks[0], 'ms')}")
    print(f"    of which its handlers               {_summary(app_clicks[1], 'ms')}")
    print(f"  peer: plain HTML, 300 radio groups    {_summary(peer_clicks[0], 'ms')}")
    print(f"    of which its handlers               {_summary(peer_clicks[1], 'ms')}")
    print("  (fewer samples than clicks means the others took under 16 ms)")


if __name__ == "__main__":
    main()
