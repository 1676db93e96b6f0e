"""Making exportable data as a phone makes it, and reading exports back, for the export tests.

Ops go through ``/api/sync/push`` and photos are uploaded to ``/api/blobs``. Visits happen in a cycle
of their own (2031-Q2), so the demo's data never mixes in.
"""

from __future__ import annotations

import csv
import hashlib
import io
import uuid
from collections.abc import Callable
from datetime import date
from typing import Any

from httpx import AsyncClient
from PIL import Image
from sqlalchemy import select

from backend.db.engine import Database
from backend.db.tables import EvaluationCycle, TemplateVersion
from backend.demo.seed import agency_uuid
from tests.support.clients import sign_in
from tests.support.ops import Device

CYCLE = "2031-Q2"


def png(width: int = 64, height: int = 48, colour: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    """A real PNG (WeasyPrint decodes what it embeds)."""
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, format="PNG")
    return out.getvalue()


async def upload(client: AsyncClient, data: bytes) -> str:
    sha = hashlib.sha256(data).hexdigest()
    response = await client.patch(
        f"/api/blobs/{sha}",
        content=data,
        headers={
            "Upload-Offset": "0",
            "Upload-Length": str(len(data)),
            "Content-Type": "application/offset+octet-stream",
        },
    )
    assert response.status_code == 204, response.text
    return sha


class Phone:
    """An inspector's phone that makes whole visits through the real push."""

    def __init__(self, client: AsyncClient, template_id: uuid.UUID) -> None:
        self.client, self.template_id, self.device = client, template_id, Device()

    async def visit(
        self,
        agency: str,
        started_at: str,
        answers: dict[str, Any] | None = None,
        *,
        finding: str | None = None,
        action: str | None = None,
        photo: bytes | None = None,
        signature: bytes | None = None,
    ) -> uuid.UUID:
        op, visit_id = self.device.op, uuid.uuid4()
        ops = [
            op(
                "create",
                "visit",
                visit_id,
                value={
                    "agency_id": str(agency_uuid(agency)),
                    "template_version_id": str(self.template_id),
                    "started_at": started_at,
                },
            )
        ]
        for key, value in (answers or {}).items():
            ops.append(op("set", "visit", visit_id, f"answers.{key}", {"value": value, "note": None}))
        finding_id = uuid.uuid4()
        if finding:
            value = {
                "visit_id": str(visit_id),
                "severity": "major",
                "description": finding,
                "item_key": "signage",
            }
            ops.append(op("create", "finding", finding_id, value=value))
        if action:
            value = {
                "visit_id": str(visit_id),
                "title": action,
                "deadline": "2026-01-31",
                "owner_name": "مدير الوكالة",
            }
            ops.append(op("create", "action", uuid.uuid4(), value=value))
        if photo:
            sha = await upload(self.client, photo)
            value = {
                "visit_id": str(visit_id),
                "sha256": sha,
                "size": len(photo),
                "mime": "image/png",
                "item_key": "premises_photos",
            }
            ops.append(op("create", "attachment", uuid.uuid4(), value=value))
        if signature:
            sha = await upload(self.client, signature)
            ops.append(op("set", "visit", visit_id, "signature", {"sha256": sha, "signed_by": "Chef"}))
        ops.append(op("submit", "visit", visit_id))
        response = await self.client.post("/api/sync/push", json=self.device.push_body(ops))
        assert response.status_code == 200, response.text
        outcomes = [result["outcome"] for result in response.json()["results"]]
        assert set(outcomes) == {"applied"}, response.text
        return visit_id


async def add_cycle(seeded: Database) -> uuid.UUID:
    """Add the exports' cycle (2031-Q2); return the id of the template visits are made with."""
    async with seeded.write() as session, session.begin():
        session.add(
            EvaluationCycle(code=CYCLE, kind="quarter", starts_on=date(2031, 4, 1), ends_on=date(2031, 6, 30))
        )
    async with seeded.read() as session:
        return (await session.execute(select(TemplateVersion.id))).scalar_one()


async def make_visits(make_client: Callable[[], AsyncClient], template_id: uuid.UUID) -> dict[str, uuid.UUID]:
    """Three visits in Algiers: two in the cycle (CNAS, CNR), one after it."""
    async with make_client() as client:
        await sign_in(client, "inspector")
        phone = Phone(client, template_id)
        return {
            "cnas": await phone.visit(
                "CNAS-16",
                "2031-04-10T08:30:00Z",
                {
                    "signage": "no",
                    "reception_quality": 4,
                    "information_display": ["opening_hours", "digital_services"],
                },
                finding="Signalétique absente",
                action='=HYPERLINK("http://evil.example","clic")',
            ),
            "cnr": await phone.visit("CNR-16", "2031-05-02T09:00:00Z", {"signage": "yes"}),
            "later": await phone.visit("CNAS-16", "2031-07-05T09:00:00Z", {"signage": "yes"}),
        }


def parse_csv(response: Any) -> list[dict[str, str]]:
    assert response.status_code == 200, response.text[:500]
    assert response.headers["content-type"].startswith("text/csv")
    assert response.content.startswith(b"\xef\xbb\xbf"), "a BOM, so that Excel reads UTF-8"
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))
