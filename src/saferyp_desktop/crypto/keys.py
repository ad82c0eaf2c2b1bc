"""A workspace's own keys, fingerprints and key cards (DESIGN.md §2, §5).

Each workspace holds an age X25519 identity (to receive bundles) and an Ed25519
signing key (to sign them), made when the workspace is created. The key card
carries the public halves, one ``field: value`` a line, so a person can read it.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass

import pyrage
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from saferyp_desktop.errors import SaferypError

KEY_CARD_FORMAT = "saferyp-keycard/1"
# Crockford's base32: no I, L, O or U, so a fingerprint can be read over a phone.
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_FINGERPRINT_CHARS = 20


class KeyCardInvalid(SaferypError):
    exit_code = 43
    default_message = "The key card is not valid; ask for a fresh copy."


@dataclass(frozen=True)
class WorkspaceKeys:
    """The secret keys of a workspace. Never written anywhere but the workspace."""

    age_identity: str  # AGE-SECRET-KEY-1...
    signing_seed: bytes  # 32 raw bytes of the Ed25519 private key

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
