"""The ZIP inside a bundle: written deterministically, read strictly, all in memory.

The writer uses :mod:`zipfile` with fixed dates and attributes, so the same members
give the same bytes and no clock or machine detail leaks. The reader does not use
:mod:`zipfile`: it reads the few structures a bundle needs itself, from bytes
already in memory, so every size is checked against the caps before anything is
inflated, inflating stops the moment a member passes what its header declared
(a zip bomb), and no malformed archive can raise anything but the documented errors.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from saferyp_desktop.errors import (
    BundleMemberDuplicate,
    BundleMemberMissing,
    BundleMemberTooLarge,
    BundleMemberUnexpected,
    BundleMemberUnsafe,
    BundleZipBomb,
    BundleZipInvalid,
)

# No member ever needs a date: 1980-01-01 is the earliest a ZIP can say.
_FIXED_DATE = (1980, 1, 1, 0, 0, 0)
_UNIX = 3
_FILE_MODE = 0o100644

_EOCD = struct.Struct("<4sHHHHIIH")
_CENTRAL = struct.Struct("<4sHHHHHHIIIHHHHHII")
_LOCAL = struct.Struct("<4sHHHHHIIIHH")
_EOCD_SIG = b"PK\x05\x06"
_CENTRAL_SIG = b"PK\x01\x02"
_LOCAL_SIG = b"PK\x03\x04"
_STORED, _DEFLATED = 0, 8
_FLAG_ENCRYPTED = 0x0001
_FLAG_DATA_DESCRIPTOR = 0x0008
_FLAG_STRONG_ENCRYPTION = 0x0040
_FLAG_MASKED_HEADER = 0x2000
_ZIP64_MARK = 0xFFFFFFFF
# A reader parses at most this many entries, so it can say "duplicate" or "unexpected"
# rather than only "too many"; a valid bundle has three or four.
MAX_ENTRIES = 16


def pack(members: Iterable[tuple[str, bytes, bool]]) -> bytes:
    """A ZIP of ``(name, data, compress)`` in the order given, the same bytes every time."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data, compress in members:
            info = zipfile.ZipInfo(name, date_time=_FIXED_DATE)
            info.create_system = _UNIX
            info.external_attr = _FILE_MODE << 16
            info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
            archive.writestr(info, data, compresslevel=6 if compress else None)
    return buffer.getvalue()


@dataclass(frozen=True)
class Limits:
    """What a reader accepts: the names, which are required, and the size caps."""

    allowed: tuple[str, ...]
    required: frozenset[str]
    member_caps: Mapping[str, int]
    total_cap: int


@dataclass(frozen=True)
class _Entry:
    name: bytes
    flags: int
    method: int
    crc: int
    compressed_size: int
    size: int
    offset: int


def _invalid(detail: str) -> BundleZipInvalid:
    return BundleZipInvalid(
        f"The bundle's contents are not a well-formed SaferYP archive ({detail}); it was not opened."
    )


def _central_directory(data: bytes) -> tuple[list[_Entry], int]:
    if len(data) < _EOCD.size or not data.startswith((_LOCAL_SIG, _EOCD_SIG)):
        raise _invalid("it is not a ZIP archive")
    (sig, disk, cd_disk, count_here, count, cd_size, cd_offset, comment_len) = _EOCD.unpack_from(
        data, len(data) - _EOCD.size
    )
    if sig != _EOCD_SIG or comment_len != 0:
        raise _invalid("it is not a ZIP archive, or has data after its end")
    if disk or cd_disk or count_here != count:
        raise _invalid("it claims to span several disks")
    if count in (0xFFFF,) or cd_size == _ZIP64_MARK or cd_offset == _ZIP64_MARK:
        raise _invalid("it is a ZIP64 archive, which a bundle never is")
    if count == 0:
        raise BundleMemberMissing("The bundle is empty inside; ask the sender to send it again.")
    if not data.startswith(_LOCAL_SIG):
        raise _invalid("it is not a ZIP archive")
    if count > MAX_ENTRIES:
        raise BundleMemberUnexpected(
            f"The bundle holds {count} files, more than a SaferYP bundle ever has; it was not opened."
        )
    cd_end = len(data) - _EOCD.size
    if cd_offset + cd_size != cd_end:
        raise _invalid("its directory is not where its end record says")
    entries: list[_Entry] = []
    pos = cd_offset
    for _ in range(count):
        if pos + _CENTRAL.size > cd_end:
            raise _invalid("its directory is cut short")
        fields = _CENTRAL.unpack_from(data, pos)
        (sig, _made, _needed, flags, method, _time, _date, crc, csize, usize, name_len,
         extra_len, comment_len, disk_start, _internal, _external, offset) = fields  # fmt: skip
        if sig != _CENTRAL_SIG:
            raise _invalid("its directory is damaged")
        name_start = pos + _CENTRAL.size
        pos = name_start + name_len + extra_len + comment_len
        if pos > cd_end:
            raise _invalid("its directory is cut short")
        if disk_start != 0:
            raise _invalid("it claims to span several disks")
        entries.append(
            _Entry(bytes(data[name_start : name_start + name_len]), flags, method, crc, csize, usize, offset)
        )
    if pos != cd_end:
        raise _invalid("its directory has stray bytes")
    return entries, cd_offset


def _display_name(raw: bytes) -> str:
    return raw.decode("utf-8", errors="replace")


def _is_unsafe(name: str) -> bool:
    if not name or "\x00" in name or name.endswith(("/", "\\")):
        return True  # empty, or a directory entry
    if name.startswith(("/", "\\")) or (len(name) >= 2 and name[1] == ":"):
        return True  # absolute, or a drive letter
    parts = name.replace("\\", "/").split("/")
    return any(part in ("..", ".") for part in parts) or len(parts) > 1


def _check_names(entries: list[_Entry], limits: Limits) -> None:
    names = [_display_name(e.name) for e in entries]
    for name in names:
        if _is_unsafe(name):
            raise BundleMemberUnsafe()
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise BundleMemberDuplicate(
                "The bundle holds the same file twice (a trick to show one thing and open "
                "another); it was not opened."
            )
        seen.add(name)
    for name in names:
        if name not in limits.allowed:
            raise BundleMemberUnexpected()
    missing = sorted(limits.required - seen)
    if missing:
        raise BundleMemberMissing(
            f"The bundle is missing its {missing[0]}; ask the sender to send it again."
        )


def _check_entry(entry: _Entry) -> None:
    if entry.flags & (_FLAG_ENCRYPTED | _FLAG_STRONG_ENCRYPTION | _FLAG_MASKED_HEADER):
        raise _invalid("a file in it is password-protected")
    if entry.method not in (_STORED, _DEFLATED):
        raise _invalid("a file in it uses a compression method this program does not read")
    if _ZIP64_MARK in (entry.size, entry.compressed_size, entry.offset):
        raise _invalid("it is a ZIP64 archive, which a bundle never is")
    if entry.method == _STORED and entry.size != entry.compressed_size:
        raise _invalid("a stored file's sizes disagree")


def _check_sizes(entries: list[_Entry], limits: Limits) -> None:
    for entry in entries:
        name = _display_name(entry.name)
        cap = limits.member_caps[name]
        if entry.size > cap:
            raise BundleMemberTooLarge(
                f"The bundle's {name} would unpack to more than this program accepts for it; "
                "it was not opened."
            )
    if sum(entry.size for entry in entries) > limits.total_cap:
        raise BundleZipBomb(
            "The bundle would unpack to more than this program accepts in all (a “zip "
            "bomb”); it was not opened."
        )


def _data_span(data: bytes, entry: _Entry, cd_offset: int) -> tuple[int, int]:
    """Where the member's stored bytes are, after checking its local header."""
    if entry.offset + _LOCAL.size > cd_offset:
        raise _invalid("a file's header is outside the archive")
    (sig, _needed, flags, method, _time, _date, crc, csize, usize, name_len,
     extra_len) = _LOCAL.unpack_from(data, entry.offset)  # fmt: skip
    if sig != _LOCAL_SIG:
        raise _invalid("a file's header is damaged")
    name_start = entry.offset + _LOCAL.size
    if bytes(data[name_start : name_start + name_len]) != entry.name:
        raise _invalid("a file's name differs between its header and the directory")
    if method != entry.method or (flags ^ entry.flags) & (_FLAG_ENCRYPTED | _FLAG_DATA_DESCRIPTOR):
        raise _invalid("a file's header disagrees with the directory")
    if not flags & _FLAG_DATA_DESCRIPTOR and (crc, csize, usize) != (
        entry.crc,
        entry.compressed_size,
        entry.size,
    ):
        raise _invalid("a file's sizes differ between its header and the directory")
    start = name_start + name_len + extra_len
    end = start + entry.compressed_size
    if end > cd_offset:
        raise _invalid("a file runs past the end of the archive")
    return start, end


def _check_layout(spans: list[tuple[int, int, int]]) -> None:
    """Members may not overlap (the "overlapping files" zip bomb) nor hide data before."""
    ordered = sorted(spans)
    if ordered[0][0] != 0:
        raise _invalid("it has data before its first file")
    for (_, _, end), (next_offset, _, _) in zip(ordered, ordered[1:], strict=False):
        if end > next_offset:
            raise BundleZipBomb(
                "Files in the bundle overlap one another (a “zip bomb”); it was not opened."
            )


def _inflate(stored: bytes, entry: _Entry) -> bytes:
    if entry.method == _STORED:
        return stored
    inflater = zlib.decompressobj(-15)
    try:
        # Never more than one byte past the declared size, whatever the stream holds.
        out = inflater.decompress(stored, entry.size + 1)
    except zlib.error:
        raise _invalid("a file in it is damaged") from None
    if len(out) > entry.size:
        raise BundleZipBomb(
            "A file in the bundle unpacks to more than its header says (a “zip bomb”); "
            "it was not opened."
        )
    if not inflater.eof or inflater.unconsumed_tail or inflater.unused_data:
        raise _invalid("a file in it is cut short or has stray bytes")
    if len(out) != entry.size:
        raise _invalid("a file in it is shorter than its header says")
    return out


def unpack(data: bytes, limits: Limits) -> dict[str, bytes]:
    """The members of a bundle's ZIP by name, after every structural and size check."""
    entries, cd_offset = _central_directory(data)
    _check_names(entries, limits)
    for entry in entries:
        _check_entry(entry)
    _check_sizes(entries, limits)
    spans = []
    for entry in entries:
        start, end = _data_span(data, entry, cd_offset)
        spans.append((entry.offset, start, end))
    _check_layout(spans)
    members: dict[str, bytes] = {}
    total = 0
    for entry, (_, start, end) in zip(entries, spans, strict=True):
        content = _inflate(bytes(data[start:end]), entry)
        total += len(content)
        if total > limits.total_cap:  # cannot happen after _check_sizes; kept as a backstop
            raise BundleZipBomb()
        if zlib.crc32(content) != entry.crc:
            raise _invalid("a file in it fails its checksum")
        members[_display_name(entry.name)] = content
    return members
