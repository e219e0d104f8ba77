// The analysis report of POST /api/analyze (README "The report (a contract)").
// Fields may be added on the server, never renamed; the page reads only what it shows.

export type Verdict = "none" | "single" | "double";

export type ClassProbabilities = Record<Verdict, number>;

export interface SourceFacts {
  name: string;
  format: string;
  width: number;
  height: number;
  mode: string;
  bytes: number;
  frames: number;
  bit_depth: number;
  orientation: number;
  has_alpha: boolean;
}

/** Facts from the JPEG file header; tables are 64 entries in natural (row-major) order. */
export interface JpegFacts {
  quality: number | null;
  standard_tables: boolean;
  table_fit_error: number | null;
  luma_quality: number | null;
  chroma_quality: number | null;
  subsampling: string | null;
  progressive: boolean;
  quantization: { luma: number[]; chroma: number[] | null };
  software: string | null;
  camera: string | null;
}

/** Offset of the 8x8 block grid from the top-left pixel. */
export interface BlockGrid {
  dx: number;
  dy: number;
  confidence: number;
}

export interface Compression {
  verdict: Verdict;
  confidence: number;
  probabilities: ClassProbabilities;
  method: string;
}

/** Quality factors estimated from the pixels: the last compression and, for double, the primary one. */
export interface QualityEstimate {
  estimate: number | null;
  primary_estimate: number | null;
  method: string;
}

/** The learned detector's prediction for one grid-aligned square of the image. */
export interface PartitionPrediction {
  top: number;
  left: number;
  size: number;
  probabilities: ClassProbabilities;
  quality: number | null;
  primary: number | null;
}

/** Histogram of rounded DCT coefficients of one frequency (u = row, v = column), bins lo..hi. */
export interface FrequencyHistogram {
  index: number;
  u: number;
  v: number;
  step: number;
  counts: number[];
}

export interface DctHistograms {
  bins: [number, number];
  frequencies: FrequencyHistogram[];
}

export interface DctVarianceTest {
  variance: number;
  quantized: boolean;
  threshold: number;
}

export interface Evidence {
  partitions?: PartitionPrediction[];
  histograms?: DctHistograms;
  dct_variance_test?: DctVarianceTest;
  classical?: { compression: Compression; quality: QualityEstimate };
}

/** An area whose compression history differs from the rest of the image. */
export interface DifferentRegion {
  /** [x, y, width, height] in image pixels. */
  bbox: [number, number, number, number];
  /** Pixels inside the region (a multiple of 64: whole blocks). */
  area: number;
  /** QF 1..100 of the last compression inside, 0 = not compressed. */
  quality: number;
  /** The dominant QF of the rest of the image, 0 = not compressed. */
  rest_quality: number;
}

/**
 * Per-block QF and compression maps (asked for with maps=1). Each `*_png` is a data URL of an
 * 8-bit grey PNG of `rows` x `columns` cells: cell (r, c) covers the pixels from
 * (dx + cell·c, dy + cell·r), `cell` wide and high; the partial blocks at the image's edges
 * (those before dx / dy included) take their neighbouring cell's value.
 */
export interface QfMaps {
  cell: number;
  dx: number;
  dy: number;
  rows: number;
  columns: number;
  /** QF 1..100 of the last compression, 0 = not compressed. */
  quality_png: string;
  /** 255 = compressed, 0 = not. */
  flag_png: string;
  /** 255 inside `regions`, 0 elsewhere. */
  different_png: string;
  /** Largest first. */
  regions: DifferentRegion[];
  /** The rest of the image: compressed or not, its QF (0 = not compressed). */
  dominant: { compressed: boolean; quality: number };
}

export interface Report {
  source: SourceFacts;
  jpeg: JpegFacts | null;
  grid: BlockGrid;
  compression: Compression;
  quality: QualityEstimate;
  evidence: Evidence;
  /** Null when the server did not compute them (not asked for, or no QF-map model). */
  maps?: QfMaps | null;
  timings_ms: Record<string, number>;
}

/** A restorer offered by GET /api/models; `card` is its model card in Markdown;
 * `gray_specialist`: gray images go through weights specialised for them. */
export interface RestorerModel {
  name: string;
  available: boolean;
  default: boolean;
  gray_specialist: boolean;
  card: string;
}

export interface RestorerModels {
  default: string;
  models: RestorerModel[];
}

/** Which class has the highest probability. */
export function likeliest(probabilities: ClassProbabilities): Verdict {
  const order: Verdict[] = ["none", "single", "double"];
  return order.reduce((best, v) => (probabilities[v] > probabilities[best] ? v : best), order[0]);
}

export const VERDICT_WORDS: Record<Verdict, string> = {
  none: "Never compressed",
  single: "Compressed once",
  double: "Compressed twice",
};
