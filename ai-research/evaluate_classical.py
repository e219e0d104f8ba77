"""Evaluate the classical pixel estimators on LIVE1_color + Kodak24.

Every image is Pillow-encoded at QF 10, 20, ..., 90, 95 (and left never-compressed),
decoded and handed to ``dejpeg.analyze`` as a PNG, so only pixels speak. Each case is
run twice: aligned, and cropped by a per-image offset so the block grid is shifted.

    .venv/bin/python ai-research/evaluate_classical.py

writes ai-research/reports/classical.md (and classical.json with every result).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
from tqdm import tqdm

import dejpeg
from benchmarks import benchmark_images, png_bytes, shifted_crop
from data.jpeg_history import jpeg_roundtrip

QUALITIES = [10, 20, 30, 40, 50, 60, 70, 80, 90, 95]
REPORTS = Path(__file__).resolve().parent / "reports"


def run(images: list[tuple[str, np.ndarray]]) -> list[dict]:
    results = []
    cases = [(i, name, pixels, q, shifted) for i, (name, pixels) in enumerate(images)
             for q in [None] + QUALITIES for shifted in (False, True)]
    for i, name, pixels, q, shifted in tqdm(cases, unit="case"):
        decoded = pixels if q is None else jpeg_roundtrip(pixels, q)
        rows, cols = shifted_crop(i) if shifted else (0, 0)
        report = dejpeg.analyze(png_bytes(decoded[rows:, cols:]), name=name)
        evidence = report.evidence
        classical = evidence["classical"]
        results.append({
            "image": name, "quality": q, "shifted": shifted,
            "expected_grid": [(8 - cols) % 8, (8 - rows) % 8],
            "grid": [report.grid.dx, report.grid.dy], "grid_confidence": report.grid.confidence,
            "verdict": classical["compression"]["verdict"],
            "p_compressed": classical["compression"]["probabilities"]["single"],
            "estimate": classical["quality"]["estimate"],
            "variance_test": evidence["dct_variance_test"]["quantized"],
            "determined": evidence["quantization_steps"]["determined"],
            "ms": report.timings_ms["total"],
        })
    return results


def table(results: list[dict]) -> str:
    lines = ["| QF | cases | detected (verdict) | detected (DCT variance test) | QF MAE | QF exact (±0.5) "
             "| grid correct (shifted crops) |",
             "|---:|---:|---:|---:|---:|---:|---:|"]
    for q in [None] + QUALITIES:
        rows = [r for r in results if r["quality"] == q]
        detected = np.mean([r["verdict"] != "none" for r in rows])
        variance = np.mean([r["variance_test"] for r in rows])
        shifted = [r for r in rows if r["shifted"]]
        grid = np.mean([r["grid"] == r["expected_grid"] for r in shifted])
        if q is None:
            lines.append(f"| never compressed | {len(rows)} | **false positives {detected:.1%}** "
                         f"| false positives {variance:.1%} | – | – | – |")
            continue
        errors = [abs(r["estimate"] - q) for r in rows if r["estimate"] is not None]
        mae = f"{np.mean(errors):.2f}" if errors else "–"
        exact = f"{np.mean([e <= 0.5 for e in errors]):.1%}" if errors else "–"
        lines.append(f"| {q} | {len(rows)} | {detected:.1%} | {variance:.1%} | {mae} | {exact} | {grid:.1%} |")
    return "\n".join(lines)


def summary(results: list[dict]) -> dict:
    clean = [r for r in results if r["quality"] is None]
    compressed = [r for r in results if r["quality"] is not None]
    tpr = float(np.mean([r["verdict"] != "none" for r in compressed]))
    fpr = float(np.mean([r["verdict"] != "none" for r in clean]))
    errors = [abs(r["estimate"] - r["quality"]) for r in compressed if r["estimate"] is not None]
    return {"balanced_accuracy": (tpr + 1 - fpr) / 2, "true_positive_rate": tpr, "false_positive_rate": fpr,
            "qf_mae": float(np.mean(errors)), "median_ms": float(np.median([r["ms"] for r in results]))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--limit", type=int, default=None, help="first N images only (smoke run)")
    args = parser.parse_args()
    images = benchmark_images("LIVE1_color", "Kodak24")[: args.limit]
    results = run(images)
    s = summary(results)
    REPORTS.mkdir(exist_ok=True)
    (REPORTS / "classical.json").write_text(json.dumps({"summary": s, "results": results}, indent=1))
    report = f"""# Classical pixel estimators (no learned model)

Data: {len(images)} images of `../shared/benchmarks` (LIVE1_color + Kodak24), each Pillow-encoded
(4:2:0) at QF {', '.join(map(str, QUALITIES))} or left never-compressed, decoded and handed to
`dejpeg.analyze` as PNG (pixels only). Every case twice: aligned, and cropped by 1..7 rows and
columns (block grid shifted). Estimators: block-grid detection, quantization-step estimation
with inverse IJG scaling (drives the verdict and the QF), and the seed's DCT variance test
(evidence only).

Command: `.venv/bin/python ai-research/evaluate_classical.py`

## Summary

- balanced accuracy (compressed at QF 10..95 vs never compressed): **{s['balanced_accuracy']:.2%}**
- false-positive rate on never-compressed pixels: **{s['false_positive_rate']:.2%}**
- QF mean absolute error over detected compressed cases: **{s['qf_mae']:.2f}**
- median `analyze` time per image: {s['median_ms']:.0f} ms

## Per quality factor

{table(results)}
"""
    (REPORTS / "classical.md").write_text(report)
    print(report)


if __name__ == "__main__":
    main()
