"""Where the bytes of blobs live: a small protocol, and its local-disk implementation.

Layout under the blob directory: a complete blob at ``ab/cd/<sha256>`` (two levels of fan-out keep
directories small), a partial one at ``<sha256>.part``. Every write is fsynced (the file, and the
directory when an entry appears or moves) before it returns, so that the database never acknowledges
bytes that a power cut could take back. File I/O runs in worker threads, never in the event loop.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Final, Protocol, runtime_checkable

import anyio
import anyio.to_thread

_SHA256: Final = re.compile(r"[0-9a-f]{64}")
_HASH_BLOCK: Final = 1024 * 1024


class PartialLost(Exception):
    """The partial blob holds fewer bytes than the database says were received (lost from disk)."""


@runtime_checkable  # Litestar checks the type of what a dependency provides
class BlobStore(Protocol):
    """Storage of blob bytes. The database decides who writes what and when; a store only keeps bytes.

    The service calls the writing methods while it holds the blob's database row, so a store needs no
    locking of its own. An S3-compatible store would keep partials as a staging object (or the parts
    of a multipart upload) and publish by completing or copying it to ``ab/cd/<sha256>``.
    """

    async def write_chunk(self, sha256: str, offset: int, data: bytes) -> None:
        """Write ``data`` at ``offset`` of the partial blob, dropping anything it held past ``offset``
        (left by a write whose transaction failed). Durable when it returns.

        Raises:
            PartialLost: the partial holds fewer than ``offset`` bytes; nothing was written.
        """
        ...

    async def partial_digest(self, sha256: str) -> str:
        """The SHA-256 (lowercase hex) of the partial blob's bytes."""
        ...

    async def publish(self, sha256: str) -> None:
        """Make the partial blob the complete one, durably."""
        ...

    async def unpublish(self, sha256: str) -> None:
        """Undo ``publish`` when the transaction that recorded it failed."""
        ...

    async def discard_partial(self, sha256: str) -> None:
        """Delete the partial blob, if any."""
        ...

    async def has(self, sha256: str) -> bool:
        """True when the complete blob is stored."""
        ...

    def read(self, sha256: str) -> AsyncIterator[bytes]:
        """The bytes of the complete blob, in pieces."""
        ...


class LocalBlobStore:
    """Blobs as files under ``root``."""

    def __init__(self, root: Path, *, read_size: int = 256 * 1024) -> None:
        self.root = root
        self.read_size = read_size

    def complete_path(self, sha256: str) -> Path:
        _check(sha256)
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def partial_path(self, sha256: str) -> Path:
        _check(sha256)
        return self.root / f"{sha256}.part"

    async def write_chunk(self, sha256: str, offset: int, data: bytes) -> None:
        await anyio.to_thread.run_sync(_write_at, self.partial_path(sha256), offset, data)

    async def partial_digest(self, sha256: str) -> str:
        return await anyio.to_thread.run_sync(_digest, self.partial_path(sha256))

    async def publish(self, sha256: str) -> None:
        await anyio.to_thread.run_sync(_move, self.partial_path(sha256), self.complete_path(sha256))

    async def unpublish(self, sha256: str) -> None:
        await anyio.to_thread.run_sync(_move, self.complete_path(sha256), self.partial_path(sha256))

    async def discard_partial(self, sha256: str) -> None:
        await anyio.to_thread.run_sync(_unlink, self.partial_path(sha256))

    async def has(self, sha256: str) -> bool:
        return await anyio.Path(self.complete_path(sha256)).is_file()

    async def read(self, sha256: str) -> AsyncIterator[bytes]:
        async with await anyio.open_file(self.complete_path(sha256), "rb") as handle:
            while piece := await handle.read(self.read_size):
                yield piece


def _check(sha256: str) -> None:
    # The routes validate the digest already; this keeps any other caller from escaping the root.
    if not _SHA256.fullmatch(sha256):
        raise ValueError(f"not a SHA-256 digest: {sha256!r}")


def _write_at(path: Path, offset: int, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o600)
    try:
        if os.fstat(fd).st_size < offset:
            raise PartialLost(str(path))
        os.ftruncate(fd, offset)
        view = memoryview(data)
        written = 0
        while written < len(view):
            written += os.pwrite(fd, view[written:], offset + written)
        os.fsync(fd)
    finally:
        os.close(fd)
    if offset == 0:  # the file may be new: make its directory entry durable too
        _fsync_dir(path.parent)


def _digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(_HASH_BLOCK):
            digest.update(block)
    return digest.hexdigest()


def _move(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(source, target)
    _fsync_dir(target.parent)
    if source.parent != target.parent:
        _fsync_dir(source.parent)


def _unlink(path: Path) -> None:
    path.unlink(missing_ok=True)


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
