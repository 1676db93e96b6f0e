"""The field app on a slow phone: cold offline start to an interactive checklist, and input latency
on a 300-item checklist, in headless Chromium with the CPU throttled 4× (DevTools emulation).

Run: ``.venv/bin/python bench/pwa_start.py [--runs 7] [--throttle 4]``. It starts the real server
(``rasd migrate/demo/serve`` on a temporary directory), publishes a generated 300-item template,
signs in as ``inspector``, starts a visit, and then, with the network cut:

* **cold start**: a new tab opens the visit's checklist; measured from navigation to the first
  item's control being enabled and visible (the service worker serves the shell; IndexedDB the data);
* **input latency**: clicks on yes/no items spread over the checklist; the Event Timing API gives
  each click's duration (input delay + handlers + the next paint), as Chrome's INP does.

Baselines in the same run, same browser, same throttling: the cold start of the shell alone (the
home screen: service worker, modules, IndexedDB, no checklist), and a plain HTML page with 300
native radio groups and no script, loaded and clicked the same way (the peer with nothing to do).
Target: start ≤ 0.5 s.
"""

from __future__ import annotations

import argparse
import asyncio
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
from tests.support.browser import sign_in, store_call, wait_for
from tests.support.live_server import start_live_server

ITEMS = 300
SECTIONS = 10
START_TARGET_S = 0.5
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
]
ARGS += ["--disable-component-update", "--disable-sync"]
# Collects click durations from the Event Timing API (16 ms is its smallest threshold).
OBSERVE = """() => { window.__clicks = [];
  new PerformanceObserver((list) => { for (const e of list.getEntries())
    if (e.name === 'click') window.__clicks.push(e.duration); })
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


def _throttle(page: Page, rate: float) -> None:
    page.context.new_cdp_session(page).send("Emulation.setCPUThrottlingRate", {"rate": rate})


def _cold_open(page: Page, url: str, ready: str, rate: float) -> float:
    _throttle(page, rate)
    began = time.perf_counter()
    page.goto(url, wait_until="commit")
    page.wait_for_selector(ready, state="visible", timeout=30000)
    return time.perf_counter() - began


def _clicks(page: Page, targets: list[str], rate: float) -> list[float]:
    _throttle(page, rate)
    page.evaluate(OBSERVE)
    for selector in targets:
        page.locator(selector).first.click()
    page.wait_for_timeout(500)  # the last entries are delivered after their paint
    durations: list[float] = page.evaluate("() => window.__clicks")
    return durations


def _summary(values: list[float], unit: str, scale: float = 1.0) -> str:
    if not values:
        return "no samples"
    ordered = sorted(v * scale for v in values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"median {statistics.median(ordered):7.1f} {unit}  p95 {p95:7.1f} {unit}  (n={len(ordered)})"


def _peer_page(items: int) -> str:
    groups = "".join(
        f'<fieldset id="g{i}"><legend>Item {i}</legend>'
        f'<label><input type="radio" name="r{i}" value="y">yes</label>'
        f'<label><input type="radio" name="r{i}" value="n">no</label></fieldset>'
        for i in range(items)
    )
    return f"<!doctype html><html><body>{groups}</body></html>"


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

            starts, floors, peers = [], [], []
            for _ in range(args.runs):
                tab = context.new_page()
                starts.append(_cold_open(tab, checklist, "#item-s0_i0 input:enabled", args.throttle))
                tab.close()
                tab = context.new_page()
                floors.append(_cold_open(tab, "/", "html[data-ready]", args.throttle))
                tab.close()
                tab = context.new_page()
                _throttle(tab, args.throttle)
                began = time.perf_counter()
                tab.set_content(_peer_page(ITEMS))
                tab.wait_for_selector("#g0 input:enabled", state="visible")
                peers.append(time.perf_counter() - began)
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

            peer = context.new_page()
            peer.set_content(_peer_page(ITEMS))
            peer_targets = [f"#g{i} input >> nth=0" for i in range(0, ITEMS, ITEMS // len(targets))][
                : len(targets)
            ]
            peer_clicks = _clicks(peer, peer_targets, args.throttle)
            browser.close()
    finally:
        server.stop()
        shutil.rmtree(data_dir, ignore_errors=True)

    print(f"field app, headless Chromium, CPU throttled {args.throttle:g}×, offline, {ITEMS}-item checklist")
    print(f"  cold start to an interactive checklist  {_summary(starts, 's')}")
    print(f"  the shell alone (sign-in/home, no data) {_summary(floors, 's')}")
    print(f"  peer: plain HTML, 300 radio groups      {_summary(peers, 's')}")
    verdict = "met" if statistics.median(starts) <= START_TARGET_S else "NOT met"
    print(f"  target ≤ {START_TARGET_S} s (median): {verdict}")
    print("input latency (Event Timing: input delay + handlers + next paint; entries ≥ 16 ms only)")
    print(f"  the checklist, {len(targets)} clicks       {_summary(app_clicks, 'ms')}")
    print(f"  peer: plain HTML, 300 radio groups     {_summary(peer_clicks, 'ms')}")
    print("  (fewer samples than clicks means the others took under 16 ms)")


if __name__ == "__main__":
    main()
