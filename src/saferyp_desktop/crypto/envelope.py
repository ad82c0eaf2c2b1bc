"""The age layer of a bundle: encrypt, look at the header, decrypt in memory.

A bundle is an age v1 file (age-encryption.org/v1), locked either to X25519
recipients or to one passphrase (age's scrypt). Before handing the bytes to age we
read the header ourselves, so a reader can say *why* a file cannot be opened — not
an age file, damaged, for another key, wrong passphrase — and so a hostile header
(a huge scrypt work factor, thousands of stanzas) is refused before any work is done.

Key-locked files go to pyrage. Passphrase-locked files are written and read by
:mod:`saferyp_desktop.crypto.age_scrypt` (the same age format), because pyrage holds
Python's GIL for the second or more scrypt takes, which froze the window even with the
work on a worker thread; ``cryptography``'s scrypt lets the GUI thread run meanwhile.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

import pyrage

from saferyp_desktop.crypto import age_scrypt
from saferyp_desktop.crypto.keys import parse_recipient
from saferyp_desktop.errors import (
    BundleDamaged,
    BundleKeyRequired,
    BundleNotAge,
    BundleNotForThisKey,
    BundlePassphraseRequired,
    BundleTooLarge,
    BundleWrongPassphrase,
)

Lock = Literal["recipients", "passphrase"]

MAX_BUNDLE_BYTES = 64 * 1024 * 1024
MAX_HEADER_BYTES = 64 * 1024
MAX_STANZAS = 64
# age (Go) refuses more than 2**22 by default; rage calibrates about 2**18-2**20 for one second.
MAX_SCRYPT_LOG_N = 22

_MAGIC = b"age-encryption.org/v1\n"
_ARMOR = b"-----BEGIN AGE ENCRYPTED FILE-----"
_ARG = re.compile(rb"[\x21-\x7e]+\Z")
_B64 = re.compile(rb"[A-Za-z0-9+/]*\Z")
_LOG_N = re.compile(rb"[1-9][0-9]?\Z")
_BODY_COLUMNS = 64
_MAC_CHARS = 43
# The payload is a 16-byte nonce and at least one chunk with its 16-byte tag.
_MIN_PAYLOAD = 16 + 16
# The exact words pyrage (rage) uses; tests pin them, and anything else reads as damage.
_NO_MATCHING_KEY = "No matching keys found"
# A scrypt work factor above the limit (or more memory than this computer can give it).
_EXCESSIVE_WORK = (
    "The bundle's passphrase lock asks for far more work than any SaferYP bundle's; it was not opened."
)


@dataclass(frozen=True)
class EnvelopeHeader:
    """What a bundle's age header says, read without any key."""

    lock: Lock
    stanzas: int
    scrypt_log_n: int | None
    header_length: int


def _cut_short() -> BundleDamaged:
    return BundleDamaged("The bundle is cut short (incomplete); ask the sender to send it again.")


def inspect_envelope(data: bytes) -> EnvelopeHeader:
    """Check the size cap and read the age header; raise the error a person should see."""
    if len(data) > MAX_BUNDLE_BYTES:
        raise BundleTooLarge(
            f"The bundle is larger than {MAX_BUNDLE_BYTES // (1024 * 1024)} MiB, more than a "
            "SaferYP bundle may be; it was not opened."
        )
    if not data:
        raise BundleNotAge("The file is empty; it is not a SaferYP bundle.")
    if not data.startswith(_MAGIC):
        if len(data) < len(_MAGIC) and _MAGIC.startswith(bytes(data)):
            raise _cut_short()
        if data.startswith(_ARMOR):
            raise BundleNotAge(
                "This is an age file in text (armored) form; a SaferYP bundle is the binary form."
            )
        if data.startswith(b"age-encryption.org/"):
            raise BundleNotAge(
                "This age file uses a version of the age format this program does not read."
            )
        raise BundleNotAge()

    pos = len(_MAGIC)
    limit = min(len(data), MAX_HEADER_BYTES)
    stanza_types: list[bytes] = []
    scrypt_args: list[bytes] = []

    def next_line() -> bytes:
        nonlocal pos
        end = data.find(b"\n", pos, limit)
        if end < 0:
            if limit < len(data):
                raise BundleDamaged("The bundle's header is far longer than any bundle's; it is damaged.")
            raise _cut_short()
        line = bytes(data[pos:end])
        pos = end + 1
        return line

    while True:
        line = next_line()
        if line.startswith(b"--- "):
            mac = line[4:]
            if len(mac) != _MAC_CHARS or not _B64.match(mac):
                raise BundleDamaged()
            break
        if not line.startswith(b"-> "):
            raise BundleDamaged()
        args = line[3:].split(b" ")
        if not all(_ARG.match(arg) for arg in args):
            raise BundleDamaged()
        stanza_types.append(args[0])
        if args[0] == b"scrypt":
            scrypt_args = args[1:]
        if len(stanza_types) > MAX_STANZAS:
            raise BundleDamaged("The bundle's header has far more entries than any bundle's; it is damaged.")
        while True:  # the body: full 64-column lines, then one shorter (maybe empty) line
            body = next_line()
            if len(body) > _BODY_COLUMNS or not _B64.match(body):
                raise BundleDamaged()
            if len(body) < _BODY_COLUMNS:
                break

    if len(data) - pos < _MIN_PAYLOAD:
        raise _cut_short()
    if not stanza_types:
        raise BundleDamaged()
    if b"scrypt" in stanza_types:
        # age allows a passphrase stanza only on its own.
        if len(stanza_types) != 1 or len(scrypt_args) != 2 or not _LOG_N.match(scrypt_args[1]):
            raise BundleDamaged()
        log_n = int(scrypt_args[1])
        if log_n > MAX_SCRYPT_LOG_N:
            raise BundleDamaged(_EXCESSIVE_WORK)
        return EnvelopeHeader("passphrase", 1, log_n, pos)
    if b"X25519" in stanza_types:
        return EnvelopeHeader("recipients", len(stanza_types), None, pos)
    raise BundleNotForThisKey(
        "This age file is locked to a kind of key SaferYP does not use, so it cannot be opened here."
    )


def decrypt(data: bytes, *, identity: str | None = None, passphrase: str | None = None) -> bytes:
    """The plaintext, in memory, or the error that says why it cannot be had.

    ``identity`` is a workspace's ``AGE-SECRET-KEY-1…``; ``passphrase`` a bundle
    passphrase as typed (it is normalised first, as the writer did).
    """
    header = inspect_envelope(data)
    if header.lock == "passphrase":
        if passphrase is None:
            raise BundlePassphraseRequired()
        secret = normalise_passphrase(passphrase).encode("utf-8")
        try:
            return age_scrypt.decrypt(bytes(data), secret, max_log_n=MAX_SCRYPT_LOG_N)
        except age_scrypt.WrongPassphrase:
            # The passphrase stanza has no integrity of its own: a wrong passphrase and a
            # damaged stanza look alike, and a person should first check the words.
            raise BundleWrongPassphrase() from None
        except (age_scrypt.ExcessiveWork, MemoryError):
            # MemoryError: scrypt could not have the memory the work factor asks for.
            raise BundleDamaged(_EXCESSIVE_WORK) from None
        except age_scrypt.AgeFormatError:
            raise BundleDamaged() from None
    if identity is None:
        raise BundleKeyRequired()
    key = pyrage.x25519.Identity.from_str(identity)
    try:
        return pyrage.decrypt(bytes(data), [key])
    except pyrage.DecryptError as error:
        # age stanzas name no recipient, so damage to this workspace's own stanza
        # reads as "not for this key" too; the message says so.
        if str(error) == _NO_MATCHING_KEY:
            raise BundleNotForThisKey(
                "This bundle was not encrypted to this workspace's key (or its header is "
                "damaged), so it cannot be opened here."
            ) from None
        raise BundleDamaged() from None


def encrypt_to_recipients(data: bytes, recipients: list[str]) -> bytes:
    """age-encrypt to X25519 recipients (``age1…``)."""
    if not recipients:
        raise ValueError("encrypt_to_recipients needs at least one recipient")
    keys = [pyrage.x25519.Recipient.from_str(parse_recipient(r)) for r in recipients]
    return pyrage.encrypt(data, keys)


def encrypt_to_passphrase(data: bytes, passphrase: str) -> bytes:
    """age-encrypt to a passphrase (scrypt, work factor calibrated as rage does to about a
    second, 2**18 to 2**19); the GIL is free while scrypt runs."""
    return age_scrypt.encrypt(data, normalise_passphrase(passphrase).encode("utf-8"))


def normalise_passphrase(text: str) -> str:
    """A bundle passphrase as both ends use it: lower case, words joined by single spaces.

    So "Apple  banana-Cherry" and "apple banana cherry" open the same bundle: the words
    are read out by phone, and spacing or hyphens should not matter.
    """
    words = text.replace("-", " ").lower().split()
    if not words:
        raise BundleWrongPassphrase("The bundle passphrase is empty.")
    return " ".join(words)
