"""Attachment blobs: resumable uploads by content address, checked, stored once, read only in scope."""

from __future__ import annotations

import asyncio
import hashlib
import os
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from httpx import AsyncClient, Response
from sqlalchemy import func, select
from sqlmodel import col

from backend.db.engine import Database
from backend.db.tables import Attachment, Blob, TemplateVersion, Visit
from backend.demo.seed import agency_uuid
from backend.settings import Settings
from tests.support.clients import sign_in, with_csrf

JPEG_HEADER = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00"
MiB = 1024 * 1024


def photo(size: int, seed: int = 1) -> bytes:
    """A JPEG-looking payload: real magic bytes, then noise."""
    body = hashlib.shake_256(f"photo-{seed}".encode()).digest(size - len(JPEG_HEADER))
    return JPEG_HEADER + body


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


async def patch(client: AsyncClient, sha: str, chunk: bytes, *, offset: int, length: int) -> Response:
    return await client.patch(
        f"/api/blobs/{sha}",
        content=chunk,
        headers={
            "Upload-Offset": str(offset),
            "Upload-Length": str(length),
            "Content-Type": "application/offset+octet-stream",
        },
    )


async def upload(
    client: AsyncClient, data: bytes, *, chunk: int = 64 * 1024, sha: str | None = None
) -> Response:
    """Send ``data`` from offset 0 in chunks; the last answer."""
    sha = sha or digest(data)
    response: Response | None = None
    for start in range(0, len(data), chunk):
        response = await patch(client, sha, data[start : start + chunk], offset=start, length=len(data))
        if response.status_code != 204:
            return response
    assert response is not None
    return response


def files_under(directory: Path) -> list[Path]:
    return sorted(path for path in directory.rglob("*") if path.is_file()) if directory.exists() else []


async def blob_rows(db: Database, sha: str) -> int:
    async with db.read() as session:
        query = select(func.count()).select_from(Blob).where(col(Blob.sha256) == sha)
        return int((await session.execute(query)).scalar_one())


async def add_visit(
    db: Database,
    *,
    agency_code: str,
    created_by: str,
    photo_sha: str | None = None,
    signature: str | None = None,
) -> uuid.UUID:
    """A visit of the agency, with an attachment (and a signature) pointing at blobs."""
    async with db.write() as session, session.begin():
        version_id = (await session.execute(select(col(TemplateVersion.id)))).scalars().first()
        assert version_id is not None
        visit = Visit(
            id=uuid.uuid4(),
            agency_id=agency_uuid(agency_code),
            template_version_id=version_id,
            created_by=uuid.UUID(created_by),
            signature_sha256=signature,
        )
        session.add(visit)
        await session.flush()
        if photo_sha is not None:
            session.add(
                Attachment(id=uuid.uuid4(), visit_id=visit.id, sha256=photo_sha, size=1, mime="image/jpeg")
            )
    return visit.id


async def test_an_interrupted_upload_resumes_where_head_says(client: AsyncClient, settings: Settings) -> None:
    await sign_in(client, "inspector")
    data = photo(300_000)
    sha = digest(data)
    chunks = [data[:100_000], data[100_000:200_000], data[200_000:]]

    assert (await client.head(f"/api/blobs/{sha}")).status_code == 404
    first = await patch(client, sha, chunks[0], offset=0, length=len(data))
    assert first.status_code == 204, first.text
    assert first.headers["Upload-Offset"] == "100000"
    # The connection drops here; later the device asks where to resume.
    status = await client.head(f"/api/blobs/{sha}")
    assert status.status_code == 200
    assert status.headers["Upload-Offset"] == "100000"
    assert status.headers["Upload-Length"] == str(len(data))
    assert status.headers["Cache-Control"] == "no-store"

    offset = int(status.headers["Upload-Offset"])
    for chunk in chunks[1:]:
        response = await patch(client, sha, chunk, offset=offset, length=len(data))
        assert response.status_code == 204, response.text
        offset = int(response.headers["Upload-Offset"])
    assert offset == len(data)
    done = await client.head(f"/api/blobs/{sha}")
    assert done.headers["Upload-Offset"] == done.headers["Upload-Length"] == str(len(data))

    stored = settings.blob_dir / sha[:2] / sha[2:4] / sha
    assert files_under(settings.blob_dir) == [stored]
    assert stored.read_bytes() == data

    read = await client.get(f"/api/blobs/{sha}")
    assert read.status_code == 200
    assert read.content == data
    assert read.headers["Content-Type"] == "image/jpeg"
    assert read.headers["Content-Length"] == str(len(data))
    assert read.headers["Cache-Control"] == "private, max-age=31536000, immutable"
    assert read.headers["ETag"] == f'"{sha}"'
    again = await client.get(f"/api/blobs/{sha}", headers={"If-None-Match": f'W/"other", "{sha}"'})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["ETag"] == f'"{sha}"'


async def test_a_wrong_offset_is_refused_with_the_server_offset(client: AsyncClient) -> None:
    await sign_in(client, "inspector")
    data = photo(30_000)
    sha = digest(data)

    unknown = await patch(client, sha, data[10_000:20_000], offset=10_000, length=len(data))
    assert unknown.status_code == 409
    assert unknown.headers["Upload-Offset"] == "0"
    assert unknown.json()["code"] == "offset_mismatch"

    assert (await patch(client, sha, data[:10_000], offset=0, length=len(data))).status_code == 204
    for wrong in (0, 5_000, 20_000):
        response = await patch(client, sha, data[wrong : wrong + 5_000], offset=wrong, length=len(data))
        assert response.status_code == 409, response.text
        assert response.headers["Upload-Offset"] == "10000"
        problem = response.json()
        assert problem["code"] == "offset_mismatch"
        assert problem["field"] == "Upload-Offset"
        assert "10000" in problem["message"]
    status = await client.head(f"/api/blobs/{sha}")
    assert status.headers["Upload-Offset"] == "10000"

    other_length = await patch(client, sha, data[10_000:], offset=10_000, length=len(data) + 1)
    assert other_length.status_code == 409
    assert other_length.json()["code"] == "length_mismatch"
    assert other_length.headers["Upload-Offset"] == "10000"

    past_the_end = await patch(client, sha, data[10_000:] + b"x", offset=10_000, length=len(data))
    assert past_the_end.status_code == 400
    assert past_the_end.json()["field"] == "content"


async def test_bytes_that_do_not_match_their_hash_are_discarded(
    client: AsyncClient, settings: Settings, db: Database
) -> None:
    await sign_in(client, "inspector")
    data = photo(50_000)
    claimed = digest(photo(50_000, seed=2))

    response = await upload(client, data, chunk=20_000, sha=claimed)
    assert response.status_code == 422
    problem = response.json()
    assert problem["code"] == "hash_mismatch"
    assert problem["field"] == "content"
    assert response.headers["Upload-Offset"] == "0"
    assert (await client.head(f"/api/blobs/{claimed}")).status_code == 404
    assert await blob_rows(db, claimed) == 0
    assert files_under(settings.blob_dir) == []

    # The device starts again with the right bytes for that name, and it works.
    right = photo(50_000, seed=2)
    assert (await upload(client, right, chunk=20_000)).status_code == 204
    assert (await client.head(f"/api/blobs/{claimed}")).headers["Upload-Offset"] == "50000"


async def test_the_same_bytes_are_stored_once(
    make_client: Callable[[], AsyncClient], settings: Settings, db: Database
) -> None:
    data = photo(120_000)
    sha = digest(data)
    async with make_client() as first, make_client() as second:
        author = await sign_in(first, "inspector")
        colleague = await sign_in(second, "inspector2")
        assert (await upload(first, data, chunk=50_000)).status_code == 204

        status = await second.head(f"/api/blobs/{sha}")
        assert status.headers["Upload-Offset"] == status.headers["Upload-Length"] == "120000"
        # A device that missed the HEAD, or retries its last chunk, is told the blob is whole.
        for offset in (0, 100_000):
            again = await patch(second, sha, data[offset : offset + 20_000], offset=offset, length=len(data))
            assert again.status_code == 204
            assert again.headers["Upload-Offset"] == "120000"
        await add_visit(db, agency_code="CNAS-16", created_by=author["id"], photo_sha=sha)
        await add_visit(db, agency_code="CNR-16", created_by=colleague["id"], photo_sha=sha)

    assert await blob_rows(db, sha) == 1
    assert len(files_under(settings.blob_dir)) == 1


async def test_reading_is_limited_to_the_uploader_and_to_visits_in_scope(
    make_client: Callable[[], AsyncClient], db: Database
) -> None:
    data = photo(40_000)
    sha = digest(data)
    signature = b"\x89PNG\r\n\x1a\n" + b"signature-strokes" * 100
    signature_sha = digest(signature)
    async with (
        make_client() as author,
        make_client() as oran,
        make_client() as central,
        make_client() as director_cnas,
    ):
        user = await sign_in(author, "inspector")
        oran_user = await sign_in(oran, "inspector.oran")
        await sign_in(central, "central")
        await sign_in(director_cnas, "director.cnas")
        assert (await upload(author, data)).status_code == 204
        assert (await upload(oran, signature)).status_code == 204

        assert (await author.get(f"/api/blobs/{sha}")).content == data
        # Nobody else sees it until a visit uses it, and then only within their scope.
        for reader in (oran, central, director_cnas):
            hidden = await reader.get(f"/api/blobs/{sha}")
            assert hidden.status_code == 404
            assert hidden.json()["code"] == "not_found"

        await add_visit(db, agency_code="CNAS-16", created_by=user["id"], photo_sha=sha)
        assert (await central.get(f"/api/blobs/{sha}")).content == data
        assert (await director_cnas.get(f"/api/blobs/{sha}")).content == data
        assert (await oran.get(f"/api/blobs/{sha}")).status_code == 404

        # A signature of a visit in Oran: its own inspector and the national reviewer, not Algiers.
        assert (await author.get(f"/api/blobs/{signature_sha}")).status_code == 404
        await add_visit(db, agency_code="CNR-31", created_by=oran_user["id"], signature=signature_sha)
        signed = await central.get(f"/api/blobs/{signature_sha}")
        assert signed.status_code == 200
        assert signed.headers["Content-Type"] == "image/png"
        assert (await author.get(f"/api/blobs/{signature_sha}")).status_code == 404
        assert (await director_cnas.get(f"/api/blobs/{signature_sha}")).status_code == 404

        # A 304 is an answer too: it is given only to those who may read.
        conditional = await oran.get(f"/api/blobs/{sha}", headers={"If-None-Match": f'"{sha}"'})
        assert conditional.status_code == 404


async def test_a_tail_left_by_a_failed_write_is_dropped(client: AsyncClient, settings: Settings) -> None:
    """A chunk written to disk whose commit then failed leaves bytes past the acknowledged offset."""
    await sign_in(client, "inspector")
    data = photo(30_000)
    sha = digest(data)
    assert (await patch(client, sha, data[:10_000], offset=0, length=len(data))).status_code == 204
    with (settings.blob_dir / f"{sha}.part").open("ab") as part:
        part.write(b"bytes of a transaction that rolled back")
    assert (await patch(client, sha, data[10_000:], offset=10_000, length=len(data))).status_code == 204
    assert (await client.get(f"/api/blobs/{sha}")).content == data


async def test_a_partial_lost_from_disk_restarts_at_zero(client: AsyncClient, settings: Settings) -> None:
    await sign_in(client, "inspector")
    data = photo(30_000)
    sha = digest(data)
    assert (await patch(client, sha, data[:10_000], offset=0, length=len(data))).status_code == 204
    (settings.blob_dir / f"{sha}.part").unlink()
    lost = await patch(client, sha, data[10_000:20_000], offset=10_000, length=len(data))
    assert lost.status_code == 409
    assert lost.headers["Upload-Offset"] == "0"
    assert (await client.head(f"/api/blobs/{sha}")).headers["Upload-Offset"] == "0"
    assert (await upload(client, data, chunk=10_000)).status_code == 204
    assert (await client.get(f"/api/blobs/{sha}")).content == data


async def test_an_incomplete_blob_is_not_served(client: AsyncClient) -> None:
    await sign_in(client, "inspector")
    data = photo(20_000)
    sha = digest(data)
    assert (await patch(client, sha, data[:10_000], offset=0, length=len(data))).status_code == 204
    assert (await client.get(f"/api/blobs/{sha}")).status_code == 404


@pytest.mark.parametrize(
    "payload",
    [
        b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200,  # a Windows executable
        b"<!DOCTYPE html><html><script>alert(1)</script></html>",
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
        b"RIFF\x10\x00\x00\x00WAVEfmt ",  # RIFF, but not WebP
    ],
    ids=["exe", "html", "svg", "wav"],
)
async def test_only_photos_and_pdfs_are_accepted(
    client: AsyncClient, settings: Settings, payload: bytes
) -> None:
    await sign_in(client, "inspector")
    sha = digest(payload)
    response = await upload(client, payload)
    assert response.status_code == 415
    problem = response.json()
    assert problem["code"] == "unsupported_type"
    assert problem["field"] == "content"
    assert (await client.head(f"/api/blobs/{sha}")).status_code == 404
    assert files_under(settings.blob_dir) == []


@pytest.mark.parametrize(
    ("data", "mime"),
    [
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "image/png"),
        (b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 64, "image/webp"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + b"1 0 obj\n" * 8, "application/pdf"),
    ],
    ids=["png", "webp", "pdf"],
)
async def test_the_type_served_is_the_one_sniffed(client: AsyncClient, data: bytes, mime: str) -> None:
    await sign_in(client, "inspector")
    assert (await upload(client, data)).status_code == 204
    read = await client.get(f"/api/blobs/{digest(data)}")
    assert read.headers["Content-Type"].split(";")[0] == mime
    assert read.headers["X-Content-Type-Options"] == "nosniff"


async def test_size_limits(client: AsyncClient, settings: Settings) -> None:
    await sign_in(client, "inspector")
    too_long = await patch(client, "a" * 64, JPEG_HEADER, offset=0, length=settings.blob_max_bytes + 1)
    assert too_long.status_code == 413
    assert too_long.json()["code"] == "too_large"

    data = photo(4 * MiB + 1)
    sha = digest(data)
    too_big_a_chunk = await patch(client, sha, data, offset=0, length=len(data))
    assert too_big_a_chunk.status_code == 413
    assert too_big_a_chunk.json()["code"] == "too_large"
    assert (await client.head(f"/api/blobs/{sha}")).status_code == 404

    # A chunk of exactly 4 MiB passes.
    assert (await upload(client, data, chunk=4 * MiB)).status_code == 204
    assert (await client.head(f"/api/blobs/{sha}")).headers["Upload-Offset"] == str(len(data))


@pytest.mark.parametrize("name", ["A" * 64, "a" * 63, "a" * 65, "g" * 64, "a" * 59 + ".part"])
async def test_the_name_must_be_a_sha256(client: AsyncClient, name: str) -> None:
    await sign_in(client, "inspector")
    for response in (
        await client.get(f"/api/blobs/{name}"),
        await patch(client, name, JPEG_HEADER, offset=0, length=len(JPEG_HEADER)),
    ):
        assert response.status_code == 400, response.text
        assert response.json()["code"] == "invalid"
        assert response.json()["field"] == "sha256"


@pytest.mark.parametrize(
    ("headers", "code", "field"),
    [
        ({"Upload-Length": "11"}, "required", "Upload-Offset"),
        ({"Upload-Offset": "0"}, "required", "Upload-Length"),
        ({"Upload-Offset": "-1", "Upload-Length": "11"}, "invalid", "Upload-Offset"),
        ({"Upload-Offset": "0x10", "Upload-Length": "11"}, "invalid", "Upload-Offset"),
        ({"Upload-Offset": "0", "Upload-Length": "0"}, "invalid", "Upload-Length"),
        ({"Upload-Offset": "0", "Upload-Length": "9" * 40}, "invalid", "Upload-Length"),
    ],
)
async def test_upload_headers_are_checked(
    client: AsyncClient, headers: dict[str, str], code: str, field: str
) -> None:
    await sign_in(client, "inspector")
    response = await client.patch(f"/api/blobs/{'a' * 64}?lang=en", content=JPEG_HEADER, headers=headers)
    assert response.status_code == 400, response.text
    problem = response.json()
    assert (problem["code"], problem["field"]) == (code, field)
    assert field in problem["message"]


async def test_writes_need_csrf_a_session_and_the_right_role(make_client: Callable[[], AsyncClient]) -> None:
    data = photo(1_000)
    sha = digest(data)
    async with make_client() as anonymous, make_client() as no_csrf, make_client() as director:
        await with_csrf(anonymous)
        assert (await patch(anonymous, sha, data, offset=0, length=len(data))).status_code == 401
        assert (await anonymous.head(f"/api/blobs/{sha}")).status_code == 401
        assert (await anonymous.get(f"/api/blobs/{sha}")).status_code == 401

        await sign_in(no_csrf, "inspector")
        del no_csrf.headers["x-csrftoken"]
        refused = await patch(no_csrf, sha, data, offset=0, length=len(data))
        assert refused.status_code == 403
        assert refused.json()["code"] == "csrf_failed"

        await sign_in(director, "director")  # reviews, never uploads
        assert (await patch(director, sha, data, offset=0, length=len(data))).status_code == 403
        assert (await no_csrf.head(f"/api/blobs/{sha}")).status_code == 404


async def test_concurrent_chunks_at_one_offset_never_interleave(
    make_client: Callable[[], AsyncClient], settings: Settings
) -> None:
    """Two devices race at offset 0 with different bytes: one wins whole, the other is told to resume."""
    data = photo(600_000)
    sha = digest(data)
    forged = JPEG_HEADER + os.urandom(300_000 - len(JPEG_HEADER))
    async with make_client() as one, make_client() as two:
        await sign_in(one, "inspector")
        await sign_in(two, "inspector2")
        answers = await asyncio.gather(
            patch(one, sha, data[:300_000], offset=0, length=len(data)),
            patch(two, sha, forged, offset=0, length=len(data)),
        )
        assert sorted(answer.status_code for answer in answers) == [204, 409], [a.text for a in answers]
        assert all(answer.headers["Upload-Offset"] == "300000" for answer in answers)
        winner = data[:300_000] if answers[0].status_code == 204 else forged
        assert (settings.blob_dir / f"{sha}.part").read_bytes() == winner

        # The right bytes complete it; forged ones are caught by the hash and discarded.
        finish = await patch(one, sha, data[300_000:], offset=300_000, length=len(data))
        if winner is forged:
            assert finish.status_code == 422
            assert files_under(settings.blob_dir) == []
        else:
            assert finish.status_code == 204
            assert (await one.get(f"/api/blobs/{sha}")).content == data


async def test_concurrent_retries_of_the_last_chunk_complete_once(
    make_client: Callable[[], AsyncClient], settings: Settings, db: Database
) -> None:
    data = photo(200_000)
    sha = digest(data)
    async with make_client() as one, make_client() as two:
        await sign_in(one, "inspector")
        await sign_in(two, "inspector")
        assert (await patch(one, sha, data[:100_000], offset=0, length=len(data))).status_code == 204
        answers: list[Any] = await asyncio.gather(
            *(patch(c, sha, data[100_000:], offset=100_000, length=len(data)) for c in (one, two, one, two))
        )
        # The winner completes it; the others either lose the race (409) or find it whole (204).
        assert any(answer.status_code == 204 for answer in answers)
        for answer in answers:
            assert answer.status_code in (204, 409)
            assert answer.headers["Upload-Offset"] == "200000"
    assert await blob_rows(db, sha) == 1
    assert [path.read_bytes() for path in files_under(settings.blob_dir)] == [data]
