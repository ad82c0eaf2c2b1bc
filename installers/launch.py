"""Entry point of the frozen programs: the command ``saferyp``, else the desktop program.

Which one is chosen by the name the program was started by (``argv[0]``), so one
executable can be both: on Linux ``saferyp`` is a link to ``saferyp-desktop``; on
Windows and macOS they are two executables built from this same script (a windowed
Windows program has no console, and a link inside a signed .app is fragile).
"""

import os
import sys


def _invoked_as() -> str:
    name = os.path.basename(sys.argv[0] if sys.argv and sys.argv[0] else sys.executable)
    return name.lower().removesuffix(".exe")


if _invoked_as() == "saferyp":
    from saferyp_desktop.cli import main
else:
    from saferyp_desktop.app import main

sys.exit(main())
