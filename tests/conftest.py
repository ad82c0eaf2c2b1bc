"""Shared test setup: workspaces use a fast key derivation unless a test asks otherwise."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator

import pytest

# Qt draws offscreen, and its settings (recent files, window sizes) go to a private
# folder, never the developer's own; set before anything creates a QApplication.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="saferyp-test-config-")

from saferyp_desktop.storage.database import use_fast_kdf_for_tests

# SQLCipher's 256,000 PBKDF2 rounds cost ~0.2 s per open; tests need not pay it.
FAST_KDF_ITERATIONS = 64


@pytest.fixture(autouse=True)
def fast_kdf() -> Iterator[int]:
    """Key every workspace made or opened in this process with FAST_KDF_ITERATIONS rounds."""
    use_fast_kdf_for_tests(FAST_KDF_ITERATIONS)
    yield FAST_KDF_ITERATIONS
    use_fast_kdf_for_tests(None)


@pytest.fixture
def real_kdf(fast_kdf: int) -> None:
    """Use SQLCipher's default key derivation (as the product does) for this test."""
    use_fast_kdf_for_tests(None)
