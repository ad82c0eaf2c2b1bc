"""Key cards and age recipients are read strictly, and each problem is named."""

from __future__ import annotations

import base64
import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from saferyp_desktop.crypto.keys import (
    KEY_CARD_MAX_BYTES,
    KeyCard,
    WorkspaceKeys,
    fingerprint,
    normalise_fingerprint,
    parse_key_card,
    parse_key_card_bytes,
    parse_recipient,
)
from saferyp_desktop.errors import KeyCardInvalid, RecipientInvalid, SaferypError

SCHOOL_KEYS = WorkspaceKeys.generate()
CHAIR_KEYS = WorkspaceKeys.generate()
OTHER_KEYS = WorkspaceKeys.generate()

SCHOOL = KeyCard(
    role="school",
    name="Kingsbury Green Academy",
    urn="126543",
    age_recipient=SCHOOL_KEYS.age_recipient,
    verify_key=SCHOOL_KEYS.verify_key_bytes,
)
CHAIR = KeyCard(
    role="chair",
    name="Community meeting chair",
    organisation="Wiltshire Council",
    age_recipient=CHAIR_KEYS.age_recipient,
    verify_key=CHAIR_KEYS.verify_key_bytes,
)
SCHOOL_TEXT = SCHOOL.to_text()


def with_line(field: str, value: str | None, text: str = SCHOOL_TEXT) -> str:
    """The card with ``field``'s line set to ``value`` (None drops it)."""
    lines = []
    for line in text.splitlines():
        if line.startswith(f"{field}:"):
            if value is not None:
                lines.append(f"{field}: {value}")
        else:
            lines.append(line)
    return "\n".join(lines) + "\n"


def test_a_card_reads_back_as_written() -> None:
    assert parse_key_card(SCHOOL_TEXT) == SCHOOL
    assert parse_key_card(CHAIR.to_text()) == CHAIR
    assert parse_key_card(SCHOOL_TEXT, expect_role="school") == SCHOOL


def test_a_card_from_windows_notepad_reads() -> None:
    data = ("\ufeff" + SCHOOL_TEXT.replace("\n", "\r\n")).encode("utf-8")
    assert parse_key_card_bytes(data) == SCHOOL


def test_a_fingerprint_read_over_the_phone_still_matches() -> None:
    spoken = SCHOOL.fingerprint.replace("-", " ").lower()
    assert parse_key_card(with_line("fingerprint", spoken)) == SCHOOL
    assert normalise_fingerprint(SCHOOL.fingerprint.replace("0", "O").replace("1", "I")) == SCHOOL.fingerprint
    assert normalise_fingerprint("K7QF-2MXA") is None
    assert normalise_fingerprint("U" * 20) is None
    assert normalise_fingerprint("x" * 1000) is None


def test_fingerprints_are_twenty_crockford_characters_in_fives() -> None:
    printed = fingerprint(SCHOOL_KEYS.verify_key_bytes)
    groups = printed.split("-")
    assert len(groups) == 5 and all(len(g) == 4 for g in groups)
    assert not set(printed) & set("ILOU")


BAD_CARDS: list[tuple[str, str | bytes, str]] = [
    ("empty", "", "it is empty"),
    ("only comments", "# a comment\n\n# another\n", "it is empty"),
    ("not UTF-8", b"format: saferyp-keycard/1\nname: \xff\xfe\n", "not UTF-8"),
    ("binary", bytes(range(256)), "not UTF-8"),
    ("too large", "format: saferyp-keycard/1\n" + "# padding\n" * 2000, "too large"),
    ("too large in bytes", b"format: saferyp-keycard/1\n" + b"#" * KEY_CARD_MAX_BYTES, "too large"),
    ("a PDF", "%PDF-1.7\n", "does not start with"),
    ("no format line", with_line("format", None), "does not start with"),
    ("format not first", with_line("format", None) + "format: saferyp-keycard/1\n", "does not start with"),
    ("another format", with_line("format", "saferyp-keycard/one"), "its format is not"),
    ("format version 0", with_line("format", "saferyp-keycard/0"), "its format is not"),
    ("format in Arabic-Indic digits", with_line("format", "saferyp-keycard/\u0661"), "its format is not"),
    ("a newer format", with_line("format", "saferyp-keycard/2"), "newer version"),
    ("two format lines", SCHOOL_TEXT + "format: saferyp-keycard/1\n", "two “format” lines"),
    ("not field: value", SCHOOL_TEXT + "just some words\n", "is not a “field: value” line"),
    ("unknown field", SCHOOL_TEXT + "email: dsl@example.org\n", "does not know"),
    ("two names", SCHOOL_TEXT + "name: Another School\n", "two “name” lines"),
    ("no role", with_line("role", None), "no “role” line"),
    ("empty name", with_line("name", ""), "no “name” line"),
    ("no recipient", with_line("age-recipient", None), "no “age-recipient” line"),
    ("no signing key", with_line("signing-key", None), "no “signing-key” line"),
    ("no fingerprint", with_line("fingerprint", None), "no “fingerprint” line"),
    ("bad role", with_line("role", "admin"), "“school” or “chair”"),
    ("school without URN", with_line("urn", None), "needs a “urn” line"),
    ("URN of five digits", with_line("urn", "12345"), "six digits"),
    ("URN with letters", with_line("urn", "12345A"), "six digits"),
    ("URN of seven digits", with_line("urn", "1234567"), "six digits"),
    ("chair with a URN", CHAIR.to_text() + "urn: 123456\n", "mixes a chair and a school"),
    ("name too long", with_line("name", "A" * 201), "too long"),
    ("control character", with_line("name", "Kingsbury\x1b[31m Green"), "control character"),
    ("recipient typo", with_line("age-recipient", SCHOOL_KEYS.age_recipient[:-1] + ("q" if SCHOOL_KEYS.age_recipient[-1] != "q" else "p")), "not a valid age public key"),
    ("recipient cut short", with_line("age-recipient", SCHOOL_KEYS.age_recipient[:40]), "not a valid age public key"),
    ("an ssh key as recipient", with_line("age-recipient", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5"), "not a valid age public key"),
    ("a secret key", SCHOOL_TEXT + f"# {SCHOOL_KEYS.age_identity}\n", "SECRET key"),
    ("a secret key as recipient", with_line("age-recipient", SCHOOL_KEYS.age_identity), "SECRET key"),
    ("signing key not base64", with_line("signing-key", "!" * 43 + "="), "32 bytes of base64"),
    ("signing key short", with_line("signing-key", base64.b64encode(bytes(31)).decode()), "32 bytes of base64"),
    ("signing key long", with_line("signing-key", base64.b64encode(bytes(33)).decode()), "32 bytes of base64"),
    ("signing key non-canonical", with_line("signing-key", base64.b64encode(SCHOOL.verify_key).decode()[:42] + "B="), "standard form"),
    ("signing key swapped", with_line("signing-key", base64.b64encode(OTHER_KEYS.verify_key_bytes).decode()), "does not match its signing key"),
    ("fingerprint of another key", with_line("fingerprint", OTHER_KEYS.fingerprint), "does not match its signing key"),
    ("fingerprint one letter off", with_line("fingerprint", ("Z" if SCHOOL.fingerprint[0] != "Z" else "Y") + SCHOOL.fingerprint[1:]), "does not match its signing key"),
    ("fingerprint garbled", with_line("fingerprint", "not-a-fingerprint"), "not written like a fingerprint"),
]


@pytest.mark.parametrize(("card", "expected"), [(c, e) for _, c, e in BAD_CARDS], ids=[n for n, _, _ in BAD_CARDS])
def test_a_bad_card_says_what_is_wrong(card: str | bytes, expected: str) -> None:
    with pytest.raises(KeyCardInvalid) as caught:
        if isinstance(card, bytes):
            parse_key_card_bytes(card)
        else:
            parse_key_card(card)
    assert expected in str(caught.value)
    assert caught.value.exit_code == 43
    assert str(caught.value).endswith(".") and "\n" not in str(caught.value)


def test_a_card_of_the_wrong_role_is_refused() -> None:
    with pytest.raises(KeyCardInvalid, match="a chair's key card is needed"):
        parse_key_card(SCHOOL_TEXT, expect_role="chair")


def test_a_plain_recipient_is_checked_and_made_canonical() -> None:
    recipient = CHAIR_KEYS.age_recipient
    assert parse_recipient(recipient) == recipient
    assert parse_recipient(f"  {recipient.upper()}\n") == recipient
    for bad, words in [
        ("", "should start with “age1”"),
        ("hello", "should start with “age1”"),
        (recipient[:-2], "mistyped or cut short"),
        (recipient + "q", "mistyped or cut short"),
        ("age1" + "é" * 58, "not an age public key"),
        (CHAIR_KEYS.age_identity, "SECRET key"),
    ]:
        with pytest.raises(RecipientInvalid) as caught:
            parse_recipient(bad)
        assert words in str(caught.value)
        assert caught.value.exit_code == 76


# -- property tests: damage to a card is a KeyCardInvalid, never anything else -------------
def _documented(call) -> KeyCard | None:
    try:
        return call()
    except KeyCardInvalid as error:
        assert isinstance(error, SaferypError)
        return None


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_a_damaged_card_is_refused_or_still_the_same_card(data) -> None:
    text = SCHOOL_TEXT
    for _ in range(data.draw(st.integers(1, 3))):
        position = data.draw(st.integers(0, len(text)))
        action = data.draw(st.sampled_from(["delete", "insert", "replace", "cut"]))
        if action == "delete":
            text = text[:position] + text[position + 1 :]
        elif action == "insert":
            text = text[:position] + data.draw(st.text(max_size=3)) + text[position:]
        elif action == "replace":
            text = text[:position] + data.draw(st.characters()) + text[position + 1 :]
        else:
            text = text[:position]
    card = _documented(lambda: parse_key_card(text))
    if card is not None:
        # whatever survived damage still holds the same keys, or it would have been refused
        assert card.verify_key == SCHOOL.verify_key
        assert card.age_recipient == SCHOOL.age_recipient


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=600) | st.text(max_size=600).map(lambda t: t.encode("utf-8", "surrogatepass")))
def test_any_bytes_are_a_card_or_a_key_card_error(data: bytes) -> None:
    _documented(lambda: parse_key_card_bytes(data))
    _documented(lambda: parse_key_card_bytes(b"format: saferyp-keycard/1\n" + data))


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=120))
def test_any_text_is_a_recipient_or_a_recipient_error(text: str) -> None:
    with contextlib.suppress(RecipientInvalid):
        assert parse_recipient(text).startswith("age1")
