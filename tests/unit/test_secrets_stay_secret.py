"""Secrets never show in a repr, so no log line or error report can carry one."""

from saferyp_desktop.crypto.keys import WorkspaceKeys
from saferyp_desktop.services.exchange import BundleResult


def test_workspace_keys_hide_their_secrets() -> None:
    keys = WorkspaceKeys.generate()
    text = repr(keys) + str(keys)
    assert "AGE-SECRET-KEY" not in text
    assert keys.signing_seed.hex() not in text
    assert keys.age_recipient.startswith("age1")  # the public side is still there to use


def test_a_bundle_result_hides_its_six_words() -> None:
    fields = BundleResult.__dataclass_fields__
    assert fields["passphrase"].repr is False
