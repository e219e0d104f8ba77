"""Build a cache of clean (JPEG-trace-free) natural photographs from Debian packages.

Recipe (see README.md beside this file):

1. ``apt-get download`` a few wallpaper/data packages (exact versions when the
   archive has them) and ``dpkg -x`` them into the cache; no root install.
2. Collect the candidate photographs: the largest JPEG inside each
   Enlightenment background (``.edj`` = Eet container), the lomiri, plasma,
   digikam and MATE nature JPEGs, and (recipe version 6) the LXQt wallpapers
   (JPEG and PNG) and the SDDM Maldives background.  Non-photographs (renders,
   textures) are dropped with a reason.
3. Reduce each photo 4x by exact 4x4 box averaging (``Image.reduce(4)``) after
   cropping 2 pixels from the top-left corner and then to a multiple of 4: every
   8x8 JPEG block boundary of the source then falls in the *middle* of a 4x4
   box, so each reduced pixel difference straddles half a boundary and no
   8-, 4- or 2-periodic structure is left.
4. Verify: blockiness at all 8 phases (Y, Cb, Cr; horizontal and vertical) and
   DCT-coefficient periodicity, before and after; drop any image that keeps
   traces.
5. Split by image into train / val / extra / gray / added / added-gray, write
   ``DIR/<split>/<source>_<name>.png`` and ``DIR/manifest.json``.
   Each train photo is also reduced only 2x (crop 1 px: boundaries mid-box again)
   and verified the same way; the copies that pass go to "fine" (the same scenes
   at twice the detail, 4x the pixels; restorer only).
   "extra" holds the photos that pass the same verification but lie outside the
   first recipe (sources saved at quality < 90, and the MATE package); "gray" the
   photos whose only traces are in the chroma planes, saved as their (clean) luma.
   "added" and "added-gray" are the same two kinds from the packages of recipe
   version 6, kept apart so that the models trained before keep their data.
   The detector trains on train (its shipped weights were trained on it), the
   QF-map networks on every split but val, the restorer on train + extra, plus
   gray, fine and (stage 1g) added / added-gray for its gray samples.

Usage: ``python ai-research/data/clean_photos.py [--cache DIR] [--force]``;
the cache defaults to ``$DEJPEG_DATA`` or ``~/.cache/dejpeg/photos``.
Training code: ``from data.clean_photos import load_split``.
Needs numpy, Pillow and the dejpeg package (its JPEG header reader and block DCT).
"""
from __future__ import annotations

import argparse
import glob
import hashlib
import io
import json
import os
import re
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageCms

from dejpeg.features import block_dct, luma
from dejpeg.jpegfacts import read_jpeg_facts
from dejpeg.qfmap import image_table

RECIPE_VERSION = 6
REDUCE = 4            # box-averaging factor
CROP_OFFSET = 2       # puts source 8x8 block boundaries mid-box (see module doc)
FINE_REDUCE = 2       # the "fine" copies of the train photos ...
FINE_CROP_OFFSET = 1  # ... with the boundaries mid-box too
MIN_QUALITY = 90      # lowest source JPEG quality of the train split (lower: "extra")
MIN_TRACE_DEV = 0.02  # a blockiness phase ratio off 1 by more than this ...
MIN_TRACE_Z = 5.0     # ... and by more than this many standard errors is a trace
MAX_DCT_PERIODICITY = 0.05  # max DCT periodicity allowed after reduction

PACKAGES = {  # package -> wanted version
    "enlightenment-data": "0.25.4-2",
    "lomiri-wallpapers-16.04": "20.04.0-2",
    "lomiri-wallpapers-20.04": "20.04.0-2",
    "plasma-workspace-wallpapers": "4:5.27.5-2",
    "digikam-data": "4:7.9.0-1",
    "mate-backgrounds": "1.26.0-1",
    "lxqt-themes": "1.2.0-1",
    "sddm-theme-maldives": "0.19.0-5",
}
EXTRA_PACKAGES = {"mate-backgrounds"}  # their photos go to the "extra" split
ADDED_PACKAGES = {"lxqt-themes", "sddm-theme-maldives"}  # recipe version 6: "added", "added-gray"

# Inspected by eye: wallpapers (JPEG or PNG) in these packages that are not photographs.
NOT_PHOTOS = {
    "enlightenment_Dunes": "flat vector illustration",
    "enlightenment_Flat-Fan": "flat vector illustration",
    "enlightenment_Flat-Stone-Pattern": "tileable texture, 750x750",
    "enlightenment_Paper-Flower": "tileable paper texture",
    "enlightenment_Sunset-Hills": "illustration with added grain",
    "lomiri_umang": "abstract render",
    "lomiri_Fossa": "illustration",
    "lomiri_Infinite-Sea": "digital artwork",
    "lomiri_Painting-Colors": "abstract render",
    "lomiri_analogpattern": "abstract pattern",
    "plasma_Autumn": "painted illustration",
    "plasma_Flow": "render",
    "plasma_Honeywave": "render",
    "plasma_PastelHills": "render",
    "plasma_SafeLanding": "illustration",
    "plasma_Shell": "render",
    "plasma_Volna": "low-poly render",
    "lxqt_kde-plasma": "render",
    "lxqt_lxqt-origami-green": "render",
    "lxqt_origami-bright-logo": "render with logo",
    "lxqt_origami-dark": "render",
    "lxqt_origami-light": "render",
    "lxqt_plasma-logo-bright": "render with logo",
    "lxqt_plasma-logo-dark": "render with logo",
    "lxqt_plasma_arch": "render with logo",
    "lxqt_simple_blue_widescreen": "render",
    "lxqt_triangles": "low-poly render",
    "lxqt_triangles-logo": "low-poly render with logo",
    "lxqt_waves-logo": "render with logo",
    "lxqt_waves-purple-logo": "render with logo",
    "maldives_maldives": "screenshot of the login screen over maldives_background",
}

# Validation images, chosen for diversity (foliage, snow, dusk landscape,
# indoor still life, sky); everything else is train.
SPLITS = ("train", "val", "extra", "gray", "fine", "added", "added-gray")
VAL = {
    "enlightenment_Red-Maple",
    "enlightenment_Snow-Trees",
    "enlightenment_Mountain",
    "lomiri_free",
    "plasma_Kite",
}

def default_cache() -> Path:
    """Cache directory: ``$DEJPEG_DATA`` or ``~/.cache/dejpeg/photos``."""
    return Path(os.environ.get("DEJPEG_DATA") or Path.home() / ".cache/dejpeg/photos")


# --------------------------------------------------------------- packages

def fetch_package(pkg: str, version: str, cache: Path) -> tuple[Path, dict]:
    """Download (``apt-get download``) and extract (``dpkg -x``) one package.

    Idempotent: a ``.extracted.json`` marker in ``cache/pkgs/<pkg>`` skips both
    steps.  Returns the extraction root and ``{"package", "version", "sha256"}``
    where version is the one actually obtained (read from the .deb).
    """
    root = cache / "pkgs" / pkg
    marker = root / ".extracted.json"
    if marker.exists():
        return root, json.loads(marker.read_text())
    debs = cache / "debs"
    debs.mkdir(parents=True, exist_ok=True)
    found = glob.glob(str(debs / f"{pkg}_*.deb"))
    if not found:
        madison = subprocess.run(["apt-cache", "madison", pkg], capture_output=True, text=True,
                                 check=False).stdout
        available = [line.split("|")[1].strip() for line in madison.splitlines() if "|" in line]
        spec = f"{pkg}={version}" if version in available else pkg
        if spec == pkg:
            print(f"  {pkg}: version {version} not in archive ({available or 'none listed'}); taking the candidate")
        print(f"  apt-get download {spec}")
        subprocess.run(["apt-get", "download", spec], cwd=debs, check=True)
        found = glob.glob(str(debs / f"{pkg}_*.deb"))
    deb = Path(max(found))
    got = subprocess.run(["dpkg-deb", "-f", str(deb), "Version"], capture_output=True, text=True,
                         check=True).stdout.strip()
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    print(f"  dpkg -x {deb.name}")
    subprocess.run(["dpkg", "-x", str(deb), str(root)], check=True)
    info = {"package": pkg, "version": got, "sha256": hashlib.sha256(deb.read_bytes()).hexdigest()}
    marker.write_text(json.dumps(info))
    deb.unlink()  # the extracted tree is what we keep
    return root, info


def eet_entries(data: bytes) -> list[tuple[str, int, bytes]]:
    """Entries of an Eet v2 container as ``(name, flags, raw bytes)``.

    Layout (big-endian int32s, EFL ``eet_lib.c``): magic 0x1ee70f42,
    number of directory entries, number of dictionary entries; then one
    6-int directory entry per file: data offset, stored size, uncompressed
    size, name offset, name size (including the NUL), flags (bit 0
    compressed, bit 1 ciphered, bit 2 alias).  Offsets are from the start of
    the file.  Entries with flags 0 hold their bytes verbatim.
    """
    magic, n_dir, _n_dict = struct.unpack_from(">3I", data, 0)
    if magic != 0x1EE70F42:
        raise ValueError("not an Eet v2 file")
    table = np.frombuffer(data, ">u4", n_dir * 6, 12).reshape(n_dir, 6).astype(np.int64)
    out = []
    for off, size, _dsize, name_off, name_size, flags in table:
        name = data[name_off:name_off + name_size].rstrip(b"\0").decode()
        out.append((name, int(flags), data[off:off + size]))
    return out


def largest_eet_jpeg(path: Path) -> tuple[str, bytes] | None:
    """The ``edje/images/N`` entry (flags 0, a JPEG) with the most pixels."""
    best, best_px = None, 0
    for name, flags, blob in eet_entries(path.read_bytes()):
        if name.startswith("edje/images/") and flags == 0 and blob[:2] == b"\xff\xd8":
            w, h = Image.open(io.BytesIO(blob)).size
            if w * h > best_px:
                best, best_px = (name, blob), w * h
    return best


def dep5_licenses(root: Path) -> dict[str, str]:
    """Basename -> license from a DEP-5 ``debian/copyright`` file."""
    text = next(root.glob("usr/share/doc/*/copyright")).read_text()
    out = {}
    for para in text.split("\n\n"):
        files = re.search(r"^Files:\s*(.+)$", para, re.MULTILINE)
        lic = re.search(r"^License:\s*(.+)$", para, re.MULTILINE)
        if files and lic:
            for f in files.group(1).split():
                out[Path(f).name] = lic.group(1).strip()
    return out


def candidates(roots: dict[str, Path]):
    """Yield every candidate as a dict: key, package, file, license, data (JPEG or PNG bytes)."""
    bg = roots["enlightenment-data"] / "usr/share/enlightenment/data/backgrounds"
    for edj in sorted(bg.glob("*.edj")):
        hit = largest_eet_jpeg(edj)  # None for the Squiggle*.edj (no JPEG inside)
        if hit:
            yield dict(key=f"enlightenment_{edj.stem}", package="enlightenment-data",
                       file=f"{edj.relative_to(roots['enlightenment-data'])}:{hit[0]}",
                       license="BSD-2-clause", data=hit[1])
    for pkg in ("lomiri-wallpapers-16.04", "lomiri-wallpapers-20.04"):
        lic = dep5_licenses(roots[pkg])
        for f in sorted((roots[pkg] / "usr/share/backgrounds").glob("*.jpg")):
            yield dict(key=f"lomiri_{f.stem.split('_by_')[0]}", package=pkg,
                       file=str(f.relative_to(roots[pkg])), license=lic.get(f.name, "unknown"),
                       data=f.read_bytes())
    root = roots["plasma-workspace-wallpapers"]
    for wall in sorted((root / "usr/share/wallpapers").iterdir()):
        jpgs = [f for f in wall.glob("contents/images/*.jpg") if not f.is_symlink()]
        if jpgs:  # the other sizes are symlinks to one file, or smaller crops
            f = max(jpgs, key=lambda p: p.stat().st_size)
            yield dict(key=f"plasma_{wall.name}", package="plasma-workspace-wallpapers",
                       file=str(f.relative_to(root)), license="GPL-2+", data=f.read_bytes())
    root = roots["digikam-data"]
    f = root / "usr/share/digikam/about/images/body-background.jpg"
    yield dict(key="digikam_body-background", package="digikam-data",
               file=str(f.relative_to(root)), license="GPL-2+", data=f.read_bytes())
    root = roots["mate-backgrounds"]
    for f in sorted((root / "usr/share/backgrounds/mate/nature").glob("*.jpg")):
        yield dict(key=f"mate_{f.stem}", package="mate-backgrounds",
                   file=str(f.relative_to(root)), license="GPL-2+", data=f.read_bytes())
    root = roots["lxqt-themes"]  # the folder's License file: CC-BY-SA-3.0, LXQt Project Team
    for f in sorted((root / "usr/share/lxqt/wallpapers").glob("*.[jp][pn]g")):
        yield dict(key=f"lxqt_{f.stem}", package="lxqt-themes",
                   file=str(f.relative_to(root)), license="CC-BY-SA-3.0", data=f.read_bytes())
    root = roots["sddm-theme-maldives"]
    lic = dep5_licenses(root)
    for f in sorted((root / "usr/share/sddm/themes/maldives").glob("*.jpg")):
        yield dict(key=f"maldives_{f.stem}", package="sddm-theme-maldives",
                   file=str(f.relative_to(root)), license=lic.get(f.name, "unknown"), data=f.read_bytes())


# --------------------------------------------------------------- measures

def jpeg_quality(im: Image.Image) -> tuple[int, float]:
    """IJG quality of a JPEG from its tables (dejpeg's header reader).

    Returns ``(quality, table fit error)``; an error of 0 means exact IJG tables.
    """
    facts = read_jpeg_facts(im)
    return int(facts.quality), float(facts.table_fit_error)


def ycbcr(rgb: np.ndarray) -> np.ndarray:
    """(H, W, 3) uint8 RGB -> (H, W, 3) float64 JFIF YCbCr in [0, 255], unrounded."""
    m = np.array([[0.299, 0.587, 0.114],
                  [-0.168736, -0.331264, 0.5],
                  [0.5, -0.418688, -0.081312]])
    return rgb.astype(np.float64) @ m.T + np.array([0.0, 128.0, 128.0])


def phase_ratios(x: np.ndarray, axis: int, strips: int = 16) -> tuple[np.ndarray, np.ndarray]:
    """Blockiness profile of a 2-D plane along one axis: ``(ratios, stderr)``, each (8,).

    ``ratios[p]`` is the mean absolute difference between neighbours (i-1, i)
    with i % 8 == p (the boundary before column/row i), divided by the mean
    over all phases: all ~1.0 when clean; a JPEG decoded on its own grid peaks
    at p = 0.  Differences are clipped at their 90th percentile so that a few
    strong edges cannot dominate one phase.  ``stderr`` is the standard error
    of each ratio, from its spread over ``strips`` bands across the other axis.
    A flat plane (e.g. the chroma of a grey photo) gives ratios 1, stderr inf.
    """
    d = np.abs(np.diff(np.moveaxis(x, axis, -1), axis=-1))
    d = np.minimum(d, max(float(np.percentile(d, 90)), 1.0))
    n, rows = d.shape[-1] // 8 * 8, d.shape[0] // strips * strips
    per = d[:rows, :n].reshape(strips, rows // strips, n // 8, 8).mean(axis=(1, 2))  # (strips, 8)
    level = per.mean(axis=1)
    ok = level > 0.05
    if ok.sum() < 4:
        return np.ones(8), np.full(8, np.inf)
    ratios = per[ok].mean(axis=0) / level[ok].mean()
    stderr = (per[ok] / level[ok, None]).std(axis=0, ddof=1) / np.sqrt(ok.sum())
    return np.roll(ratios, 1), np.roll(stderr, 1)  # per[:, k] is the boundary before k + 1


def blockiness(rgb: np.ndarray) -> dict:
    """8-phase blockiness of Y, Cb, Cr, horizontally ("h") and vertically ("v").

    ``rgb``: (H, W, 3) uint8.  Returns ``{"max_dev", "traces", "Yh": [8 ratios], ...}``:
    ``max_dev`` = max |ratio - 1| over the 48 ratios (0 = no 8-periodic
    structure; q90 JPEGs score 0.3-3), ``traces`` = the planes where some
    phase deviates both by more than ``MIN_TRACE_DEV`` and by more than
    ``MIN_TRACE_Z`` standard errors, i.e. where JPEG structure is visible.
    """
    ycc = ycbcr(rgb)
    out, traces, dev = {}, [], 0.0
    for c, ch in enumerate(("Y", "Cb", "Cr")):
        for axis, d in ((1, "h"), (0, "v")):
            r, se = phase_ratios(ycc[..., c], axis)
            out[ch + d] = [round(float(v), 4) for v in r]
            dev = max(dev, float(np.abs(r - 1).max()))
            if np.any((np.abs(r - 1) > MIN_TRACE_DEV) & (np.abs(r - 1) > MIN_TRACE_Z * se)):
                traces.append(ch + d)
    return {"max_dev": round(dev, 4), "traces": traces, **out}


def dct_periodicity(rgb: np.ndarray, steps: np.ndarray) -> float:
    """How strongly luma DCT coefficients cluster on multiples of ``steps``.

    ``rgb``: (H, W, 3) uint8; ``steps``: (64,) quantizer steps, natural order.
    For each AC frequency with step q >= 2, ``|mean exp(2 pi i c / q)|`` over
    all blocks of the 8x8 grid at (0, 0), minus the same on the grid at (4, 4)
    (which removes the bias of flat regions, where every c is ~0).  Returns the
    mean over those frequencies: ~0 when clean, up to 1 for fresh quantization.
    """
    y = luma(rgb)
    q = steps.reshape(8, 8).astype(np.float64)
    mask = q >= 2
    mask[0, 0] = False
    if not mask.any():
        return 0.0
    score = []
    for off in (0, 4):
        c = block_dct(y, off, off)[..., mask].reshape(-1, int(mask.sum()))
        score.append(np.abs(np.exp(2j * np.pi * c / q[mask]).mean(axis=0)))
    return round(float((score[0] - score[1]).mean()), 4)


# --------------------------------------------------------------- pipeline

def to_srgb(im: Image.Image, icc: bytes | None) -> Image.Image:
    """Convert an RGB image carrying a non-sRGB ICC profile to sRGB (else unchanged)."""
    if not icc:
        return im
    src = ImageCms.ImageCmsProfile(io.BytesIO(icc))
    if "srgb" in ImageCms.getProfileDescription(src).lower():
        return im
    return ImageCms.profileToProfile(im, src, ImageCms.createProfile("sRGB"), outputMode="RGB")


def reduce_clean(rgb: np.ndarray, factor: int = REDUCE, offset: int = CROP_OFFSET) -> np.ndarray:
    """(H, W, 3) uint8 -> (H', W', 3) uint8: crop ``offset`` px top-left, crop to a
    multiple of ``factor``, then exact ``factor`` x ``factor`` box averaging (``Image.reduce``)."""
    a = rgb[offset:, offset:]
    h, w = a.shape[0] // factor * factor, a.shape[1] // factor * factor
    return np.asarray(Image.fromarray(np.ascontiguousarray(a[:h, :w])).reduce(factor))


def fine_copy(rgb: np.ndarray, steps: np.ndarray, icc: bytes | None) -> tuple[dict, np.ndarray | None]:
    """The "fine" copy of a train photo: reduced FINE_REDUCE x (offset FINE_CROP_OFFSET) and
    verified as in :func:`process` (no blockiness trace in any plane, DCT periodicity at most
    MAX_DCT_PERIODICITY). Returns its manifest record and the sRGB image, or None."""
    small = reduce_clean(rgb, FINE_REDUCE, FINE_CROP_OFFSET)
    after, periodicity = blockiness(small), dct_periodicity(small, steps)
    kept = not after["traces"] and periodicity <= MAX_DCT_PERIODICITY
    record = {"size": [small.shape[1], small.shape[0]], "max_dev": after["max_dev"], "traces": after["traces"],
              "dct_periodicity": periodicity, "kept": kept}
    return record, np.asarray(to_srgb(Image.fromarray(small), icc)) if kept else None


def process(cand: dict) -> tuple[dict, np.ndarray | None, np.ndarray | None]:
    """Evaluate one candidate: returns its manifest entry, the clean image (or None) and,
    for a train photo, its fine copy (or None; :func:`fine_copy`)."""
    im = Image.open(io.BytesIO(cand.pop("data")))
    if im.format == "JPEG":
        quality, fit = jpeg_quality(im)
        entry = {**cand, "jpeg_quality": quality, "ijg_table_error": round(fit, 2),
                 "subsampling": [list(c[1:3]) for c in im.layer], "size": list(im.size)}
    else:  # a PNG: no table of its own, maybe decoded from a JPEG once
        entry = {**cand, "format": im.format, "jpeg_quality": None, "size": list(im.size)}
    key = cand["key"]
    if key in NOT_PHOTOS:
        return {**entry, "kept": False, "reason": f"not a photograph: {NOT_PHOTOS[key]}"}, None, None
    if im.mode == "RGBA" and im.getextrema()[3][0] < 255:
        return {**entry, "kept": False, "reason": "transparent pixels"}, None, None
    icc = im.info.get("icc_profile")
    rgb = np.asarray(im.convert("RGB"))
    small = reduce_clean(rgb)
    if im.format == "JPEG":
        steps = np.asarray(im.quantization[0])
    else:
        steps = image_table(block_dct(luma(rgb), 0, 0).reshape(-1, 64))
        entry["estimated_steps"] = steps.tolist()
    before, after = blockiness(rgb), blockiness(small)
    entry.update(
        clean_size=[small.shape[1], small.shape[0]],
        icc=ImageCms.getProfileDescription(ImageCms.ImageCmsProfile(io.BytesIO(icc))).strip() if icc else None,
        blockiness_before=before, blockiness_after=after,
        dct_periodicity_before=dct_periodicity(rgb, steps),
        dct_periodicity_after=dct_periodicity(small, steps),
    )
    problems = []
    if after["traces"]:
        problems.append(f"blockiness traces after reduction in {','.join(after['traces'])} "
                        f"(max deviation {after['max_dev']:.3f})")
    if entry["dct_periodicity_after"] > MAX_DCT_PERIODICITY:
        problems.append(f"DCT periodicity after reduction {entry['dct_periodicity_after']:.3f}")
    clean = to_srgb(Image.fromarray(small), icc)
    luma_clean = entry["dct_periodicity_after"] <= MAX_DCT_PERIODICITY and not any(
        t.startswith("Y") for t in after["traces"])
    if problems and luma_clean:  # chroma traces only: the luma (Pillow's ITU-R 601 "L") is clean
        return {**entry, "kept": True, "luma_only": True,
                "reason": f"luma clean; {problems[0]}"}, np.asarray(clean.convert("L")), None
    if problems:
        return {**entry, "kept": False, "reason": "; ".join(problems)}, None, None
    entry = {**entry, "kept": True, "reason": "clean after 4x box reduction"}
    fine = None
    if split_of(entry) == "train":
        entry["fine"], fine = fine_copy(rgb, steps, icc)
    return entry, np.asarray(clean), fine


def split_of(entry: dict) -> str:
    """"val" (listed in VAL), "added" / "added-gray" (from ADDED_PACKAGES; luma only clean),
    "gray" (luma only clean), "extra" (below MIN_QUALITY or from EXTRA_PACKAGES) or "train"."""
    if entry["key"] in VAL:
        return "val"
    if entry["package"] in ADDED_PACKAGES:
        return "added-gray" if entry.get("luma_only") else "added"
    if entry.get("luma_only"):
        return "gray"
    if entry["jpeg_quality"] < MIN_QUALITY or entry["package"] in EXTRA_PACKAGES:
        return "extra"
    return "train"


def build(cache: Path, force: bool = False) -> dict:
    """Build (or reuse) the cache; returns the manifest dict."""
    cache.mkdir(parents=True, exist_ok=True)
    manifest_path = cache / "manifest.json"
    if manifest_path.exists() and not force:
        manifest = json.loads(manifest_path.read_text())
        if manifest.get("recipe_version") == RECIPE_VERSION and all(
                (cache / e["png"]).exists() for e in manifest["images"] if e["kept"]) and all(
                (cache / e["fine"]["png"]).exists() for e in manifest["images"] if e.get("fine", {}).get("kept")):
            print(f"cache up to date: {cache}")
            return manifest
    roots, packages = {}, {}
    for pkg, version in PACKAGES.items():
        roots[pkg], packages[pkg] = fetch_package(pkg, version, cache)
        packages[pkg]["wanted"] = version
    for split in SPLITS:
        shutil.rmtree(cache / split, ignore_errors=True)
        (cache / split).mkdir()
    images = []
    for cand in candidates(roots):
        entry, clean, fine = process(cand)
        entry["version"] = packages[entry["package"]]["version"]
        if clean is not None:
            entry["split"] = split_of(entry)
            entry["png"] = f"{entry['split']}/{entry['key']}.png"
            Image.fromarray(clean).save(cache / entry["png"])
        if fine is not None:
            entry["fine"]["png"] = f"fine/{entry['key']}.png"
            Image.fromarray(fine).save(cache / entry["fine"]["png"])
        print(f"  {'keep' if entry['kept'] else 'drop'} {entry['key']:32s} q{entry['jpeg_quality'] or '--'!s:<3} "
              f"{entry['reason']}")
        images.append(entry)
    manifest = {"recipe_version": RECIPE_VERSION, "reduce": REDUCE, "crop_offset": CROP_OFFSET,
                "fine_reduce": FINE_REDUCE, "fine_crop_offset": FINE_CROP_OFFSET,
                "min_trace_dev": MIN_TRACE_DEV, "min_trace_z": MIN_TRACE_Z,
                "max_dct_periodicity": MAX_DCT_PERIODICITY,
                "packages": packages, "images": images}
    manifest_path.write_text(json.dumps(manifest, indent=1))
    return manifest


def load_split(split: str, cache: str | Path | None = None) -> list[tuple[str, np.ndarray]]:
    """Clean images of ``split`` (one of :data:`SPLITS`) as ``(name, (H, W, 3) uint8 RGB)``
    (the gray split's three channels are equal).

    Reads ``<cache>/<split>/*.png`` (cache defaults as in :func:`default_cache`);
    run this script first to build it.
    """
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, not {split!r}")
    folder = Path(cache) if cache is not None else default_cache()
    files = sorted((folder / split).glob("*.png"))
    if not files:
        raise FileNotFoundError(f"no images in {folder / split}; run ai-research/data/clean_photos.py")
    return [(f.stem, np.asarray(Image.open(f).convert("RGB"))) for f in files]


def summary(manifest: dict) -> str:
    """Counts and megapixels per split, and the number of dropped candidates."""
    lines = []
    for split in SPLITS:
        sizes = [e["fine"]["size"] for e in manifest["images"] if e.get("fine", {}).get("kept")] if split == "fine" \
            else [e["clean_size"] for e in manifest["images"] if e.get("split") == split]
        lines.append(f"{split}: {len(sizes)} images, {sum(w * h for w, h in sizes) / 1e6:.2f} MP")
    dropped = sum(not e["kept"] for e in manifest["images"])
    lines.append(f"dropped: {dropped} candidates (see manifest.json)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cache", type=Path, default=None,
                    help="cache dir (default $DEJPEG_DATA or ~/.cache/dejpeg/photos)")
    ap.add_argument("--force", action="store_true", help="re-process the images even if the cache is complete")
    args = ap.parse_args(argv)
    cache = (args.cache or default_cache()).expanduser()
    manifest = build(cache, force=args.force)
    print(summary(manifest))
    print(f"cache: {cache}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
