"""Random damage to a valid bundle, at every layer, raises only the documented errors.

The oracle is ``READ_ERRORS`` from the bundle module, shared with the fuzz target
``tests/fuzz/fuzz_bundle_reader.py``: anything else escaping the reader is a bug.
"""

from __future__ import annotations

import hashlib
from typing import Any

from bundle_factory import make_parties, manifest_of, members_of, open_plain, seal, sign, submission
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from saferyp_desktop.crypto import archive
from saferyp_desktop.crypto.bundle import LIMITS, READ_ERRORS, read_bundle, reverify
from saferyp_desktop.crypto.schemas import dump_json, load_json
from saferyp_desktop.errors import SaferypError

PARTIES = make_parties()
BUNDLE = submission(PARTIES)
OTHER = submission(PARTIES, sequence=4)
PLAIN = open_plain(BUNDLE, PARTIES.chair)
MEMBERS = members_of(BUNDLE, PARTIES.chair)
IDENTITY = PARTIES.chair.age_identity

FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def documented(call) -> Any:
    """Run ``call``; a documented error is fine, and so is success. Anything else fails."""
    try:
        return call()
    except READ_ERRORS as error:
        assert isinstance(error, SaferypError)
        assert 50 <= error.exit_code <= 79
        message = str(error)
        assert message.endswith(".") and "\n" not in message
        return None


def flips(size: int):
    return st.lists(
        st.tuples(st.integers(0, size - 1), st.integers(1, 255)),
        min_size=1,
        max_size=4,
        unique_by=lambda change: change[0],
    )


def apply_flips(data: bytes, changes: list[tuple[int, int]]) -> bytes:
    changed = bytearray(data)
    for position, mask in changes:
        changed[position] ^= mask
    return bytes(changed)


def splices(data: bytes):
    size = len(data)
    return st.tuples(st.integers(0, size), st.integers(0, size), st.binary(max_size=64))


def apply_splice(data: bytes, splice: tuple[int, int, bytes]) -> bytes:
    start, end, insert = splice
    start, end = sorted((start, end))
    return data[:start] + insert + data[end:]


# -- the age layer ----------------------------------------------------------------------
@FAST
@given(flips(len(BUNDLE)))
def test_flipped_bytes_never_open_and_never_crash(changes) -> None:
    assert documented(lambda: read_bundle(apply_flips(BUNDLE, changes), identity=IDENTITY)) is None


@FAST
@given(st.integers(0, len(BUNDLE) - 1))
def test_a_truncated_bundle_never_opens(length: int) -> None:
    assert documented(lambda: read_bundle(BUNDLE[:length], identity=IDENTITY)) is None


@FAST
@given(splices(BUNDLE))
def test_spliced_bytes_never_crash(splice) -> None:
    data = apply_splice(BUNDLE, splice)
    result = documented(lambda: read_bundle(data, identity=IDENTITY))
    assert result is None or data == BUNDLE


@FAST
@given(st.integers(1, len(BUNDLE) - 1), st.integers(1, len(OTHER) - 1))
def test_two_bundles_cut_and_pasted_never_open(cut: int, other_cut: int) -> None:
    data = BUNDLE[:cut] + OTHER[other_cut:]
    result = documented(lambda: read_bundle(data, identity=IDENTITY))
    assert result is None or data in (BUNDLE, OTHER)


@FAST
@given(st.binary(max_size=512))
def test_arbitrary_bytes_never_crash(data: bytes) -> None:
    documented(lambda: read_bundle(data, identity=IDENTITY))
    documented(lambda: read_bundle(b"age-encryption.org/v1\n" + data, identity=IDENTITY))
    documented(lambda: read_bundle(b"age-encryption.org/v1\n" + data, passphrase="six words"))


# -- the ZIP, sealed afresh so it reaches the archive reader ------------------------------
@FAST
@given(st.one_of(flips(len(PLAIN)).map(lambda c: apply_flips(PLAIN, c)), splices(PLAIN).map(lambda s: apply_splice(PLAIN, s))))
def test_a_damaged_zip_inside_a_good_envelope_never_crashes(plain: bytes) -> None:
    documented(lambda: read_bundle(seal(plain, PARTIES.chair.age_recipient), identity=IDENTITY))


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.binary(max_size=400), flips(len(PLAIN)).map(lambda c: apply_flips(PLAIN, c))))
def test_the_archive_reader_alone_never_crashes(data: bytes) -> None:
    documented(lambda: archive.unpack(data, LIMITS))


# -- the manifest and the mapping, signed afresh so they reach the schema checks ----------
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=20,
)


def signed(mapping_bytes: bytes, change=None) -> tuple[bytes, bytes, dict[str, bytes]]:
    manifest = manifest_of(MEMBERS)
    manifest["members"] = {
        "mapping.json": {"sha256": hashlib.sha256(mapping_bytes).hexdigest(), "size": len(mapping_bytes)}
    }
    if change:
        change(manifest)
    manifest_bytes, signature = sign(manifest, PARTIES.school)
    return manifest_bytes, signature, {"mapping.json": mapping_bytes}


@FAST
@given(json_values)
def test_any_json_as_the_mapping_is_refused_cleanly(value) -> None:
    assert documented(lambda: reverify(*signed(dump_json(value)))) is None


@FAST
@given(st.sampled_from(["school", "links", "evidence", "records", "data_level", "meeting_date"]), json_values)
def test_any_json_in_a_mapping_field_is_refused_or_read(field: str, value) -> None:
    mapping = load_json(MEMBERS["mapping.json"])
    mapping[field] = value
    documented(lambda: reverify(*signed(dump_json(mapping))))


@FAST
@given(st.sampled_from(["sender", "members", "recipients", "created", "sequence", "kind", "version"]), json_values)
def test_any_json_in_a_manifest_field_is_refused_or_read(field: str, value) -> None:
    documented(lambda: reverify(*signed(MEMBERS["mapping.json"], lambda m: m.__setitem__(field, value))))


@FAST
@given(flips(len(MEMBERS["mapping.json"])))
def test_a_flipped_mapping_with_a_matching_signature_is_refused_or_read(changes) -> None:
    documented(lambda: reverify(*signed(apply_flips(MEMBERS["mapping.json"], changes))))


@FAST
@given(flips(len(MEMBERS["manifest.json"])))
def test_a_flipped_manifest_is_refused(changes) -> None:
    manifest = apply_flips(MEMBERS["manifest.json"], changes)
    members = {k: v for k, v in MEMBERS.items() if k in ("mapping.json", "briefing.pdf")}
    assert documented(lambda: reverify(manifest, MEMBERS["manifest.sig"], members)) is None
