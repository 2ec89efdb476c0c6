"""An uploaded CSV file kept in the database in pieces, and read back as a stream of text.

A worker on another machine must read the file, so it goes to the database (not the web
machine's disk). One `Upload` row per piece of UPLOAD_PIECE_BYTES (4 MB): a 300 MB file in one
bytea value would be held whole in memory (several times over: the bytes, then escaped into the
query) by the web process when it is stored and by the worker when it is read; in pieces, each
side holds one piece at a time. The
job's params list the pieces in order (`upload_ids`); each piece row carries the file's name.
"""

from __future__ import annotations

import codecs
import io
from collections.abc import Iterable, Iterator

from django.conf import settings
from django.db import reset_queries

from catalog.models import Shop, Upload

UPLOAD_PIECE_BYTES = 4 * 1024 * 1024
READ_BLOCK_CHARS = 1024 * 1024


def store_upload(shop: Shop, filename: str, chunks: Iterable[bytes]) -> list[int]:
    """Store the file's bytes as pieces; returns the pieces' ids in order (call in a
    transaction, so that a failed upload leaves no pieces behind)."""
    ids: list[int] = []
    buffer = bytearray()

    def save(piece: bytes) -> None:
        upload = Upload.objects.create(shop=shop, filename=filename, content=piece, size=len(piece))
        ids.append(upload.pk)
        forget_debug_queries()

    for chunk in chunks:
        buffer += chunk
        while len(buffer) >= UPLOAD_PIECE_BYTES:
            save(bytes(buffer[:UPLOAD_PIECE_BYTES]))
            del buffer[:UPLOAD_PIECE_BYTES]
    if buffer or not ids:
        save(bytes(buffer))
    return ids


def forget_debug_queries() -> None:
    """With DEBUG on, Django keeps every query's text in memory (a 4 MB piece, escaped; a
    batch's customer ids): forget them, as the start of each request does. Only under DEBUG:
    queries captured on purpose (a test's query count) are left alone."""
    if settings.DEBUG:
        reset_queries()


def upload_pieces(shop: Shop, ids: list[int]) -> Iterator[bytes] | None:
    """The stored pieces' bytes in order, one piece in memory at a time; None if one is gone."""
    found = set(Upload.objects.filter(shop=shop, pk__in=ids).values_list("pk", flat=True))
    if found != set(ids):
        return None

    def pieces() -> Iterator[bytes]:
        for pk in ids:
            content = Upload.objects.filter(pk=pk).values_list("content", flat=True).first()
            if content is None:  # deleted meanwhile (the job was retried and finished elsewhere)
                raise FileNotFoundError("A piece of the uploaded file is gone.")
            yield bytes(content)

    return pieces()


def delete_upload(shop: Shop, ids: list[int]) -> None:
    Upload.objects.filter(shop=shop, pk__in=ids).delete()


class PiecesReader(io.RawIOBase):
    """A readable binary stream over an iterator of byte pieces (for io.TextIOWrapper)."""

    def __init__(self, pieces: Iterable[bytes]):
        self._pieces = iter(pieces)
        self._current = memoryview(b"")
        self.bytes_read = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while not self._current:
            piece = next(self._pieces, None)
            if piece is None:
                return 0
            self._current = memoryview(piece)
        size = min(len(buffer), len(self._current))
        buffer[:size] = self._current[:size]
        self._current = self._current[size:]
        self.bytes_read += size
        return size


def text_stream(pieces: Iterable[bytes]) -> tuple[io.TextIOWrapper, PiecesReader]:
    """UTF-8 text (a byte-order mark is skipped) read line by line with universal newlines
    off, as the csv module wants; the raw reader says how many bytes were consumed."""
    raw = PiecesReader(pieces)
    text = io.TextIOWrapper(
        io.BufferedReader(raw, buffer_size=1024 * 1024), encoding="utf-8-sig", newline=""
    )
    return text, raw


def bad_byte_line(pieces: Iterable[bytes]) -> tuple[int, int] | None:
    """(line, byte) of the first byte that is not UTF-8, or None: a second pass over the file,
    made only when decoding failed, so that the message can name the line."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    lines_before = 0
    for piece in pieces:
        try:
            decoder.decode(piece)
        except UnicodeDecodeError as exc:
            # The decoder may hold up to 3 bytes of an unfinished character from the piece
            # before; the error's position is within what it was given this time.
            held = len(exc.object) - len(piece)
            start = max(0, exc.start - held)
            return lines_before + piece.count(b"\n", 0, start) + 1, piece[start]
        lines_before += piece.count(b"\n")
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return lines_before + 1, 0
    return None
