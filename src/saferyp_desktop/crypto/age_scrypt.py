"""age v1 files locked with a passphrase, written and read with ``cryptography``.

pyrage (rage) derives a passphrase's key with scrypt while holding Python's GIL, so a
window whose export runs on a worker thread still froze for the second or two scrypt
takes. This module writes and reads the one kind of passphrase file age defines — a
single scrypt stanza — with ``cryptography``'s primitives, whose ``Scrypt`` releases
the GIL. The format is age's (https://age-encryption.org/v1), byte for byte:

* a 16-byte random file key;
* the header ``age-encryption.org/v1``, the stanza ``-> scrypt <salt> <log2 N>`` (salt
  16 random bytes) whose body is the file key sealed with ChaCha20-Poly1305 (zero
  nonce) under ``scrypt(passphrase, "age-encryption.org/v1/scrypt" + salt, N, r=8,
  p=1)``, then ``--- <MAC>``: HMAC-SHA256 keyed with HKDF-SHA256(file key, "",
  "header") over the header up to and including ``---``;
* the payload: a 16-byte random nonce, then age's STREAM: 64 KiB chunks, each sealed
  with ChaCha20-Poly1305 under HKDF-SHA256(file key, nonce, "payload"), the chunk
  nonce an 11-byte big-endian counter and a last-chunk flag byte.

Base64 is standard, unpadded and canonical; bodies wrap at 64 columns. Files written
here open with the ``age`` tool and with pyrage, and theirs open here. X25519 files
are not this module's: pyrage handles those (it does no slow work for them).

Errors are this module's own; :mod:`saferyp_desktop.crypto.envelope` turns them into
the sentences a person sees.
"""

from __future__ import annotations

import base64
import hmac
import os
import re
import time

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

MAGIC = b"age-encryption.org/v1\n"
SCRYPT_LABEL = b"age-encryption.org/v1/scrypt"
FILE_KEY_BYTES = 16
SALT_BYTES = 16
PAYLOAD_NONCE_BYTES = 16
TAG_BYTES = 16
CHUNK_BYTES = 64 * 1024
SCRYPT_R = 8
SCRYPT_P = 1
# The writer's work factor: calibrated as rage does (about a second on this computer),
# but never below age's own fixed choice (2**18) nor above 2**19 (512 MiB for scrypt, about
# 1.5 s on a 2024 laptop), so a school's or chair's older computer opens it too and every
# bundle stays well inside what a reader accepts (envelope.MAX_SCRYPT_LOG_N). A generated
# passphrase carries 77 bits, so a higher factor would add nothing worth the wait.
MIN_WRITE_LOG_N = 18
MAX_WRITE_LOG_N = 19
_CALIBRATION_LOG_N = 10
_CALIBRATION_TARGET_S = 1.0

_BODY_COLUMNS = 64
_ZERO_NONCE = bytes(12)
_LOG_N = re.compile(rb"[1-9][0-9]?\Z")
_B64 = re.compile(rb"[A-Za-z0-9+/]*\Z")


class AgeFormatError(ValueError):
    """The file is not a well-formed age v1 passphrase file, or it was changed."""


class WrongPassphrase(ValueError):
    """The passphrase does not unseal the file key (or the stanza body was changed)."""


class ExcessiveWork(ValueError):
    """The stanza asks for a scrypt work factor above the reader's limit."""


# -- pieces -----------------------------------------------------------------------------
def _b64encode(data: bytes) -> bytes:
    return base64.b64encode(data).rstrip(b"=")


def _b64decode(text: bytes, length: int) -> bytes:
    """Canonical unpadded standard base64 of exactly ``length`` bytes, or AgeFormatError."""
    if not _B64.match(text) or len(text) != (length * 8 + 5) // 6:
        raise AgeFormatError("bad base64")
    raw = base64.b64decode(text + b"=" * (-len(text) % 4))
    if len(raw) != length or _b64encode(raw) != text:  # unused trailing bits must be zero
        raise AgeFormatError("non-canonical base64")
    return raw


def _wrap(text: bytes) -> bytes:
    """A stanza body: full 64-column lines, then one shorter (perhaps empty) line."""
    lines = [text[i : i + _BODY_COLUMNS] for i in range(0, len(text), _BODY_COLUMNS)]
    if not lines or len(lines[-1]) == _BODY_COLUMNS:
        lines.append(b"")
    return b"".join(line + b"\n" for line in lines)


def _hkdf(secret: bytes, salt: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=info).derive(secret)


def _scrypt(passphrase: bytes, salt: bytes, log_n: int) -> bytes:
    """scrypt as age uses it; cryptography runs it without holding the GIL."""
    kdf = Scrypt(salt=SCRYPT_LABEL + salt, length=32, n=1 << log_n, r=SCRYPT_R, p=SCRYPT_P)
    return kdf.derive(passphrase)


def _header_mac(file_key: bytes, header: bytes) -> bytes:
    return hmac.digest(_hkdf(file_key, b"", b"header"), header, "sha256")


def _chunk_nonce(counter: int, last: bool) -> bytes:
    return counter.to_bytes(11, "big") + (b"\x01" if last else b"\x00")


def target_work_factor() -> int:
    """log2 N for a new file: rage's calibration (time 2**10, double to a second), clamped.

    rage times one run; the median of three is steadier (one run varies by half).
    """
    runs = []
    for _ in range(3):
        start = time.perf_counter()
        _scrypt(b"", bytes(SALT_BYTES), _CALIBRATION_LOG_N)
        runs.append(time.perf_counter() - start)
    elapsed = sorted(runs)[1]
    log_n = _CALIBRATION_LOG_N
    while elapsed < _CALIBRATION_TARGET_S and log_n < MAX_WRITE_LOG_N:
        log_n += 1
        elapsed *= 2
    return max(MIN_WRITE_LOG_N, min(log_n, MAX_WRITE_LOG_N))


# -- writing ----------------------------------------------------------------------------
def encrypt(plaintext: bytes, passphrase: bytes, log_n: int | None = None) -> bytes:
    """``plaintext`` as an age v1 file locked with ``passphrase`` (UTF-8 bytes)."""
    if not passphrase:
        raise ValueError("the passphrase is empty")
    if log_n is None:
        log_n = target_work_factor()
    if not 1 <= log_n <= 63:
        raise ValueError("log_n out of range")
    file_key = os.urandom(FILE_KEY_BYTES)
    salt = os.urandom(SALT_BYTES)
    body = ChaCha20Poly1305(_scrypt(passphrase, salt, log_n)).encrypt(_ZERO_NONCE, file_key, None)
    header = (
        MAGIC
        + b"-> scrypt " + _b64encode(salt) + b" " + str(log_n).encode("ascii") + b"\n"
        + _wrap(_b64encode(body))
        + b"---"
    )  # fmt: skip
    mac = _header_mac(file_key, header)
    nonce = os.urandom(PAYLOAD_NONCE_BYTES)
    out = [header, b" ", _b64encode(mac), b"\n", nonce]
    out.extend(_seal_payload(_hkdf(file_key, nonce, b"payload"), plaintext))
    return b"".join(out)


def _seal_payload(key: bytes, plaintext: bytes) -> list[bytes]:
    aead = ChaCha20Poly1305(key)
    view = memoryview(plaintext)
    # One chunk at least; the last one is flagged, and is empty only if the whole file is.
    count = max(1, -(-len(view) // CHUNK_BYTES))
    return [
        aead.encrypt(
            _chunk_nonce(i, i == count - 1), bytes(view[i * CHUNK_BYTES : (i + 1) * CHUNK_BYTES]), None
        )
        for i in range(count)
    ]


# -- reading ----------------------------------------------------------------------------
def decrypt(data: bytes, passphrase: bytes, *, max_log_n: int) -> bytes:
    """The plaintext of an age v1 passphrase file, or the reason it cannot be had.

    Checks in age's order: the header's form (AgeFormatError), the work factor
    (ExcessiveWork, before any scrypt), the stanza's seal (WrongPassphrase), the header
    MAC, then every payload chunk (AgeFormatError).
    """
    data = bytes(data)
    if not data.startswith(MAGIC):
        raise AgeFormatError("not age v1")
    pos = len(MAGIC)

    def line() -> bytes:
        nonlocal pos
        end = data.find(b"\n", pos)
        if end < 0:
            raise AgeFormatError("header cut short")
        text = data[pos:end]
        pos = end + 1
        return text

    stanza = line().split(b" ")
    if len(stanza) != 4 or stanza[:2] != [b"->", b"scrypt"] or not _LOG_N.match(stanza[3]):
        raise AgeFormatError("not a lone scrypt stanza")
    salt = _b64decode(stanza[2], SALT_BYTES)
    log_n = int(stanza[3])
    # The sealed file key (32 bytes) is 43 characters: one short body line.
    sealed_key = _b64decode(line(), FILE_KEY_BYTES + TAG_BYTES)
    mac_line = line()
    if not mac_line.startswith(b"--- "):
        raise AgeFormatError("not a lone scrypt stanza")
    mac = _b64decode(mac_line[4:], 32)
    header = data[: pos - len(mac_line) - 1 + 3]  # up to and including "---"
    if len(data) - pos < PAYLOAD_NONCE_BYTES + TAG_BYTES:
        raise AgeFormatError("payload cut short")
    if log_n > max_log_n:
        raise ExcessiveWork(log_n)

    try:
        file_key = ChaCha20Poly1305(_scrypt(passphrase, salt, log_n)).decrypt(_ZERO_NONCE, sealed_key, None)
    except InvalidTag:
        raise WrongPassphrase() from None
    if not hmac.compare_digest(_header_mac(file_key, header), mac):
        raise AgeFormatError("header MAC")
    nonce = data[pos : pos + PAYLOAD_NONCE_BYTES]
    return _open_payload(_hkdf(file_key, nonce, b"payload"), memoryview(data)[pos + PAYLOAD_NONCE_BYTES :])


def _open_payload(key: bytes, sealed: memoryview) -> bytes:
    aead = ChaCha20Poly1305(key)
    size = CHUNK_BYTES + TAG_BYTES
    count = max(1, -(-len(sealed) // size))
    last_size = len(sealed) - (count - 1) * size
    # Every chunk but the last is full; the last holds its tag and is empty only if it
    # is the only one (age refuses an empty last chunk after full ones).
    if last_size < TAG_BYTES or (last_size == TAG_BYTES and count > 1):
        raise AgeFormatError("payload cut short or padded")
    out = []
    try:
        for i in range(count):
            out.append(aead.decrypt(_chunk_nonce(i, i == count - 1), bytes(sealed[i * size : (i + 1) * size]), None))
    except InvalidTag:
        raise AgeFormatError("payload chunk") from None
    return b"".join(out)
