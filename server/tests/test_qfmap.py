"""QF maps: block features, upsampling, region finding, the ensemble's averaging, and the
shipped networks on small synthetic collages."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from dejpeg.classical import GridEstimate, grid_blocks
from dejpeg.features import block_dct, luma
from dejpeg.qfmap import (CHANNELS, COARSER_FIT_THRESHOLD, CUE_AGREEMENT, COLUMN_PHASES, MISFIT_THRESHOLD, QUALITIES, REFINE_EVIDENCE,
                          block_features, coarser_fit, describe_regions, dominant_misfit, estimate_maps, find_regions,
                          image_table, last_table_quality, lattice_evidence, lattice_fit, maps_available,
                          outline_pixels, phase_profiles, refine_quality, TABLE_CUES, TableCues, table_cues, to_pixels,
                          two_table_split, two_tables)
from dejpeg.jpegfacts import IJG_LUMA_TABLES
from dejpeg.models.qfmap import ALL_CHANNELS, MEMBERS, WITHOUT_TABLE_CUES, QfMapEnsemble, QfMapNetwork


def jpeg(pixels: np.ndarray, quality: int) -> np.ndarray:
    buffer = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(pixels)).save(buffer, "JPEG", quality=quality)
    return np.array(Image.open(buffer).convert("RGB"))


def features_of(pixels: np.ndarray) -> tuple[np.ndarray, GridEstimate]:
    y = luma(pixels)
    grid, coefficients = grid_blocks(y)
    return block_features(y, grid, coefficients), grid


@pytest.mark.parametrize("quality", [20, 50, 80])
def test_lattice_fit_is_tightest_at_the_true_quality(photo, quality):
    y = luma(jpeg(photo, quality))
    fit = lattice_fit(block_dct(y).reshape(-1, 64))
    assert fit.shape == (y.shape[0] // 8 * (y.shape[1] // 8), len(QUALITIES))
    assert QUALITIES[np.argmin(fit.mean(axis=0))] == quality


def test_unquantized_blocks_do_not_fit_fine_lattices(photo):
    fit = lattice_fit(block_dct(luma(photo)).reshape(-1, 64))
    assert fit[:, QUALITIES >= 80].mean() > -2.5
    assert fit[:, QUALITIES >= 80].mean() > lattice_fit(block_dct(luma(jpeg(photo, 80))).reshape(-1, 64))[
        :, QUALITIES >= 80].mean() + 0.5


def test_phase_profiles_show_the_grid_of_a_shifted_region(photo):
    pixels = jpeg(photo, 30)                                   # background on the grid (0, 0)
    region = jpeg(np.ascontiguousarray(photo[67:, 69:]), 30)   # its blocks start at columns 5 mod 8
    pixels[160:, 256:] = region[160 - 67:, 256 - 69:]
    features, grid = features_of(pixels)
    assert features.shape[-1] == CHANNELS and (grid.dx, grid.dy) == (0, 0)

    def strongest_columns(cells: np.ndarray) -> set[int]:
        return set(np.argsort(cells[..., COLUMN_PHASES].mean(axis=(0, 1)))[-2:].tolist())

    assert strongest_columns(features[:16, :28]) == {0, 7}      # both sides of the detected grid's boundary
    assert strongest_columns(features[21:, 33:]) == {4, 5}      # both sides of the region's boundary


def test_block_features_shapes_and_determinism(photo):
    pixels = jpeg(photo, 60)[3:, 5:]
    first, grid = features_of(pixels)
    second, _ = features_of(pixels)
    assert (grid.dx, grid.dy) == (3, 5)
    assert first.shape == ((pixels.shape[0] - 5) // 8, (pixels.shape[1] - 3) // 8, CHANNELS)
    assert first.dtype == np.float32 and np.isfinite(first).all() and np.abs(first).max() < 5
    np.testing.assert_array_equal(first, second)


def test_to_pixels_fills_blocks_and_borders():
    cells = np.arange(6, dtype=np.uint8).reshape(2, 3)
    up = to_pixels(cells, GridEstimate(3, 2, 1.0, 1.0), 21, 30)
    assert up.shape == (21, 30)
    assert up[2, 3] == 0 and up[9, 10] == 0 and up[10, 11] == 4 and up[0, 29] == 2 and up[20, 0] == 3


def test_outline_pixels_keeps_block_centres_and_cuts_corners():
    cells = np.tril(np.ones((6, 6), bool))                   # a staircase: the region below the diagonal
    grid = GridEstimate(3, 2, 1.0, 1.0)
    smooth, blocky = outline_pixels(cells, grid, 52, 54), to_pixels(cells, grid, 52, 54)
    assert smooth.shape == blocky.shape == (52, 54) and smooth.dtype == bool
    np.testing.assert_array_equal(smooth[2 + 3::8, 3 + 3::8][:6, :6], cells)      # each block's centre
    assert (smooth != blocky).any() and np.mean(smooth != blocky) < 0.1
    assert smooth[:2].tolist() == smooth[2:3].repeat(2, axis=0).tolist()           # borders repeat the edge
    assert not outline_pixels(np.zeros((0, 0), bool), grid, 5, 5).any()


def test_the_likelihood_places_the_outline_within_the_blocks_along_it():
    cells = np.zeros((4, 8), bool)
    cells[:, :4] = True                                      # region: block columns 0..3
    grid = GridEstimate(0, 0, 1.0, 1.0)
    likelihood = np.zeros((4, 8), np.float32)
    likelihood[:, :4] = 1.0
    likelihood[:, 3] = 0.7                                   # the region barely covers column 3's block
    likelihood[:, 6] = 0.9                                   # not along the outline: ignored
    binary = outline_pixels(cells, grid, 32, 64)
    placed = outline_pixels(cells, grid, 32, 64, likelihood)
    assert binary[0].sum() == 32                             # halfway between centres 27.5 and 35.5
    assert placed[0].sum() == 30                             # 0.7 -> 0: 1/2 crossed at x = 29.8
    np.testing.assert_array_equal(placed, placed[:1].repeat(32, axis=0))
    likelihood[:, 3] = 0.2                                   # a block the mask keeps, whatever the network says:
    likelihood[:, 4] = 0.9                                   # 0.6 -> 0.4, 1/2 crossed halfway, at x = 31.5;
    placed = outline_pixels(cells, grid, 32, 64, likelihood)  # the pixels around each centre keep the mask's value
    assert placed[0].sum() == 32 and placed[0, 27:29].all() and not placed[0, 35:37].any()


def test_find_regions_segments_the_blocks_that_differ_and_describes_them():
    different = np.full((40, 50), 0.1, np.float32)
    different[10:22, 5:25] = 0.9
    different[30:32, 40:42] = 0.9                              # too small to be a region
    labels = find_regions(different, np.ones_like(different))
    quality = np.where(labels == 1, 20.0, 80.0).astype(np.float32)
    flag = np.ones(quality.shape, bool)
    regions, rest = describe_regions(labels, quality, flag)
    assert rest == {"compressed": True, "quality": 80.0}
    assert len(regions) == 1 and regions[0]["bbox"] == [5, 10, 20, 12]
    assert regions[0]["area"] == 236 == (labels == 1).sum()    # corners lost to the 3x3 vote
    assert regions[0]["quality"] == 20.0 and regions[0]["rest_quality"] == 80.0
    clean = np.zeros((30, 30), np.float32)
    compressed = np.zeros((30, 30), bool)
    compressed[5:15, 5:15] = True
    regions, rest = describe_regions(find_regions(np.zeros((30, 30)), compressed.astype(float)), np.where(compressed, 40.0, clean),
                                     compressed)
    assert rest["compressed"] is False
    assert [r["quality"] for r in regions] == [40.0] and regions[0]["rest_quality"] == 0.0


def test_a_cue_counts_only_where_the_network_agrees():
    different = np.full((40, 50), 0.05, np.float32)
    different[10:20, 5:20] = CUE_AGREEMENT + 0.1             # the network leans to "different" here, below 0.5
    misfit = np.zeros((40, 50), np.float32)
    misfit[10:20, 5:20] = 1.0                                 # the region, off the dominant lattice
    misfit[25:38, 25:45] = 1.0                                # background on the wrong table's side
    labels = find_regions(different, np.ones_like(different), misfit=misfit)
    assert labels.max() == 1 and labels[12:18, 7:18].all() and not labels[25:].any()
    misfit[20:25, 5:20] = 1.0                                 # the same cue running on into the background
    labels = find_regions(different, np.ones_like(different), misfit=misfit)
    assert labels[12:18, 7:18].all() and not labels[23:].any()


def test_flat_blocks_follow_their_textured_neighbours_and_noise_makes_no_region():
    different = np.zeros((30, 30), np.float32)
    different[5:20, 5:20] = 0.9
    weight = np.ones_like(different)
    weight[10:15, 10:15] = 0.05                                # a flat patch: its own P(different) says nothing
    different[10:15, 10:15] = 0.0
    labels = find_regions(different, np.ones_like(different), weight)
    assert labels[10:15, 10:15].all() and not labels[22:].any()
    noisy = np.random.default_rng(0).uniform(0.0, 0.45, (30, 30)).astype(np.float32)
    assert not find_regions(noisy, np.ones_like(noisy)).any()


def refined(pixels: np.ndarray, rough: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """refine_quality of ``pixels`` on the (0, 0) grid, every block flagged."""
    y = luma(pixels)
    grid = GridEstimate(0, 0, 1.0, 1.0)
    coefficients = block_dct(y)
    phases = phase_profiles(y, grid, coefficients.shape[:2])
    return refine_quality(rough, np.ones(rough.shape, bool), labels, coefficients, y, grid, phases)


def test_flat_flagged_areas_of_a_never_compressed_image_are_no_region():
    probability = np.zeros((40, 40), np.float32)
    probability[5:15, 5:15] = probability[25:35, 25:35] = 0.99
    weight = np.ones((40, 40), np.float32)
    weight[5:15, 5:15] = 0.05                                 # flat, e.g. a blown-out highlight
    labels = find_regions(np.zeros((40, 40), np.float32), probability, weight)
    assert labels.max() == 1 and labels[30, 30] == 1 and not labels[5:15, 5:15].any()


def test_refine_quality_snaps_each_segment_to_its_quantization_table(photo):
    pixels = jpeg(photo, 75)
    pixels[:, 256:] = jpeg(photo, 35)[:, 256:]
    labels = np.zeros((48, 64), np.int32)
    labels[:, 32:] = 1
    rough = np.where(labels == 1, 40.0, 70.0).astype(np.float32)
    rough += np.random.default_rng(0).uniform(-4, 4, rough.shape).astype(np.float32)
    result = refined(pixels, rough, labels)
    assert np.all(result[:, :32] == 75) and np.all(result[:, 32:] == 35)
    np.testing.assert_array_equal(refined(photo, rough, labels), rough)     # wrongly flagged: no lattice, QF stays


def test_refine_quality_finds_the_table_of_a_region_on_a_shifted_grid(photo):
    shifted = photo.copy()
    shifted[5:, 3:] = jpeg(photo[5:, 3:], 40)                   # its blocks start at row 5, column 3
    pixels = jpeg(photo, 80)
    pixels[:, 256:] = shifted[:, 256:]
    labels = np.zeros((48, 64), np.int32)
    labels[:, 32:] = 1
    result = refined(pixels, np.full(labels.shape, 60.0, np.float32), labels)
    assert np.all(result[:, :32] == 80) and np.all(result[:, 32:] == 40)


@pytest.mark.parametrize("first, last", [(30, 70), (20, 85), (50, 75), (70, 40)])
def test_last_table_quality_is_the_last_compression_of_a_double_jpeg(photo, first, last):
    coefficients = block_dct(luma(jpeg(jpeg(photo, first), last))).reshape(-1, 64)
    quality, evidence = last_table_quality(coefficients)
    assert quality == last and evidence >= REFINE_EVIDENCE
    assert last_table_quality(block_dct(luma(photo)).reshape(-1, 64))[1] < REFINE_EVIDENCE


def test_every_member_of_the_ensemble_ships():
    assert maps_available() and [m.weights.is_file() for m in MEMBERS] == [True] * len(MEMBERS)


def test_each_network_reads_its_own_channels_and_the_ensemble_averages_them(photo):
    features, _ = features_of(jpeg(photo, 40))
    without, every = (QfMapNetwork(next(m for m in MEMBERS if m.channels == c))
                      for c in (WITHOUT_TABLE_CUES, ALL_CHANNELS))
    changed = features.copy()
    changed[..., TABLE_CUES] += 1.0
    assert all(np.array_equal(a, b) for a, b in zip(without.predict(features), without.predict(changed)))
    assert not np.allclose(every.predict(features)[2], every.predict(changed)[2])
    pair = QfMapEnsemble([without, every])
    for mean, a, b in zip(pair.predict(features), without.predict(features), every.predict(features)):
        np.testing.assert_allclose(mean, (a + b) / 2, rtol=1e-5, atol=1e-5)


def maps_of(pixels: np.ndarray):
    y = luma(pixels)
    return estimate_maps(y, *grid_blocks(y))


def test_compressed_region_in_a_clean_image_is_flagged_and_boxed(photo):
    pixels = photo.copy()
    pixels[96:256, 160:384] = jpeg(photo, 20)[96:256, 160:384]
    maps = maps_of(pixels)
    assert maps.quality.shape == maps.flag.shape == photo.shape[:2] and maps.quality.dtype == np.uint8
    # the clean top band, without the fixture's fine-stripe patch (x > 358, y < 115): a
    # periodic texture that the network takes for a high-quality JPEG (a known false positive)
    assert maps.flag[112:240, 176:368].mean() > 0.9 and maps.flag[:80, :352].mean() < 0.05
    x, y, w, h = maps.regions[0]["bbox"]
    assert abs(x - 160) <= 16 and abs(y - 96) <= 16 and abs(x + w - 384) <= 16 and abs(y + h - 256) <= 16
    assert abs(maps.regions[0]["quality"] - 20) <= 8 and maps.regions[0]["rest_quality"] == 0.0


def test_uniform_jpeg_gives_a_flat_map_near_its_quality(photo):
    maps = maps_of(jpeg(photo, 50)[2:, 1:])
    assert maps.flag.mean() > 0.95 and abs(float(np.median(maps.quality)) - 50) <= 5
    assert maps.regions == [] and not maps.different.any()


def test_maps_are_deterministic_and_cover_odd_sizes(photo):
    pixels = jpeg(photo, 70)[:133, :201]
    first, second = maps_of(pixels), maps_of(pixels)
    assert first.quality.shape == (133, 201)
    np.testing.assert_array_equal(first.quality, second.quality)
    np.testing.assert_array_equal(first.flag, second.flag)


def test_tiny_image_gets_empty_maps():
    y = luma(np.full((6, 9, 3), 128, np.uint8))
    maps = estimate_maps(y, *grid_blocks(y))
    assert maps.quality.shape == (6, 9) and not maps.flag.any() and maps.regions == []


def test_dominant_misfit_marks_the_blocks_off_the_background_table(photo):
    pixels = jpeg(photo, 60)
    pixels[128:320, 192:448] = jpeg(photo, 45)[128:320, 192:448]      # blocks 16..40 x 24..56
    coefficients = block_dct(luma(pixels))
    flat = coefficients.reshape(-1, 64)
    misfit = dominant_misfit(flat, image_table(flat), coefficients.shape[:2])
    assert misfit.shape == coefficients.shape[:2]
    assert np.mean(misfit[18:38, 26:54] > 0.5) > 0.9 and np.mean(misfit[:12] > 0.5) < 0.05
    assert dominant_misfit(block_dct(luma(photo)).reshape(-1, 64), image_table(block_dct(luma(photo)).reshape(-1, 64)),
                           (48, 64)) is None                             # never compressed: no table


def test_coarser_fit_finds_a_coarser_region_from_a_few_seeds(photo):
    pixels = jpeg(photo, 80)
    pixels[128:320, 192:448] = jpeg(photo, 40)[128:320, 192:448]      # blocks 16..40 x 24..56, coarser
    coefficients = block_dct(luma(pixels))
    flat, shape = coefficients.reshape(-1, 64), coefficients.shape[:2]
    table = image_table(flat)
    assert not (dominant_misfit(flat, table, shape) > MISFIT_THRESHOLD).any()   # QF 40 sits on QF 80's lattice
    seeds = np.zeros(shape)
    seeds[20:26, 30:36] = 1.0                                         # the network saw 36 blocks of it
    fit = coarser_fit(flat, table, seeds)
    assert fit.shape == shape
    assert np.mean(fit[18:38, 26:54] < COARSER_FIT_THRESHOLD) > 0.9 and np.mean(fit[:12] < COARSER_FIT_THRESHOLD) < 0.05
    background = np.zeros(shape)
    background[2:8, 2:8] = 1.0
    assert coarser_fit(flat, table, background) is None               # seeds with the image's own table
    assert coarser_fit(flat, table, seeds * (np.arange(shape[1]) < 31)) is None   # 6 seeds: too few


@pytest.mark.parametrize("background, region", [(80, 40), (30, 70)])
def test_two_table_split_finds_a_region_of_another_quality_without_seeds(photo, background, region):
    pixels = jpeg(photo, background)
    pixels[128:320, 192:448] = jpeg(photo, region)[128:320, 192:448]   # blocks 16..40 x 24..56
    coefficients = block_dct(luma(pixels))
    flat, shape = coefficients.reshape(-1, 64), coefficients.shape[:2]
    table = image_table(flat)
    assert {tuple(t) for t in two_tables(flat, table)} == {tuple(IJG_LUMA_TABLES[q - 1]) for q in (background, region)}
    cues = table_cues(coefficients)
    assert cues.evidence.shape == (*shape, 2) and cues.ratio.shape == shape
    split = two_table_split(cues)
    assert split.shape == shape
    assert np.mean(split[18:38, 26:54]) > 0.9 and np.mean(split[:12]) < 0.02


def test_the_dominant_table_is_the_one_that_wins_confidently_on_more_blocks():
    # A smooth coarse background leans weakly towards the finer table on most of its blocks
    # (ratio 0.3) and confidently towards its own on fewer (-3); the region wins confidently (+3).
    ratio = np.full((10, 10), 0.3, np.float32)
    ratio[:, :3] = -3.0                                  # 30 confident background blocks
    ratio[7:, 5:] = 3.0                                  # 15 confident region blocks
    cues = TableCues(np.zeros(64), np.stack([IJG_LUMA_TABLES[21], IJG_LUMA_TABLES[68]]),
                     np.zeros((10, 10, 2), np.float32), ratio)
    np.testing.assert_array_equal(two_table_split(cues), ratio > 1.0)
    np.testing.assert_array_equal(two_table_split(TableCues(cues.table, cues.tables, cues.evidence, -ratio)),
                                  ratio > 1.0)


def test_one_table_or_none_gives_no_split(photo):
    custom = np.clip(IJG_LUMA_TABLES[59] + np.random.default_rng(0).integers(-3, 4, 64) * (IJG_LUMA_TABLES[59] > 3),
                     1, 255)                                              # a camera-like table, not IJG's
    buffer = io.BytesIO()
    Image.fromarray(photo).save(buffer, "JPEG", qtables=[custom.tolist(), IJG_LUMA_TABLES[59].tolist()])
    for pixels in (jpeg(photo, 55), photo, np.array(Image.open(buffer).convert("RGB"))):
        cues = table_cues(block_dct(luma(pixels)))
        assert len(cues.tables) <= 1 and not cues.ratio.any() and not cues.evidence[..., 1].any()
        assert two_table_split(cues) is None
    np.testing.assert_array_equal(table_cues(block_dct(luma(jpeg(photo, 55)))).tables, IJG_LUMA_TABLES[[54]])


def test_lattice_evidence_prefers_the_true_table(photo):
    flat = block_dct(luma(jpeg(photo, 50))).reshape(-1, 64)
    evidence = lattice_evidence(flat, IJG_LUMA_TABLES[[29, 49, 69]])
    assert evidence.shape == (len(flat), 3) and evidence.dtype == np.float32
    assert np.argmax(evidence.sum(axis=0)) == 1
    assert (evidence[:, 1] >= evidence[:, [0, 2]].max(axis=1) - 1e-3).mean() > 0.9


def test_a_flat_blocks_dc_is_judged_with_its_rounding_and_clipping_in_mind():
    tables = IJG_LUMA_TABLES[[16, 57]].reshape(2, 64)            # QF 17 (DC step 47) and QF 58 (DC step 13)
    flat = np.zeros((1, 64), np.float32)
    flat[0, 0] = -144.0     # a QF-17 DC of -141 whose 64 pixels all rounded down: 3 off its lattice, 1 off QF 58's
    evidence = lattice_evidence(flat, tables)[0]
    assert evidence[0] > evidence[1] > 0
    textured = flat.copy()
    textured[0, 1] = tables[0, 1] * tables[1, 1]                 # an AC coefficient on both lattices
    ac_only = textured.copy()
    ac_only[0, 0] = 0.0
    dc_term = lattice_evidence(textured, tables)[0] - lattice_evidence(ac_only, tables)[0]
    assert dc_term[0] < 0                                        # in a textured block, 3 off the lattice is against it
    blown_out = np.zeros((1, 64), np.float32)
    blown_out[0, 0] = 8.0 * (255 - 128)                          # all 255: the DC is set by clipping
    np.testing.assert_array_equal(lattice_evidence(blown_out, tables), 0.0)
