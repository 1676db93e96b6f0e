from __future__ import annotations

import uuid

from backend.wire import Base


class AgencyView(Base):
    id: uuid.UUID
    code: str
    body: str
    wilaya_code: int
    kind: str
    name_ar: str
    name_fr: str
    parent_id: uuid.UUID | None
    latitude: float | None
    longitude: float | None
