"""Six-word passphrases for bundles sent before the chair's key is known (DESIGN.md §5).

The words come from the EFF long word list (``resources/wordlists/eff_large.txt``,
CC BY 3.0 US; its header says where it came from), chosen with ``secrets``, so a DSL
can read the passphrase out by phone: 6 words of 7,772 carry about 77 bits.
"""

from __future__ import annotations

import math
import secrets
from functools import cache

from saferyp_desktop.resources import resources_dir

PASSPHRASE_WORDS = 6
WORDLIST_FILE = "eff_large.txt"
UNSUITABLE_FILE = "unsuitable.txt"


@cache
def wordlist() -> tuple[str, ...]:
    """The word list, checked: lower-case ASCII words, no duplicates, thousands of them."""
    path = resources_dir() / "wordlists" / WORDLIST_FILE
    words = tuple(
        line.strip()
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    )
    if (
        len(words) < 7000
        or len(set(words)) != len(words)
        or not all(w.isascii() and w.isalpha() and w.islower() for w in words)
    ):
        raise RuntimeError("The passphrase word list is damaged; reinstall the program.")
    return words


@cache
def offered_words() -> tuple[str, ...]:
    """The words a passphrase is made from: the list less those unsuitable to read out
    by phone in a safeguarding call (``unsuitable.txt``)."""
    path = resources_dir() / "wordlists" / UNSUITABLE_FILE
    unsuitable = {
        line.strip()
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    }
    return tuple(w for w in wordlist() if w not in unsuitable)


def generate_bundle_passphrase(words: int = PASSPHRASE_WORDS) -> str:
    """``words`` random words from the list, joined by single spaces."""
    if words < PASSPHRASE_WORDS:
        raise ValueError(f"a bundle passphrase has at least {PASSPHRASE_WORDS} words")
    choices = offered_words()
    return " ".join(secrets.choice(choices) for _ in range(words))


def passphrase_bits(words: int = PASSPHRASE_WORDS) -> float:
    """The strength of a generated passphrase, in bits."""
    return words * math.log2(len(offered_words()))
