"""Bundles: a school's submission to the chair, or a chair's outcomes for a school.

Sign, then encrypt (DESIGN.md §5; the format and its checks are in
``docs/bundle-format.md``). A bundle is an age file holding a ZIP of
``manifest.json``, ``manifest.sig`` (Ed25519 over a domain prefix and the manifest's
bytes), ``mapping.json`` and, optionally, ``briefing.pdf``. The reader works on bytes
in memory only and accepts a bundle only when every check passes, in this order:

1. size cap on the encrypted file            5. signature
2. decryption                                6. addressed to whoever opened it (and kind)
3. ZIP: members, names, sizes, zip bombs     7. member hashes and sizes
4. manifest: JSON, version, schema           8. mapping: JSON, version, schema, unique ids

Whether the signer is trusted and whether the bundle was opened before need the
workspace's stored state, so the caller decides them with :func:`check_signer` and
:func:`check_not_replayed` (in :mod:`saferyp_desktop.crypto.trust`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pyrage
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from saferyp_desktop.crypto import archive, envelope
from saferyp_desktop.crypto.bundle_passphrase import generate_bundle_passphrase
from saferyp_desktop.crypto.envelope import Lock, inspect_envelope
from saferyp_desktop.crypto.keys import WorkspaceKeys, fingerprint, parse_recipient
from saferyp_desktop.crypto.schemas import (
    MANIFEST_SCHEMA,
    MAPPING_SCHEMA,
    JsonProblem,
    dump_json,
    load_json,
    schema_problem,
)
from saferyp_desktop.crypto.trust import TRUST_ERRORS, check_not_replayed, check_signer
from saferyp_desktop.errors import (
    BundleContentsMismatch,
    BundleDamaged,
    BundleKeyRequired,
    BundleManifestInvalid,
    BundleMappingInvalid,
    BundleMemberDuplicate,
    BundleMemberMissing,
    BundleMemberTooLarge,
    BundleMemberUnexpected,
    BundleMemberUnsafe,
    BundleMisaddressed,
    BundleNotAge,
    BundleNotForThisKey,
    BundlePassphraseRequired,
    BundleSignatureInvalid,
    BundleTooLarge,
    BundleTooNew,
    BundleWrongKind,
    BundleWrongPassphrase,
    BundleZipBomb,
    BundleZipInvalid,
    RecipientInvalid,
)

__all__ = [
    "BUNDLE_FORMAT",
    "BUNDLE_VERSION",
    "KINDS",
    "MAPPING_FORMAT",
    "MAPPING_VERSION",
    "READ_ERRORS",
    "TRUST_ERRORS",
    "SenderInfo",
    "VerifiedBundle",
    "bundle_lock",
    "check_not_replayed",
    "check_signer",
    "generate_bundle_passphrase",
    "read_bundle",
    "reverify",
    "write_bundle",
]

BUNDLE_FORMAT = "saferyp-bundle"
BUNDLE_VERSION = 1
MAPPING_FORMAT = "saferyp-mapping"
MAPPING_VERSION = 1
KINDS = ("submission", "outcomes")
SIGNATURE_CONTEXT = b"saferyp-bundle-manifest-v1\x00"

MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
MAPPING = "mapping.json"
BRIEFING = "briefing.pdf"
CONTENT_MEMBERS = (MAPPING, BRIEFING)

MIB = 1024 * 1024
MAX_BUNDLE_BYTES = envelope.MAX_BUNDLE_BYTES
LIMITS = archive.Limits(
    allowed=(MANIFEST, SIGNATURE, MAPPING, BRIEFING),
    required=frozenset({MANIFEST, SIGNATURE, MAPPING}),
    member_caps={MANIFEST: 256 * 1024, SIGNATURE: 64, MAPPING: 64 * MIB, BRIEFING: 32 * MIB},
    total_cap=80 * MIB,
)

# Every error read_bundle() and reverify() raise, in the order they are checked; anything
# else escaping them is a bug (the property tests and the fuzz target hold them to it).
READ_ERRORS: tuple[type[Exception], ...] = (
    BundleTooLarge,
    BundleNotAge,
    BundleDamaged,
    BundleNotForThisKey,
    BundleWrongPassphrase,
    BundlePassphraseRequired,
    BundleKeyRequired,
    BundleZipInvalid,
    BundleMemberUnsafe,
    BundleMemberDuplicate,
    BundleMemberUnexpected,
    BundleMemberMissing,
    BundleMemberTooLarge,
    BundleZipBomb,
    BundleTooNew,
    BundleManifestInvalid,
    BundleSignatureInvalid,
    BundleMisaddressed,
    BundleWrongKind,
    BundleContentsMismatch,
    BundleMappingInvalid,
)


@dataclass(frozen=True)
class SenderInfo:
    """Who signs a bundle: the workspace's name, URN (schools), role and keys."""

    name: str
    urn: str
    role: str
    keys: WorkspaceKeys = field(repr=False)


@dataclass(frozen=True, eq=False)
class VerifiedBundle:
    """A bundle that passed every check :func:`read_bundle` makes.

    ``members`` holds ``mapping.json`` (and ``briefing.pdf``) byte for byte as signed,
    so a workspace can store them with ``manifest_bytes`` and ``signature`` and check
    them again later with :func:`reverify`.
    """

    manifest: dict[str, Any]
    manifest_bytes: bytes
    signature: bytes
    mapping: dict[str, Any]
    briefing: bytes | None
    fingerprint: str
    members: dict[str, bytes]

    @property
    def kind(self) -> str:
        return self.manifest["kind"]

    @property
    def bundle_id(self) -> str:
        return self.manifest["bundle_id"]

    @property
    def sequence(self) -> int:
        return self.manifest["sequence"]

    @property
    def created(self) -> datetime:
        return datetime.fromisoformat(self.manifest["created"])

    @property
    def sender_name(self) -> str:
        return self.manifest["sender"]["name"]

    @property
    def sender_urn(self) -> str:
        return self.manifest["sender"]["urn"]

    @property
    def sender_role(self) -> str:
        return self.manifest["sender"]["role"]

    @property
    def sender_recipient(self) -> str:
        return self.manifest["sender"]["age_recipient"]

    @property
    def verify_key(self) -> bytes:
        return base64.b64decode(self.manifest["sender"]["signing_key"])

    @property
    def locked_with_passphrase(self) -> bool:
        return self.manifest["encryption"] == "passphrase"


# -- writing ---------------------------------------------------------------------------
def write_bundle(
    *,
    kind: str,
    sender: SenderInfo,
    recipients: list[str] | None,
    passphrase: str | None,
    mapping: dict[str, Any],
    briefing_pdf: bytes | None,
    sequence: int,
    bundle_id: str | None = None,
    created: datetime | None = None,
) -> bytes:
    """A signed, encrypted bundle, as bytes for the caller to write atomically.

    Encrypted to ``recipients`` (``age1…``) and the sender's own recipient, or, with no
    recipients, to ``passphrase`` (see :func:`generate_bundle_passphrase`). The mapping
    must follow ``docs/schemas/mapping.schema.json``; the writer checks it, so a bundle
    it makes is one the reader accepts.
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}")
    if bool(recipients) == (passphrase is not None):
        raise ValueError("give either recipients or a passphrase, not both and not neither")
    if passphrase is not None and not passphrase.split():
        raise ValueError("the bundle passphrase is empty")
    if isinstance(sequence, bool) or not isinstance(sequence, int) or sequence < 1:
        raise ValueError("sequence must be a positive integer")
    created = created or datetime.now(UTC)
    if created.tzinfo is None:
        raise ValueError("created must be timezone-aware")
    bundle_id = bundle_id or str(uuid.uuid4())
    if str(uuid.UUID(bundle_id)) != bundle_id:
        raise ValueError("bundle_id must be a UUID in canonical form")

    own = sender.keys.age_recipient
    addressed: list[str] = []
    for text in recipients or []:
        recipient = parse_recipient(text)
        if recipient != own and recipient not in addressed:
            addressed.append(recipient)
    if recipients and not addressed:
        raise RecipientInvalid("A bundle cannot be sent only to its sender; add the chair's key.")

    mapping_bytes = dump_json(mapping)
    _check_mapping(mapping, writing=True)
    contents = {MAPPING: mapping_bytes}
    if briefing_pdf is not None:
        contents[BRIEFING] = bytes(briefing_pdf)
    for name, data in contents.items():
        if len(data) > LIMITS.member_caps[name]:
            raise BundleMemberTooLarge(
                f"The {name} is larger than a bundle may carry; nothing was written."
            )

    manifest = {
        "format": BUNDLE_FORMAT,
        "version": BUNDLE_VERSION,
        "kind": kind,
        "bundle_id": bundle_id,
        "sequence": sequence,
        "created": created.astimezone(UTC).replace(microsecond=0).isoformat(),
        "sender": {
            "role": sender.role,
            "name": " ".join(sender.name.split()),
            "urn": sender.urn,
            "signing_key": base64.b64encode(sender.keys.verify_key_bytes).decode("ascii"),
            "age_recipient": own,
        },
        "encryption": "passphrase" if passphrase is not None else "recipients",
        "recipients": addressed,
        "members": {
            name: {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
            for name, data in contents.items()
        },
    }
    problem = schema_problem(MANIFEST_SCHEMA, manifest)
    if problem:
        raise BundleManifestInvalid(f"The bundle's manifest would not be valid ({problem}); nothing was written.")
    manifest_bytes = dump_json(manifest, indent=2) + b"\n"
    signature = sender.keys.signing_key.sign(SIGNATURE_CONTEXT + manifest_bytes)

    plain = archive.pack(
        [(MANIFEST, manifest_bytes, False), (SIGNATURE, signature, False)]
        + [(name, data, True) for name, data in contents.items()]
    )
    if passphrase is not None:
        sealed = envelope.encrypt_to_passphrase(plain, passphrase)
    else:
        sealed = envelope.encrypt_to_recipients(plain, [*addressed, own])
    if len(sealed) > MAX_BUNDLE_BYTES:
        raise BundleTooLarge(
            f"The bundle would be larger than {MAX_BUNDLE_BYTES // MIB} MiB; leave the briefing "
            "out or send fewer records. Nothing was written."
        )
    return sealed


# -- reading ---------------------------------------------------------------------------
def bundle_lock(data: bytes) -> Lock:
    """"recipients" or "passphrase": what opening this bundle needs (reads the header only)."""
    return inspect_envelope(bytes(data)).lock


def read_bundle(
    data: bytes,
    *,
    identity: str | None = None,
    passphrase: str | None = None,
    expect_kind: str | None = None,
) -> VerifiedBundle:
    """Decrypt and verify a bundle in memory; raise the first failed check's error.

    ``identity`` is the opening workspace's ``AGE-SECRET-KEY-1…`` (for a bundle locked
    to keys); ``passphrase`` the six words (for one locked with a passphrase).
    ``expect_kind``, if given, is the only kind accepted. Nothing is written anywhere.
    """
    data = bytes(data)
    plain = envelope.decrypt(data, identity=identity, passphrase=passphrase)
    members = archive.unpack(plain, LIMITS)
    if bundle_lock(data) == "passphrase":
        opened_with: tuple[str, str | None] = ("passphrase", None)
    else:
        if identity is None:  # decrypt() has already refused this; kept for clarity
            raise BundleKeyRequired()
        opened_with = ("recipients", str(pyrage.x25519.Identity.from_str(identity).to_public()))
    content = {name: members[name] for name in CONTENT_MEMBERS if name in members}
    return _verify(
        members[MANIFEST], members[SIGNATURE], content, opened_with=opened_with, expect_kind=expect_kind
    )


def reverify(
    manifest_bytes: bytes, signature: bytes, members: Mapping[str, bytes]
) -> VerifiedBundle:
    """Check a stored bundle again: manifest, signature, hashes, mapping.

    ``members`` holds ``mapping.json`` and, if the bundle had one, ``briefing.pdf``, as
    kept from :attr:`VerifiedBundle.members`. Trust and replay are the caller's, as on import.
    """
    for name in members:
        if name not in CONTENT_MEMBERS:
            raise BundleMemberUnexpected()
    if MAPPING not in members:
        raise BundleMemberMissing(f"The stored bundle has no {MAPPING}.")
    return _verify(bytes(manifest_bytes), bytes(signature), {k: bytes(v) for k, v in members.items()})


def _verify(
    manifest_bytes: bytes,
    signature: bytes,
    content: dict[str, bytes],
    *,
    opened_with: tuple[str, str | None] | None = None,
    expect_kind: str | None = None,
) -> VerifiedBundle:
    manifest = _check_manifest(manifest_bytes)
    verify_key = base64.b64decode(manifest["sender"]["signing_key"])
    _check_signature(verify_key, manifest_bytes, signature)
    if opened_with is not None:
        _check_addressed(manifest, *opened_with)
    if expect_kind is not None and manifest["kind"] != expect_kind:
        raise BundleWrongKind(
            f"This bundle holds {_KIND_WORDS[manifest['kind']]}, but this workspace opens "
            f"{_KIND_WORDS.get(expect_kind, 'another kind')}; it was not opened."
        )
    _check_contents(manifest, content)
    mapping = _check_mapping(load_mapping(content[MAPPING]), writing=False)
    return VerifiedBundle(
        manifest=manifest,
        manifest_bytes=manifest_bytes,
        signature=signature,
        mapping=mapping,
        briefing=content.get(BRIEFING),
        fingerprint=fingerprint(verify_key),
        members=dict(content),
    )


_KIND_WORDS = {"submission": "a school's submission", "outcomes": "a meeting's outcomes"}


def _check_manifest(manifest_bytes: bytes) -> dict[str, Any]:
    try:
        manifest = load_json(manifest_bytes)
    except JsonProblem as problem:
        raise BundleManifestInvalid(
            f"The bundle's manifest is not valid ({problem}); it was not opened."
        ) from None
    _refuse_newer(manifest, BUNDLE_FORMAT, BUNDLE_VERSION)
    problem = schema_problem(MANIFEST_SCHEMA, manifest)
    if problem:
        raise BundleManifestInvalid(f"The bundle's manifest is not valid ({problem}); it was not opened.")
    return manifest


def _refuse_newer(document: Any, format_name: str, version: int) -> None:
    if (
        isinstance(document, dict)
        and document.get("format") == format_name
        and type(document.get("version")) is int
        and document["version"] > version
    ):
        raise BundleTooNew()


def _check_signature(verify_key: bytes, manifest_bytes: bytes, signature: bytes) -> None:
    if len(signature) != 64:
        raise BundleSignatureInvalid(
            "The bundle's signature is not an Ed25519 signature; it was not opened."
        )
    try:
        Ed25519PublicKey.from_public_bytes(verify_key).verify(
            signature, SIGNATURE_CONTEXT + manifest_bytes
        )
    except (InvalidSignature, ValueError):
        raise BundleSignatureInvalid() from None


def _check_addressed(manifest: dict[str, Any], lock: str, opener: str | None) -> None:
    # The signed manifest names whom the sender meant; a bundle decrypted by one of them
    # and re-encrypted to someone else is refused (sign-then-encrypt forwarding).
    if manifest["encryption"] != lock:
        raise BundleMisaddressed(
            "The bundle was signed to be locked "
            + ("with a passphrase" if manifest["encryption"] == "passphrase" else "to workspace keys")
            + ", but arrived locked another way: someone re-sealed it. It was not opened."
        )
    if lock == "recipients" and opener not in [*manifest["recipients"], manifest["sender"]["age_recipient"]]:
        raise BundleMisaddressed()


def _check_contents(manifest: dict[str, Any], content: dict[str, bytes]) -> None:
    listed = manifest["members"]
    if set(listed) != set(content):
        raise BundleContentsMismatch(
            "The bundle's files are not the ones its signed manifest lists; it was not opened."
        )
    for name, data in content.items():
        entry = listed[name]
        if len(data) != entry["size"] or not hmac.compare_digest(
            hashlib.sha256(data).hexdigest(), entry["sha256"]
        ):
            raise BundleContentsMismatch(
                f"The bundle's {name} is not the one its signed manifest describes; it was not opened."
            )


def load_mapping(data: bytes) -> Any:
    """``mapping.json``'s bytes as strict JSON (checked against the schema by the reader)."""
    try:
        return load_json(data)
    except JsonProblem as problem:
        raise BundleMappingInvalid(
            f"The mapping table in the bundle is not valid ({problem}); it was not opened."
        ) from None


def _check_mapping(mapping: Any, *, writing: bool) -> dict[str, Any]:
    subject = "The mapping table to send" if writing else "The mapping table in the bundle"
    ending = "nothing was written" if writing else "it was not opened"
    _refuse_newer(mapping, MAPPING_FORMAT, MAPPING_VERSION)
    problem = schema_problem(MAPPING_SCHEMA, mapping)
    if problem:
        raise BundleMappingInvalid(f"{subject} is not in the bundle format ({problem}); {ending}.")
    ids: set[str] = set()
    count = 0
    for items in (*mapping["records"].values(), mapping["links"], mapping["evidence"]):
        for item in items:
            ids.add(item["id"])
            count += 1
    if len(ids) != count:
        raise BundleMappingInvalid(f"{subject} gives two items the same id; {ending}.")
    return mapping
