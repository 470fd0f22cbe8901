"""Named points where a test may kill the process, as a power cut would, to prove a run recovers."""

from __future__ import annotations

import os
import signal

FAULT_ENV = "PORTAL_FAULT_INJECTION"  # set only by tests: the name of the stage to die at


def fault_point(stage: str) -> None:
    """Die here, as a power cut would, when a test asks for it."""
    if os.environ.get(FAULT_ENV) == stage:
        os.kill(os.getpid(), signal.SIGKILL)
