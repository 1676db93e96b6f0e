"""``/api/blobs/{sha256}``: resumable uploads (HEAD, PATCH) and reads (GET) of attachment blobs.

The upload protocol follows tus 1.0 in spirit (``Upload-Offset``, ``Upload-Length``, 409 on a wrong
offset) but the blob is named by its SHA-256 instead of a URL handed out by a creation request, so a
device can resume after a restart and two devices with the same photo share one upload.
"""

from __future__ import annotations

from typing import Annotated, Any, TypeAlias

from litestar import Response, Router, get, head, patch
from litestar.di import NamedDependency, Provide
from litestar.params import HeaderParameter, PathParameter
from litestar.response import Stream

from backend.authz.guards import principal_of, requires, signed_in
from backend.blobs import service
from backend.blobs.service import CHUNK_MAX_BYTES, HashMismatch, UploadConflict
from backend.blobs.store import BlobStore, LocalBlobStore
from backend.blobs.wire import IMMUTABLE, UPLOAD_LENGTH, UPLOAD_OFFSET, byte_count, etag_matches
from backend.http.params import DB, AppSettings, Req
from backend.http.problems import domain_error_handler
from backend.settings import Settings

Sha256: TypeAlias = Annotated[
    str, PathParameter(pattern=r"^[0-9a-f]{64}$", description="SHA-256 of the blob, lowercase hex")
]
# Parsed by ``wire.byte_count`` so that a problem names the header as the client sent it.
UploadOffset: TypeAlias = Annotated[
    str | None, HeaderParameter(name="upload-offset", required=False, description="Where the chunk goes")
]
UploadLength: TypeAlias = Annotated[
    str | None, HeaderParameter(name="upload-length", required=False, description="Size of the whole blob")
]
Store: TypeAlias = NamedDependency[BlobStore]

_write = [requires("visits.write")]


@head("/{sha256:str}", guards=_write, summary="How many bytes of a blob the server holds")
async def blob_offset(db: DB, sha256: Sha256) -> Response[None]:
    state = await service.upload_state(db, sha256)
    headers = {
        UPLOAD_OFFSET: str(state.received),
        UPLOAD_LENGTH: str(state.length),
        "Cache-Control": "no-store",
    }
    return Response(None, status_code=200, headers=headers)


@patch(
    "/{sha256:str}",
    guards=_write,
    status_code=204,
    request_max_body_size=CHUNK_MAX_BYTES,
    summary="Append a chunk (raw bytes) at Upload-Offset",
)
async def append_chunk(
    request: Req,
    db: DB,
    settings: AppSettings,
    blob_store: Store,
    sha256: Sha256,
    upload_offset: UploadOffset,
    upload_length: UploadLength,
) -> Response[None]:
    offset = byte_count(UPLOAD_OFFSET, upload_offset, minimum=0)
    length = byte_count(UPLOAD_LENGTH, upload_length, minimum=1)
    service.check_upload(length=length, max_bytes=settings.blob_max_bytes)
    data = await request.body()  # at most CHUNK_MAX_BYTES: Litestar answers 413 past it
    received = await service.append_chunk(
        db,
        blob_store,
        principal_of(request),
        sha256=sha256,
        offset=offset,
        length=length,
        data=data,
        max_bytes=settings.blob_max_bytes,
    )
    return Response(None, status_code=204, headers={UPLOAD_OFFSET: str(received)})


@get("/{sha256:str}", guards=[signed_in], summary="A complete blob, to those who may see it")
async def read_blob(request: Req, db: DB, blob_store: Store, sha256: Sha256) -> Response[Any]:
    blob = await service.readable_blob(db, blob_store, principal_of(request), sha256)
    headers = {"ETag": f'"{sha256}"', "Cache-Control": IMMUTABLE, "X-Content-Type-Options": "nosniff"}
    if etag_matches(request.headers.get("if-none-match"), sha256):
        return Response(None, status_code=304, headers=headers)
    headers["Content-Length"] = str(blob.length)
    return Stream(blob_store.read(sha256), media_type=blob.mime, headers=headers)


def upload_conflict_handler(request: Req, exc: UploadConflict | HashMismatch) -> Response[bytes]:
    """The usual problem, plus where the server stands, so the client resumes without a HEAD."""
    response = domain_error_handler(request, exc)
    response.headers[UPLOAD_OFFSET] = str(exc.offset)
    return response


def provide_blob_store(settings: AppSettings) -> BlobStore:
    return blob_store_for(settings)


def blob_store_for(settings: Settings) -> BlobStore:
    # Local disk today; an S3-compatible store is chosen here once it exists.
    return LocalBlobStore(settings.blob_dir)


blobs_router = Router(
    path="/api/blobs",
    route_handlers=[blob_offset, append_chunk, read_blob],
    dependencies={"blob_store": Provide(provide_blob_store, sync_to_thread=False)},
    exception_handlers={UploadConflict: upload_conflict_handler, HashMismatch: upload_conflict_handler},
    tags=["blobs"],
)
