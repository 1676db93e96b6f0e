"""Resumable, content-addressed uploads of attachment blobs, and who may read them.

Concurrency. Two PATCHes of the same blob at the same offset (a retried request racing its original,
or two devices holding the same photo) must not interleave their bytes. The writer advances
``Blob.received`` with an optimistic ``UPDATE … WHERE received = :offset`` and writes its chunk to
the partial file only after that UPDATE matched, in the same transaction, before committing. The
UPDATE holds the row until commit (a row lock on PostgreSQL; SQLite's write transactions are
``BEGIN IMMEDIATE`` and so serialized), so a concurrent writer at the same offset waits, then finds
``received`` moved and answers ``offset_mismatch`` without touching the file. Every file operation
that must match the row (write, discard, publish) happens while the row is held.

Durability. The chunk is written at its offset (dropping any tail left by a write whose commit
failed) and fsynced before the commit, so an acknowledged offset is always on disk. When the last
byte arrives the whole partial is hashed; on a match it is moved to its final place before the
commit (on a commit failure it is moved back), on a mismatch the row and the partial are deleted and
the client starts again from zero. The device deletes its copy only once HEAD says complete, so a
crash between the move and the commit costs a re-upload, never a photo.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from typing import Any, Final

import anyio
from sqlalchemy import Select, delete, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from backend.authz.principal import Principal
from backend.authz.queries import agency_scope_clause
from backend.blobs.sniff import SNIFF_BYTES, sniff
from backend.blobs.store import BlobStore, PartialLost
from backend.blobs.wire import LENGTH_LIMIT, UPLOAD_LENGTH, UPLOAD_OFFSET
from backend.db.engine import Database
from backend.db.tables import Agency, Attachment, Blob, Visit
from backend.db.types import utcnow
from backend.errors import DomainError, NotFound

CHUNK_MAX_BYTES: Final = 4 * 1024 * 1024

log = logging.getLogger("rasd.blobs")


class UploadConflict(DomainError):
    """A conflict whose answer tells the client where the server stands (``Upload-Offset``)."""

    status_code = 409

    def __init__(self, field: str, *, offset: int, **params: Any) -> None:
        super().__init__(field, offset=offset, **params)
        self.offset = offset


class OffsetMismatch(UploadConflict):
    code = "offset_mismatch"

    def __init__(self, offset: int) -> None:
        super().__init__(UPLOAD_OFFSET, offset=offset)


class LengthMismatch(UploadConflict):
    code = "length_mismatch"

    def __init__(self, *, offset: int, length: int) -> None:
        super().__init__(UPLOAD_LENGTH, offset=offset, length=length)


class HashMismatch(DomainError):
    """The bytes were discarded: the client starts again at ``offset`` 0."""

    status_code = 422
    code = "hash_mismatch"
    offset = 0


class UnsupportedType(DomainError):
    status_code = 415
    code = "unsupported_type"


class BlobTooLarge(DomainError):
    status_code = 413
    code = "too_large"


class BadChunk(DomainError):
    """400 ``invalid``: a chunk that cannot be part of the declared upload."""

    status_code = 400
    code = "invalid"


@dataclass(frozen=True, slots=True)
class UploadState:
    received: int
    length: int

    @property
    def complete(self) -> bool:
        return self.received == self.length


@dataclass(frozen=True, slots=True)
class BlobInfo:
    sha256: str
    mime: str
    length: int


def check_upload(*, length: int, max_bytes: int) -> None:
    """Checks that need no body and no database, so an oversized upload is refused before reading."""
    if length > min(max_bytes, LENGTH_LIMIT):
        raise BlobTooLarge(UPLOAD_LENGTH, max_bytes=max_bytes)


async def upload_state(db: Database, sha256: str) -> UploadState:
    """How much of the blob the server holds; not found when nobody started uploading it."""
    query = select(col(Blob.received), col(Blob.length)).where(col(Blob.sha256) == sha256)
    async with db.read() as session:
        row = (await session.execute(query)).first()
    if row is None:
        raise NotFound("sha256")
    return UploadState(received=row[0], length=row[1])


async def append_chunk(
    db: Database,
    store: BlobStore,
    principal: Principal,
    *,
    sha256: str,
    offset: int,
    length: int,
    data: bytes,
    max_bytes: int,
) -> int:
    """Append ``data`` at ``offset`` of the blob ``sha256`` of ``length`` bytes; the new offset.

    Raises:
        OffsetMismatch: ``offset`` is not what the server holds (its offset is in the error).
        LengthMismatch: the blob is known with another length.
        HashMismatch: the last byte arrived and the bytes do not hash to ``sha256`` (all discarded).
        UnsupportedType: the first chunk is not a JPEG, PNG, WebP or PDF.
        BlobTooLarge: ``length`` is over the limit.
        BadChunk: an empty chunk, or one that ends past ``length``.
    """
    check_upload(length=length, max_bytes=max_bytes)
    if len(data) > CHUNK_MAX_BYTES:
        raise BlobTooLarge("content")
    upload = _Upload(sha256=sha256, offset=offset, length=length, data=data, uploader=principal.id)
    try:
        async with db.write() as session, session.begin():
            await _append(session, store, upload)
    except BaseException:
        if upload.published:  # the commit failed: the blob is not complete after all
            with anyio.CancelScope(shield=True):
                await store.unpublish(sha256)
        raise
    if upload.failure is not None:
        raise upload.failure
    return upload.received


@dataclass(slots=True)
class _Upload:
    sha256: str
    offset: int
    length: int
    data: bytes
    uploader: uuid.UUID
    received: int = 0
    published: bool = False
    # Raised once the transaction has committed what it must keep (a discard, a reset).
    failure: DomainError | None = None


async def _append(session: AsyncSession, store: BlobStore, upload: _Upload) -> None:
    sha256, offset, length, data = upload.sha256, upload.offset, upload.length, upload.data
    current = await _state(session, sha256)
    if current is not None and current.complete:
        if current.length != length:
            raise LengthMismatch(offset=current.received, length=current.length)
        upload.received = current.length  # stored once: uploading the same bytes again changes nothing
        return
    if not data:
        raise BadChunk("content", detail="empty chunk")
    if offset + len(data) > length:
        raise BadChunk("content", detail="the chunk ends past Upload-Length")
    mime = _first_chunk_type(data) if offset == 0 else None
    if current is None:
        if mime is None:
            raise OffsetMismatch(0)
        await _insert_if_absent(session, sha256, length=length, mime=mime, uploaded_by=upload.uploader)
    elif current.length != length:
        raise LengthMismatch(offset=current.received, length=current.length)

    if not await _advance(session, sha256, offset=offset, length=length, size=len(data), mime=mime):
        latest = await _state(session, sha256)
        raise OffsetMismatch(latest.received if latest else 0)
    # This transaction now holds the row: the files of this blob are ours until it ends.
    try:
        await store.write_chunk(sha256, offset, data)
    except PartialLost:
        await session.execute(update(Blob).where(col(Blob.sha256) == sha256).values(received=0))
        await store.discard_partial(sha256)
        upload.failure = OffsetMismatch(0)
        return
    upload.received = offset + len(data)
    if upload.received < length:
        return
    if await store.partial_digest(sha256) != sha256:
        await session.execute(delete(Blob).where(col(Blob.sha256) == sha256))
        await store.discard_partial(sha256)
        upload.failure = HashMismatch("content")
        return
    await session.execute(update(Blob).where(col(Blob.sha256) == sha256).values(completed_at=utcnow()))
    await store.publish(sha256)
    upload.published = True


async def readable_blob(db: Database, store: BlobStore, principal: Principal, sha256: str) -> BlobInfo:
    """A complete blob that ``principal`` may read: they uploaded it, or a visit in their scope uses it
    (as an attachment or as its signature). Anything else is not found, so existence does not leak."""
    async with db.read() as session:
        row = (await session.execute(_readable(principal, sha256))).first()
    if row is None:
        raise NotFound("sha256")
    if not await store.has(sha256):
        log.error("blob %s is complete in the database but missing from the store", sha256)
        raise NotFound("sha256")
    return BlobInfo(sha256=sha256, mime=row[0], length=row[1])


def _readable(principal: Principal, sha256: str) -> Select[str, int]:
    in_scope = agency_scope_clause(principal.scope)
    as_attachment = (
        select(col(Attachment.id))
        .join(Visit, col(Visit.id) == col(Attachment.visit_id))
        .join(Agency, col(Agency.id) == col(Visit.agency_id))
        .where(col(Attachment.sha256) == sha256, col(Attachment.deleted).is_(False), in_scope)
        .exists()
    )
    as_signature = (
        select(col(Visit.id))
        .join(Agency, col(Agency.id) == col(Visit.agency_id))
        .where(col(Visit.signature_sha256) == sha256, in_scope)
        .exists()
    )
    return select(col(Blob.mime), col(Blob.length)).where(
        col(Blob.sha256) == sha256,
        col(Blob.completed_at).is_not(None),
        or_(col(Blob.uploaded_by) == principal.id, as_attachment, as_signature),
    )


def _first_chunk_type(data: bytes) -> str:
    mime = sniff(data[:SNIFF_BYTES])
    if mime is None:
        raise UnsupportedType("content")
    return mime


async def _state(session: AsyncSession, sha256: str) -> UploadState | None:
    query = select(col(Blob.received), col(Blob.length)).where(col(Blob.sha256) == sha256)
    row = (await session.execute(query)).first()
    return None if row is None else UploadState(received=row[0], length=row[1])


async def _insert_if_absent(
    session: AsyncSession, sha256: str, *, length: int, mime: str, uploaded_by: uuid.UUID
) -> None:
    """Create the row at offset 0; a concurrent creator wins quietly and the UPDATE decides."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    values = {
        "sha256": sha256,
        "length": length,
        "received": 0,
        "mime": mime,
        "uploaded_by": uploaded_by,
        "created_at": utcnow(),  # a Core INSERT does not run the model's default factories
    }
    await session.execute(
        insert(Blob).values(values).on_conflict_do_nothing(index_elements=[col(Blob.sha256)])
    )


async def _advance(
    session: AsyncSession, sha256: str, *, offset: int, length: int, size: int, mime: str | None
) -> bool:
    """The optimistic step: move ``received`` from ``offset`` to ``offset + size``, or report a loss."""
    values: dict[str, object] = {"received": offset + size}
    if mime is not None:
        values["mime"] = mime
    statement = (
        update(Blob)
        .where(
            col(Blob.sha256) == sha256,
            col(Blob.received) == offset,
            col(Blob.length) == length,
            col(Blob.completed_at).is_(None),
        )
        .values(values)
        .returning(col(Blob.received))
    )
    return (await session.execute(statement)).first() is not None
