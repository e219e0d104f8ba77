// Report fixtures shaped like POST /api/analyze answers (values from the demo images).
import type { JpegFacts, QfMaps, Report, Verdict } from "../report";

const IJG_Q10_LUMA = [
  80, 55, 50, 80, 120, 200, 255, 255, 60, 60, 70, 95, 130, 255, 255, 255, 70, 65, 80, 120, 200, 255, 255, 255, 70, 85,
  110, 145, 255, 255, 255, 255, 90, 110, 185, 255, 255, 255, 255, 255, 120, 175, 255, 255, 255, 255, 255, 255, 245,
  255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
];

export function jpegFacts(overrides: Partial<JpegFacts> = {}): JpegFacts {
  return {
    quality: 10,
    standard_tables: true,
    table_fit_error: 0,
    luma_quality: 10,
    chroma_quality: 10,
    subsampling: "4:2:0",
    progressive: false,
    quantization: { luma: IJG_Q10_LUMA, chroma: IJG_Q10_LUMA.map((s) => Math.min(255, s + 5)) },
    software: null,
    camera: null,
    ...overrides,
  };
}

/**
 * Maps of a 384x256 image on the grid (dx, dy) = (3, 5): 32 x 48 cells, one region of QF 20
 * in a never-compressed rest. The PNGs are stand-ins (tests decode them with a mock).
 */
export function qfMaps(overrides: Partial<QfMaps> = {}): QfMaps {
  return {
    cell: 8,
    dx: 3,
    dy: 5,
    rows: 32,
    columns: 48,
    quality_png: "data:image/png;base64,quality",
    flag_png: "data:image/png;base64,flag",
    different_png: "data:image/png;base64,different",
    regions: [{ bbox: [171, 61, 168, 152], area: 22976, quality: 21, rest_quality: 0 }],
    dominant: { compressed: false, quality: 0 },
    ...overrides,
  };
}

export function report(verdict: Verdict, overrides: Partial<Report> = {}): Report {
  const compressed = verdict !== "none";
  return {
    source: {
      name: compressed ? "single-q10.jpg" : "uncompressed.png",
      format: compressed ? "JPEG" : "PNG",
      width: 384,
      height: 256,
      mode: "RGB",
      bytes: 3540,
      frames: 1,
      bit_depth: 8,
      orientation: 1,
      has_alpha: false,
    },
    jpeg: compressed ? jpegFacts() : null,
    grid: compressed ? { dx: 0, dy: 0, confidence: 0.998 } : { dx: 0, dy: 7, confidence: 0.0085 },
    compression: {
      verdict,
      confidence: 0.914,
      probabilities: {
        none: verdict === "none" ? 0.914 : 0,
        single: verdict === "single" ? 0.914 : 0.043,
        double: verdict === "double" ? 0.914 : 0.043,
      },
      method: "learned:dct-histogram-cnn+classical",
    },
    quality: {
      estimate: compressed ? 10 : null,
      primary_estimate: verdict === "double" ? 41.8 : null,
      method: "classical:quantization-steps+inverse-ijg-scaling",
    },
    evidence: {
      partitions: [
        { top: 0, left: 0, size: 256, probabilities: { none: 0, single: 0.96, double: 0.04 }, quality: 13.1, primary: 42.6 },
      ],
      histograms: {
        bins: [-2, 2],
        frequencies: [{ index: 1, u: 0, v: 1, step: 2, counts: [10, 0, 30, 0, 12] }],
      },
      dct_variance_test: { variance: 0.000337, quantized: true, threshold: 0.0027 },
    },
    timings_ms: { load: 6.6, features: 55.9, classical: 817.8, total: 912.4 },
    ...overrides,
  };
}
