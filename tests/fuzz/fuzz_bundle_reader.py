"""Fuzz the bundle reader: whatever the input, only the documented errors may escape.

With atheris (``pip install atheris``; not needed by CI)::

    uv run python tests/fuzz/fuzz_bundle_reader.py --write-seeds corpus/
    uv run --with atheris python tests/fuzz/fuzz_bundle_reader.py corpus/ -max_total_time=600

Without it, the same target runs over its seeds and random mutations of them::

    uv run python tests/fuzz/fuzz_bundle_reader.py [ITERATIONS]

The first input byte picks the layer to aim at, so mutations reach past the
encryption: 0 the encrypted bundle as sent; 1 the ZIP inside, sealed afresh to the
reader; 2 the ZIP reader alone; 3 a mapping.json signed afresh (reaches the mapping
checks). The oracle is ``READ_ERRORS``, the same one the property tests use.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import random
import sys
from datetime import UTC, datetime

import pyrage

try:
    import atheris  # type: ignore[import-not-found]
except ImportError:
    atheris = None

# atheris measures coverage of the code imported inside this block.
with atheris.instrument_imports(include=["saferyp_desktop"]) if atheris else contextlib.nullcontext():
    from saferyp_desktop.crypto import archive
    from saferyp_desktop.crypto.bundle import (
        LIMITS,
        READ_ERRORS,
        SIGNATURE_CONTEXT,
        SenderInfo,
        read_bundle,
        reverify,
        write_bundle,
    )
    from saferyp_desktop.crypto.keys import WorkspaceKeys
    from saferyp_desktop.crypto.schemas import dump_json

SCHOOL = WorkspaceKeys.generate()
CHAIR = WorkspaceKeys.generate()
MAPPING = {
    "format": "saferyp-mapping",
    "version": 1,
    "profile": "wiltshire",
    "data_level": "codes",
    "demo": True,
    "school": {"name": "Fuzz School", "urn": "100001"},
    "meeting_date": None,
    "records": {
        "location": [
            {
                "kind": "location", "id": "0b6f3a51-3c3e-4f0e-9d57-0d6a5b1c2e01", "code": "LC-01",
                "created": "2025-01-01T00:00:00+00:00", "updated": "2025-01-01T00:00:00+00:00",
                "last_confirmed": None, "retired": None, "notes": "", "label": "Park",
                "location_kind": "park", "where": "", "postcode": "SN1 2AB", "when": "",
                "guardianship": "", "harm_categories": ["cce"], "rating": "red",
            }
        ]
    },
    "links": [],
    "evidence": [],
}  # fmt: skip


def _seed_bundle() -> bytes:
    return write_bundle(
        kind="submission",
        sender=SenderInfo("Fuzz School", "100001", "school", SCHOOL),
        recipients=[CHAIR.age_recipient],
        passphrase=None,
        mapping=MAPPING,
        briefing_pdf=b"%PDF-1.4\n%%EOF\n",
        sequence=1,
        created=datetime(2025, 1, 1, tzinfo=UTC),
    )


SEED_BUNDLE = _seed_bundle()
SEED_ZIP = pyrage.decrypt(SEED_BUNDLE, [CHAIR.identity])
SEED_MAPPING = dump_json(MAPPING)
_CHAIR_RECIPIENT = pyrage.x25519.Recipient.from_str(CHAIR.age_recipient)
_MANIFEST = json.loads(archive.unpack(SEED_ZIP, LIMITS)["manifest.json"])


def _signed_mapping(mapping: bytes) -> tuple[bytes, bytes, dict[str, bytes]]:
    manifest = dict(_MANIFEST)
    manifest["members"] = {
        "mapping.json": {"sha256": hashlib.sha256(mapping).hexdigest(), "size": len(mapping)}
    }
    manifest_bytes = dump_json(manifest, indent=2) + b"\n"
    signature = SCHOOL.signing_key.sign(SIGNATURE_CONTEXT + manifest_bytes)
    return manifest_bytes, signature, {"mapping.json": mapping}


def TestOneInput(data: bytes) -> None:  # noqa: N802 (atheris's name)
    if not data:
        return
    layer, body = data[0] % 4, data[1:]
    try:
        if layer == 0:
            read_bundle(body, identity=CHAIR.age_identity)
        elif layer == 1:
            read_bundle(pyrage.encrypt(body, [_CHAIR_RECIPIENT]), identity=CHAIR.age_identity)
        elif layer == 2:
            archive.unpack(body, LIMITS)
        else:
            reverify(*_signed_mapping(body))
    except READ_ERRORS:
        pass


SEEDS = [bytes([0]) + SEED_BUNDLE, bytes([1]) + SEED_ZIP, bytes([2]) + SEED_ZIP, bytes([3]) + SEED_MAPPING]


def _mutate(rng: random.Random, data: bytes) -> bytes:
    changed = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        choice = rng.random()
        position = rng.randrange(1, len(changed)) if len(changed) > 1 else 1
        if choice < 0.5 and len(changed) > 1:
            changed[position] ^= 1 << rng.randrange(8)
        elif choice < 0.7:
            del changed[position : position + rng.randint(1, 16)]
        elif choice < 0.9:
            changed[position:position] = rng.randbytes(rng.randint(1, 16))
        else:
            del changed[position:]
    return bytes(changed)


def run_without_atheris(iterations: int, seed: int = 0) -> int:
    """Run the target over the seeds and ``iterations`` random mutations; return the count."""
    rng = random.Random(seed)
    for data in SEEDS:
        TestOneInput(data)
    for _ in range(iterations):
        TestOneInput(_mutate(rng, rng.choice(SEEDS)))
    return len(SEEDS) + iterations


def write_seeds(folder: str) -> None:
    """Write the seed inputs as a starting corpus for atheris (libFuzzer)."""
    from pathlib import Path

    Path(folder).mkdir(parents=True, exist_ok=True)
    for number, data in enumerate(SEEDS):
        (Path(folder) / f"seed-{number}").write_bytes(data)


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--write-seeds":
        write_seeds(sys.argv[2])
        return
    if atheris is None:
        count = run_without_atheris(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
        print(f"atheris is not installed; ran {count} inputs with no undocumented error.")
        return
    atheris.Setup(sys.argv, TestOneInput)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
