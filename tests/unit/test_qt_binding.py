"""Guards against the PySide6 6.12.0 reference-count bug on ``None``.

PySide6 6.12.0 on Python 3.11 drops a reference to ``None`` in every void-returning
method, so a long-running program aborts. If a later version brings it back, this
test fails before a DSL's program does.
"""

import subprocess
import sys

import PySide6

LOOP = """
import sys
from PySide6.QtCore import QObject
before = sys.getrefcount(None)
for _ in range(20_000):
    QObject().setObjectName("x")
after = sys.getrefcount(None)
# Immortal None (3.12+) reports a huge constant; on 3.11 a leak shows as a fall.
print(after - before)
"""


def test_void_methods_do_not_drop_references_to_none() -> None:
    result = subprocess.run(
        [sys.executable, "-c", LOOP], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, f"Qt binding crashed: {result.returncode} {result.stderr[-500:]}"
    assert int(result.stdout.strip()) > -1000, "void Qt methods are losing references to None"


def test_binding_is_not_the_known_broken_release() -> None:
    assert PySide6.__version__ != "6.12.0"
