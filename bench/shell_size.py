"""How many bytes a phone downloads to install the offline shell, gzipped, against the 100 KB target.

Run: ``.venv/bin/python bench/shell_size.py``. The baseline printed beside it is the raw size, so the
effect of compression is visible in the same run.
"""

from __future__ import annotations

import gzip
from collections import defaultdict

from backend.settings import REPO_ROOT
from backend.web.assets import AssetManifest

TARGET = 100 * 1024


def main() -> None:
    manifest = AssetManifest(REPO_ROOT / "pwa")
    assets = [manifest.service_worker, *manifest.offline_files()]
    raw: dict[str, int] = defaultdict(int)
    packed: dict[str, int] = defaultdict(int)
    for asset in assets:
        kind = asset.url.split("?")[0].rsplit(".", 1)[-1] if "." in asset.url else "html"
        raw[kind] += len(asset.body)
        packed[kind] += len(gzip.compress(asset.body, 9))
    print(f"offline shell: {len(assets)} files")
    for kind in sorted(packed, key=packed.__getitem__, reverse=True):
        print(f"  {kind:12} {raw[kind] / 1024:7.1f} KB raw  {packed[kind] / 1024:7.1f} KB gzip")
    total = sum(packed.values())
    print(f"total         {sum(raw.values()) / 1024:7.1f} KB raw  {total / 1024:7.1f} KB gzip")
    verdict = "met" if total <= TARGET else "NOT met"
    print(f"target ≤ {TARGET / 1024:.0f} KB gzip: {verdict} ({total / TARGET:.0%} of it)")


if __name__ == "__main__":
    main()
