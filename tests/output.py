"""The test output folder: screenshots and emails a person reads after a run.

``var/test-output/`` by default (ignored by git), or ``TEST_OUTPUT_DIR``.
"""

import os
from pathlib import Path

from django.conf import settings


def output_folder(*parts: str) -> Path:
    """``<output>/<parts...>``, made if missing."""
    root = Path(os.environ.get("TEST_OUTPUT_DIR") or Path(settings.BASE_DIR) / "var" / "test-output")
    folder = root.joinpath(*parts)
    folder.mkdir(parents=True, exist_ok=True)
    return folder
