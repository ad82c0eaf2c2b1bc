"""Passphrases and key cards, for the screens that offer or read them."""

from __future__ import annotations

from pathlib import Path

from saferyp_desktop.crypto.bundle_passphrase import generate_bundle_passphrase
from saferyp_desktop.crypto.keys import KeyCard, parse_key_card_bytes, parse_recipient
from saferyp_desktop.errors import UsageError

MAX_KEY_CARD_BYTES = 16 * 1024


def generate_passphrase(words: int = 6) -> str:
    """Six words from the EFF long list (about 77 bits), easy to read out and type."""
    return generate_bundle_passphrase(words)


def read_key_card(path: Path, *, expect_role: str | None = None) -> KeyCard:
    """A key card file, strictly checked (KeyCardInvalid says what is wrong)."""
    try:
        with Path(path).open("rb") as handle:
            data = handle.read(MAX_KEY_CARD_BYTES + 1)
    except OSError:
        raise UsageError(f"{Path(path).name} cannot be read.") from None
    return parse_key_card_bytes(data, expect_role=expect_role)


__all__ = ["KeyCard", "generate_passphrase", "parse_recipient", "read_key_card"]
