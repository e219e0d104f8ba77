"""The command line: ``dejpeg analyze``, ``dejpeg restore`` and ``dejpeg serve``.

Bad input is one line on stderr per file and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Sequence

import numpy as np
from PIL import Image
from tqdm import tqdm

from . import __version__
from .errors import InputError
from .models.restorer import DEFAULT_MODEL, MODELS
from .pipeline import analyze
from .report import Report
from .restore import restore

EXIT_INPUT_ERROR = 1
VERDICT_WORDS = {"none": "never compressed", "single": "compressed once", "double": "compressed twice"}


def summary(path: str, report: Report) -> str:
    """A few human-readable lines about one report."""
    src, comp, quality = report.source, report.compression, report.quality
    lines = [f"{path}: {src['format']} {src['width']}x{src['height']} {src['mode']}, {src['bytes']} bytes"]
    jpeg = report.jpeg
    if jpeg is not None:
        tables = "standard IJG tables" if jpeg["standard_tables"] else \
            f"non-standard tables (nearest IJG fit, error {jpeg['table_fit_error']:.3f})"
        lines.append(f"  header: quality {jpeg['quality']} ({tables}), {jpeg['subsampling']}, "
                     f"{'progressive' if jpeg['progressive'] else 'baseline'}")
    qf = f", quality ~{quality.estimate:g}" if quality.estimate is not None else ""
    lines.append(f"  pixels: {VERDICT_WORDS[comp.verdict]} (confidence {comp.confidence:.2f}){qf} "
                 f"[{comp.method}]")
    grid = report.grid
    lines.append(f"  block grid: offset ({grid.dx}, {grid.dy}), confidence {grid.confidence:.2f}")
    if report.maps is not None:
        regions = report.maps["regions"]
        lines.append(f"  maps: {len(regions)} region(s) with another compression history"
                     + "".join(f"; at x {r['bbox'][0]}, y {r['bbox'][1]}, {r['bbox'][2]}x{r['bbox'][3]}: "
                               f"QF {r['quality']:g} vs {r['rest_quality']:g}" for r in regions[:3]))
    return "\n".join(lines)


def write_maps(report: Report, folder: str, stem: str) -> None:
    """Write ``folder/<stem>.qf.png`` (8-bit, QF 1..100 per pixel, 0 = not compressed) and
    ``folder/<stem>.flag.png`` (0 or 255), both at the input's full resolution."""
    os.makedirs(folder, exist_ok=True)
    maps = report.pixel_maps
    Image.fromarray(maps.quality, "L").save(os.path.join(folder, f"{stem}.qf.png"))
    Image.fromarray(maps.flag.astype(np.uint8) * 255, "L").save(os.path.join(folder, f"{stem}.flag.png"))


def _analyze(args: argparse.Namespace) -> int:
    failed = 0
    paths = tqdm(args.paths, unit="image", disable=len(args.paths) < 2 or not sys.stderr.isatty())
    for path in paths:
        try:
            report = analyze(path, name=os.path.basename(path), maps=args.maps is not None)
            if args.maps is not None:
                write_maps(report, args.maps, Path(path).stem)
        except InputError as err:
            failed += 1
            paths.write(f"{path}: error: {err.message}", file=sys.stderr)
            continue
        except OSError as err:
            failed += 1
            paths.write(f"{args.maps}: error: {err.strerror or err}", file=sys.stderr)
            continue
        if args.json:
            print(json.dumps({"path": path, **report.to_json()}), flush=True)
        else:
            paths.write(summary(path, report))
    return EXIT_INPUT_ERROR if failed else 0


def _restore(args: argparse.Namespace) -> int:
    """Restore one image to a PNG; one line on stderr and exit 1 on bad input."""
    try:
        result = restore(args.input, quality=args.quality, model=args.model, ensemble=args.ensemble)
        png = result.to_png()
        with open(args.output, "wb") as f:
            f.write(png)
    except InputError as err:
        print(f"{args.input}: error: {err.message}", file=sys.stderr)
        return EXIT_INPUT_ERROR
    except OSError as err:
        print(f"{args.output}: error: {err.strerror or err}", file=sys.stderr)
        return EXIT_INPUT_ERROR
    print(f"{args.output}: restored with {result.model}{' (8-orientation ensemble)' if result.ensemble else ''} "
          f"at quality {result.quality:g} ({result.quality_source}) in {result.seconds:.2f} s")
    return 0


def _serve(args: argparse.Namespace) -> int:
    """Replace this process with gunicorn serving :func:`dejpeg.app.create_app`."""
    argv = [sys.executable, "-m", "gunicorn", "--bind", f"{args.host}:{args.port}",
            "--workers", str(args.workers), "--timeout", "300", "--no-control-socket",
            "dejpeg.app:create_app()"]
    os.execv(sys.executable, argv)
    return 0  # not reached


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="dejpeg", description="JPEG forensics and restoration.")
    parser.add_argument("--version", action="version", version=f"dejpeg {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    a = commands.add_parser("analyze", help="report the compression history of images")
    a.add_argument("paths", nargs="+", metavar="PATH")
    a.add_argument("--json", action="store_true", help="one JSON report per line, with a 'path' field")
    a.add_argument("--maps", metavar="DIR", help="also write DIR/<stem>.qf.png and DIR/<stem>.flag.png "
                   "(per-pixel QF, 0 = not compressed; compressed flag 0/255)")
    a.set_defaults(run=_analyze)

    r = commands.add_parser("restore", help="remove JPEG artifacts; writes a PNG")
    r.add_argument("input", metavar="IN")
    r.add_argument("output", metavar="OUT", help="PNG file to write")
    r.add_argument("--model", default=DEFAULT_MODEL, help=f"one of {', '.join(MODELS)} (default {DEFAULT_MODEL})")
    r.add_argument("--quality", help="JPEG quality 1-100 of the last compression (default: estimated)")
    r.add_argument("--ensemble", action="store_true",
                   help="average the restorations of the 8 rotations/mirror images (about 9x slower, a little cleaner)")
    r.set_defaults(run=_restore)

    s = commands.add_parser("serve", help="run the production server (gunicorn)")
    s.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    s.add_argument("--port", type=int, default=int(os.environ.get("PORT", "5000")))
    s.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "2")))
    s.set_defaults(run=_serve)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
