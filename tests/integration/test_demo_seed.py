"""``rasd demo``: the network, the users and the template, created once and kept on re-runs."""

from __future__ import annotations

from sqlalchemy import func, select

from backend.checklists import parse_template
from backend.db.engine import Database
from backend.db.tables import Agency, Body, TemplateVersion, User, Wilaya
from backend.demo.seed import seed_demo


async def _count(db: Database, table: type) -> int:
    async with db.read() as session:
        return (await session.execute(select(func.count()).select_from(table))).scalar_one()


async def test_demo_creates_the_network_once(seeded: Database) -> None:
    assert await _count(seeded, Body) == 6
    assert await _count(seeded, Wilaya) == 58
    agencies = await _count(seeded, Agency)
    async with seeded.read() as session:
        kinds = dict((await session.execute(select(Agency.kind, func.count()).group_by(Agency.kind))).all())
        usernames = set((await session.execute(select(User.username))).scalars())
        version = (await session.execute(select(TemplateVersion))).scalar_one()
    assert kinds["agency"] == 6 * 58
    assert kinds["centre"] >= 5
    assert usernames == {
        "admin",
        "central",
        "director",
        "director.cnas",
        "inspector",
        "inspector2",
        "inspector.oran",
    }
    assert version.status == "published"
    assert len(parse_template(version.document).all_items()) >= 30

    assert await seed_demo(seeded, password="other") is False
    assert await _count(seeded, Agency) == agencies
    assert await _count(seeded, User) == 7
