"""
Peak memory of the image pipeline (``rma_portal.images.clean_image``) for the worst uploads
the limits allow and the worst ones they refuse.

Each case runs in a fresh Python process, so its peak resident memory (``ru_maxrss``) is
that case's alone; the table gives the peak and what it adds to the process at rest (Django
loaded, nothing decoded). The "parallel" case sends four requests' worth of images (two
each) through four threads of one process at once, as four browsers posting to one
gunicorn worker would.

    .venv/bin/python bench/upload_memory.py            # print the table
    .venv/bin/python bench/upload_memory.py --write docs/performance.md
"""

import argparse
import io
import os
import re
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MARK_BEGIN = "<!-- upload memory: begin -->"
MARK_END = "<!-- upload memory: end -->"

# name -> (what it is, expected outcome)
CASES = {
    "png-rgb-50mp": "PNG, 7071 x 7071 RGB (50 MP, the pixel limit), 0.2 MB",
    "png-rgba-26mp": "PNG, 5120 x 5120 RGBA (26 MP, the limit with transparency)",
    "jpeg-50mp": "JPEG, 8660 x 5773 (50 MP), 2 MB",
    "webp-10mp": "WEBP, 3200 x 3200 RGBA (10.2 MP, about the WEBP limit)",
    "webp-16mp": "WEBP, 4000 x 4000 RGBA (16 MP)",
    "png-rgba-50mp": "PNG, 7071 x 7071 RGBA (50 MP), 0.2 MB",
    "webp-50mp": "WEBP, 7071 x 7071 RGBA (50 MP)",
    "png-bomb": "PNG claiming 20000 x 20000 (400 MP), 0.1 MB",
    "png-truncated": "PNG, 7071 x 7071 RGB, cut off half-way",
    "parallel-png": "4 requests x 2 PNGs of 7000 x 7000 RGBA at once, in one process (the audit's attack)",
    "parallel-png-rgb": "4 requests x 2 PNGs of 7071 x 7071 RGB at once, in one process",
}


def _png(width: int, height: int, mode: str = "RGBA") -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new(mode, (width, height), (200, 30, 30, 255)[: len(mode)]).save(buffer, "PNG")
    return buffer.getvalue()


def _webp(side: int) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGBA", (side, side), (10, 200, 30, 255)).save(buffer, "WEBP", lossless=True)
    return buffer.getvalue()


def _make(case: str) -> list[bytes]:
    from PIL import Image, ImageDraw

    if case == "png-rgb-50mp":
        return [_png(7071, 7071, "RGB")]
    if case == "png-rgba-26mp":
        return [_png(5120, 5120)]
    if case == "png-rgba-50mp":
        return [_png(7071, 7071)]
    if case == "jpeg-50mp":
        image = Image.new("RGB", (8660, 5773), (240, 240, 240))
        ImageDraw.Draw(image).rectangle((100, 100, 8000, 5000), outline=(0, 0, 0), width=40)
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=80)
        return [buffer.getvalue()]
    if case == "webp-10mp":
        return [_webp(3200)]
    if case == "webp-16mp":
        return [_webp(4000)]
    if case == "webp-50mp":
        return [_webp(7071)]
    if case == "png-bomb":
        Image.MAX_IMAGE_PIXELS = None
        return [_png(20000, 20000, "L")]
    if case == "png-truncated":
        data = _png(7071, 7071, "RGB")
        return [data[: len(data) // 2]]
    if case == "parallel-png":
        return [_png(7000, 7000)] * 8
    if case == "parallel-png-rgb":
        return [_png(7071, 7071, "RGB")] * 8
    raise SystemExit(f"unknown case {case}")


def _peak_kb() -> int:
    # VmHWM starts afresh with the process (ru_maxrss would carry the parent's peak over).
    status = Path("/proc/self/status").read_text()
    return int(re.search(r"^VmHWM:\s+(\d+) kB", status, re.M).group(1))


def run_case(case: str, folder: Path) -> None:
    """In this (fresh) process: note the memory at rest, run the pipeline on the files, report."""
    import threading

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rma_portal.settings")
    os.environ.setdefault("DJANGO_DEBUG", "1")
    import django

    django.setup()
    from django.core.files.uploadedfile import SimpleUploadedFile

    from rma_portal import images

    files = [path.read_bytes() for path in sorted(folder.iterdir())]
    rest_kb = _peak_kb()
    outcomes = []

    def clean(data: bytes) -> None:
        try:
            images.clean_image(SimpleUploadedFile("photo", data))
            outcomes.append("accepted")
        except images.ImageRejected as error:
            outcomes.append(f"refused: {error.reason}")

    if case.startswith("parallel"):
        requests = [files[n : n + 2] for n in range(0, len(files), 2)]
        threads = [
            threading.Thread(target=lambda pair=pair: [clean(data) for data in pair]) for pair in requests
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    else:
        for data in files:
            clean(data)
    peak_kb = _peak_kb()
    print(f"{rest_kb}\t{peak_kb}\t{'; '.join(sorted(set(outcomes)))}")


def measure() -> list[tuple[str, str, float, float, str]]:
    rows = []
    for case, label in CASES.items():
        with tempfile.TemporaryDirectory() as folder:
            for number, data in enumerate(_make(case)):
                (Path(folder) / f"{number:02d}").write_bytes(data)
            result = subprocess.run(
                [sys.executable, __file__, "--case", case, "--folder", folder],
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=True,
            )
        rest_kb, peak_kb, outcome = result.stdout.strip().splitlines()[-1].split("\t")
        rows.append((case, label, int(peak_kb) / 1024, (int(peak_kb) - int(rest_kb)) / 1024, outcome))
    return rows


def table(rows) -> str:
    lines = [
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC by `bench/upload_memory.py`.",
        "",
        "| upload | outcome | peak RSS (MB) | added by the image (MB) |",
        "|---|---|---:|---:|",
    ]
    for _case, label, peak, added, outcome in rows:
        lines.append(f"| {label} | {outcome} | {peak:.0f} | {added:.0f} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--case", help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--write", type=Path, help="Replace the figures between the markers in this file.")
    args = parser.parse_args()
    if args.case:
        run_case(args.case, args.folder)
        return
    report = table(measure())
    print(report)
    if args.write:
        text = args.write.read_text()
        block = f"{MARK_BEGIN}\n{report}\n{MARK_END}"
        if MARK_BEGIN in text:
            text = re.sub(
                re.escape(MARK_BEGIN) + ".*?" + re.escape(MARK_END), lambda _m: block, text, flags=re.S
            )
        else:
            text = text.rstrip() + "\n\n" + block + "\n"
        args.write.write_text(text)


if __name__ == "__main__":
    main()
