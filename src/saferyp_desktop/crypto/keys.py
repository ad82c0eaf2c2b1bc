"""A workspace's own keys, fingerprints and key cards (DESIGN.md §2, §5).

Each workspace holds an age X25519 identity (to receive bundles) and an Ed25519
signing key (to sign them), made when the workspace is created. The key card
carries the public halves, one ``field: value`` a line, so a person can read it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass, field

import pyrage
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from saferyp_desktop.errors import KeyCardInvalid, RecipientInvalid

__all__ = [
    "KEY_CARD_FORMAT",
    "KeyCard",
    "KeyCardInvalid",
    "RecipientInvalid",
    "WorkspaceKeys",
    "fingerprint",
    "normalise_fingerprint",
    "parse_key_card",
    "parse_key_card_bytes",
    "parse_recipient",
    "public_verify_key",
]

KEY_CARD_FORMAT = "saferyp-keycard/1"
KEY_CARD_MAX_BYTES = 16 * 1024
ROLES = ("school", "chair")
# Crockford's base32: no I, L, O or U, so a fingerprint can be read over a phone.
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_FINGERPRINT_CHARS = 20


@dataclass(frozen=True)
class WorkspaceKeys:
    """The secret keys of a workspace. Never written anywhere but the workspace."""

    age_identity: str = field(repr=False)  # AGE-SECRET-KEY-1...
    signing_seed: bytes = field(repr=False)  # 32 raw bytes of the Ed25519 private key

    @classmethod
    def generate(cls) -> WorkspaceKeys:
        identity = pyrage.x25519.Identity.generate()
        seed = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )
        return cls(age_identity=str(identity), signing_seed=seed)

    @property
    def identity(self) -> pyrage.x25519.Identity:
        return pyrage.x25519.Identity.from_str(self.age_identity)

    @property
    def age_recipient(self) -> str:
        return str(self.identity.to_public())

    @property
    def signing_key(self) -> Ed25519PrivateKey:
        return Ed25519PrivateKey.from_private_bytes(self.signing_seed)

    @property
    def verify_key_bytes(self) -> bytes:
        return self.signing_key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.verify_key_bytes)


def fingerprint(verify_key: bytes) -> str:
    """A short digest of a signing public key in groups of four: ``K7QF-2MXA-...``."""
    digest = hashlib.sha256(b"saferyp-fingerprint-v1\x00" + verify_key).digest()
    bits = int.from_bytes(digest, "big") >> (256 - 5 * _FINGERPRINT_CHARS)
    chars = [
        _CROCKFORD[(bits >> (5 * (_FINGERPRINT_CHARS - 1 - i))) & 31]
        for i in range(_FINGERPRINT_CHARS)
    ]
    return "-".join("".join(chars[i : i + 4]) for i in range(0, _FINGERPRINT_CHARS, 4))


@dataclass(frozen=True)
class KeyCard:
    """The public side of a workspace, to give to the other party."""

    role: str  # "school" or "chair"
    name: str
    age_recipient: str
    verify_key: bytes
    urn: str = ""
    organisation: str = ""

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.verify_key)

    def to_text(self) -> str:
        lines = [
            "# SaferYP Desktop key card: public keys only, safe to share.",
            "# Check the fingerprint with its owner by phone before you trust it.",
            f"format: {KEY_CARD_FORMAT}",
            f"role: {self.role}",
            f"name: {_one_line(self.name)}",
        ]
        if self.urn:
            lines.append(f"urn: {self.urn}")
        if self.organisation:
            lines.append(f"organisation: {_one_line(self.organisation)}")
        lines += [
            f"age-recipient: {self.age_recipient}",
            f"signing-key: {base64.b64encode(self.verify_key).decode('ascii')}",
            f"fingerprint: {self.fingerprint}",
        ]
        return "\n".join(lines) + "\n"


def _one_line(text: str) -> str:
    return " ".join(text.split())


def public_verify_key(verify_key: bytes) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(verify_key)


# -- reading key cards and recipients -------------------------------------------------
_FIELD_LINE = re.compile(r"^([A-Za-z][A-Za-z0-9-]*)[ \t]*:[ \t]*(.*)$")
_FORMAT_VALUE = re.compile(r"saferyp-keycard/([0-9]{1,6})")
_SIGNING_KEY = re.compile(r"[A-Za-z0-9+/]{43}=")
_URN = re.compile(r"[0-9]{6}")
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\ufeff]")
_REQUIRED = ("role", "name", "age-recipient", "signing-key", "fingerprint")
_OPTIONAL = ("urn", "organisation")
_MAX_NAME = 200
_SECRET_MARK = "AGE-SECRET-KEY-"
_SECRET_MESSAGE = (
    "This holds a SECRET key, which must never be shared: delete it, and send the key "
    "card that “saferyp key” writes instead."
)


def _crockford_normal(text: str) -> str:
    # Crockford's decoding: O reads as 0, I and L as 1; spaces and hyphens are ignored.
    compact = re.sub(r"[\s-]+", "", text).upper()
    return compact.translate(str.maketrans("OIL", "011"))


def normalise_fingerprint(text: str) -> str | None:
    """A fingerprint as typed or read over the phone, in its printed form, or None.

    Case, spaces and hyphens do not matter, and O, I and L read as 0, 1 and 1.
    """
    if len(text) > 100:
        return None
    compact = _crockford_normal(text)
    if len(compact) != _FINGERPRINT_CHARS or any(c not in _CROCKFORD for c in compact):
        return None
    return "-".join(compact[i : i + 4] for i in range(0, _FINGERPRINT_CHARS, 4))


def parse_recipient(text: str) -> str:
    """A plain age public key (``age1…``), checked and in its canonical lower-case form."""
    value = text.strip() if isinstance(text, str) else ""
    if _SECRET_MARK in value.upper():
        raise RecipientInvalid(_SECRET_MESSAGE)
    if not value.lower().startswith("age1"):
        raise RecipientInvalid("That is not an age public key: it should start with “age1”.")
    if len(value) > 200 or not value.isascii():
        raise RecipientInvalid("That is not an age public key (“age1…”); ask for a fresh copy.")
    try:
        recipient = pyrage.x25519.Recipient.from_str(value)
    except pyrage.RecipientError:
        raise RecipientInvalid(
            "That age public key is mistyped or cut short (its checksum does not match); "
            "ask for a fresh copy."
        ) from None
    return str(recipient)


def parse_key_card_bytes(data: bytes, *, expect_role: str | None = None) -> KeyCard:
    """Read a key card file's bytes (UTF-8, an optional byte-order mark) strictly."""
    if len(data) > KEY_CARD_MAX_BYTES:
        raise KeyCardInvalid("This file is too large to be a key card.")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise KeyCardInvalid("This file is not a SaferYP key card (it is not UTF-8 text).") from None
    return parse_key_card(text, expect_role=expect_role)


def parse_key_card(text: str, *, expect_role: str | None = None) -> KeyCard:
    """Read a key card strictly; each problem is one sentence saying what is wrong.

    Checks the format line, the role, the name, a school's six-digit URN, the age
    recipient, the Ed25519 signing key, and that the ``fingerprint:`` line is the
    fingerprint of that key.
    """
    if not isinstance(text, str):
        raise KeyCardInvalid("This is not a SaferYP key card.")
    if len(text) > KEY_CARD_MAX_BYTES:
        raise KeyCardInvalid("This file is too large to be a key card.")
    try:
        size = len(text.encode("utf-8"))
    except UnicodeEncodeError:
        raise KeyCardInvalid("This file is not a SaferYP key card (it is not UTF-8 text).") from None
    if size > KEY_CARD_MAX_BYTES:
        raise KeyCardInvalid("This file is too large to be a key card.")
    if _SECRET_MARK in text.upper():
        raise KeyCardInvalid(_SECRET_MESSAGE)
    text = text.removeprefix("\ufeff")

    fields: dict[str, str] = {}
    seen_format = False
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.removesuffix("\r").strip(" \t")
        if not line or line.startswith("#"):
            continue
        match = _FIELD_LINE.match(line)
        if not seen_format:
            _check_format_line(match)
            seen_format = True
            continue
        if match is None:
            raise KeyCardInvalid(f"Line {number} of the key card is not a “field: value” line.")
        name, value = match.group(1).lower(), match.group(2)
        if _CONTROL.search(value):
            raise KeyCardInvalid(f"Line {number} of the key card holds a control character.")
        if name == "format":
            raise KeyCardInvalid("The key card has two “format” lines.")
        if name not in _REQUIRED + _OPTIONAL:
            raise KeyCardInvalid(f"The key card has a field this program does not know (line {number}).")
        if name in fields:
            raise KeyCardInvalid(f"The key card has two “{name}” lines.")
        fields[name] = value
    if not seen_format:
        raise KeyCardInvalid("This file is not a SaferYP key card (it is empty).")
    for name in _REQUIRED:
        if not fields.get(name):
            raise KeyCardInvalid(f"The key card has no “{name}” line.")

    role = fields["role"]
    if role not in ROLES:
        raise KeyCardInvalid("The key card's role must be “school” or “chair”.")
    if expect_role is not None and role != expect_role:
        raise KeyCardInvalid(f"This is a {role}'s key card; a {expect_role}'s key card is needed here.")
    name = fields["name"]
    if len(name) > _MAX_NAME:
        raise KeyCardInvalid("The name on the key card is too long.")
    urn = fields.get("urn", "")
    if role == "school" and not urn:
        raise KeyCardInvalid("A school's key card needs a “urn” line with the school's URN.")
    if role == "school" and not _URN.fullmatch(urn):
        raise KeyCardInvalid("The URN on the key card must be six digits.")
    if role == "chair" and urn:
        raise KeyCardInvalid("A chair's key card has no URN; this card mixes a chair and a school.")
    organisation = fields.get("organisation", "")
    if len(organisation) > _MAX_NAME:
        raise KeyCardInvalid("The organisation on the key card is too long.")
    try:
        recipient = parse_recipient(fields["age-recipient"])
    except RecipientInvalid:
        raise KeyCardInvalid(
            "The key card's age recipient is not a valid age public key (“age1…”)."
        ) from None
    verify_key = _parse_signing_key(fields["signing-key"])
    printed = normalise_fingerprint(fields["fingerprint"])
    if printed is None:
        raise KeyCardInvalid("The key card's fingerprint is not written like a fingerprint.")
    if printed != fingerprint(verify_key):
        raise KeyCardInvalid(
            "The fingerprint on the key card does not match its signing key: the card was "
            "changed or mistyped; ask for a fresh copy."
        )
    return KeyCard(
        role=role,
        name=name,
        age_recipient=recipient,
        verify_key=verify_key,
        urn=urn,
        organisation=organisation,
    )


def _check_format_line(match: re.Match[str] | None) -> None:
    if match is None or match.group(1).lower() != "format":
        raise KeyCardInvalid(
            f"This file is not a SaferYP key card (it does not start with “format: {KEY_CARD_FORMAT}”)."
        )
    version = _FORMAT_VALUE.fullmatch(match.group(2))
    if version is None:
        raise KeyCardInvalid(f"This file is not a SaferYP key card (its format is not “{KEY_CARD_FORMAT}”).")
    if int(version.group(1)) > 1:
        raise KeyCardInvalid(
            "This key card was made by a newer version of SaferYP Desktop; update the program to read it."
        )
    if int(version.group(1)) != 1:
        raise KeyCardInvalid(f"This file is not a SaferYP key card (its format is not “{KEY_CARD_FORMAT}”).")


def _parse_signing_key(value: str) -> bytes:
    if not _SIGNING_KEY.fullmatch(value):
        raise KeyCardInvalid(
            "The key card's signing key is not 32 bytes of base64; the card was cut short or changed."
        )
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise KeyCardInvalid("The key card's signing key is not valid base64.") from None
    if len(raw) != 32 or base64.b64encode(raw).decode("ascii") != value:
        raise KeyCardInvalid("The key card's signing key is not written in its standard form.")
    try:
        public_verify_key(raw)
    except ValueError:
        raise KeyCardInvalid("The key card's signing key is not an Ed25519 public key.") from None
    return raw
