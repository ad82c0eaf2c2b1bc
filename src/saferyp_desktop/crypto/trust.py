"""Whether to accept a verified bundle's signer, and whether it was opened before.

Pure functions over what the workspace has stored; the caller looks the state up
(the key it holds for this sender, the bundle ids and last sequence number seen)
and records the new state only after the import succeeds.
"""

from __future__ import annotations

import hmac
from collections.abc import Collection
from typing import TYPE_CHECKING

from saferyp_desktop.crypto.keys import fingerprint, normalise_fingerprint
from saferyp_desktop.errors import (
    AlreadyImported,
    FingerprintMismatch,
    Replayed,
    SignerChanged,
    UnknownSigner,
    UsageError,
)

if TYPE_CHECKING:
    from saferyp_desktop.crypto.bundle import VerifiedBundle

TRUST_ERRORS = (UnknownSigner, SignerChanged, FingerprintMismatch, AlreadyImported, Replayed)


def check_signer(
    verified: VerifiedBundle,
    known_key_for_sender: bytes | None,
    accept_new_fingerprint: str | None,
    replace_fingerprint: str | None = None,
) -> bool:
    """Accept the bundle's signer, or raise why not; True when it replaces a known key.

    ``known_key_for_sender`` is the signing key this workspace already holds for the
    sender (a school by URN; a school's chair from ``saferyp trust``), or None for a
    first bundle. A first bundle is accepted only when ``accept_new_fingerprint`` is
    the fingerprint the person confirmed with the sender (as typed: case, spaces and
    hyphens do not matter). A different key for a known sender is refused
    (SignerChanged, carrying both fingerprints), whatever ``accept_new_fingerprint``
    says: changing a sender's key is a deliberate step of its own, taken only with
    ``replace_fingerprint``, the new key's fingerprint as confirmed by phone
    (FingerprintMismatch when it is another). ``replace_fingerprint`` for a bundle
    signed by the key already trusted is ignored if it is that key's fingerprint (there
    is nothing to replace) and FingerprintMismatch if not; for a first bundle, which
    has no key to replace, it is a UsageError.
    """
    new = verified.fingerprint
    if known_key_for_sender is not None:
        if hmac.compare_digest(bytes(known_key_for_sender), verified.verify_key):
            # Nothing to replace: the key asked for is already the trusted one (a command
            # run again), so the bundle opens as any other; another fingerprint is a mistake.
            if (
                replace_fingerprint is not None
                and normalise_fingerprint(replace_fingerprint) != new
            ):
                raise FingerprintMismatch()
            return False
        old = fingerprint(bytes(known_key_for_sender))
        if replace_fingerprint is None:
            raise SignerChanged(
                "This bundle is signed by a different key from the one this school used before "
                f"(fingerprint {new}, not {old}), so it was not opened; if the school has set "
                "up a new workspace, call its DSL on a number you already have, compare the "
                "new fingerprint, then choose to replace the key.",
                fingerprint=new,
                previous_fingerprint=old,
                school=verified.sender_name,
                urn=verified.sender_urn,
            )
        if normalise_fingerprint(replace_fingerprint) != new:
            raise FingerprintMismatch()
        return True
    if replace_fingerprint is not None:
        raise UsageError(
            "This workspace holds no key for this sender yet, so there is none to replace; "
            "check the fingerprint by phone and accept it as a first bundle's key."
        )
    if accept_new_fingerprint is None:
        raise UnknownSigner(
            f"This bundle is signed by a key this workspace has not seen (fingerprint {new}); "
            "check the fingerprint with the sender by phone, then accept it to open the bundle."
        )
    if normalise_fingerprint(accept_new_fingerprint) != new:
        raise FingerprintMismatch()
    return False


def check_not_replayed(
    verified: VerifiedBundle, seen_bundle_ids: Collection[str], last_sequence: int | None
) -> None:
    """Refuse a bundle already opened, or older than the last one opened from its sender."""
    if verified.bundle_id in seen_bundle_ids:
        raise AlreadyImported()
    if last_sequence is not None and verified.sequence <= last_sequence:
        raise Replayed(
            f"This bundle (number {verified.sequence} from its sender) is not newer than one "
            f"already opened (number {last_sequence}); it was not opened."
        )
