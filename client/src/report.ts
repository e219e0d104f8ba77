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

export interface Report {
  source: SourceFacts;
  jpeg: JpegFacts | null;
  grid: BlockGrid;
  compression: Compression;
  quality: QualityEstimate;
  evidence: Evidence;
  timings_ms: Record<string, number>;
}

/** A restorer offered by GET /api/models; `card` is its model card in Markdown. */
export interface RestorerModel {
  name: string;
  available: boolean;
  default: boolean;
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
