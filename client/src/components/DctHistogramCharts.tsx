import { Bar, BarChart, CartesianGrid, ReferenceLine, Tooltip, XAxis, YAxis } from "recharts";
import type { DctHistograms, FrequencyHistogram } from "../report";

/** The multiples of a quantization step inside lo..hi (where a comb's teeth stand). */
export function stepMultiples(step: number, lo: number, hi: number): number[] {
  if (step <= 1) return [];
  const multiples = [];
  for (let k = Math.ceil(lo / step); k * step <= hi; k++) multiples.push(k * step);
  return multiples;
}

/** Chart rows: one per rounded coefficient value lo..hi. */
export function histogramRows(histogram: FrequencyHistogram, lo: number): { value: number; count: number }[] {
  return histogram.counts.map((count, i) => ({ value: lo + i, count }));
}

function FrequencyChart({ histogram, bins }: { histogram: FrequencyHistogram; bins: [number, number] }) {
  const [lo, hi] = bins;
  const quantized = histogram.step > 1;
  return (
    <figure className="histogram">
      <figcaption>
        Frequency ({histogram.u}, {histogram.v}) ·{" "}
        {quantized ? `step ${histogram.step}: a comb (dashed: its multiples)` : "no step found: a smooth bell"}
      </figcaption>
      <BarChart width={260} height={130} data={histogramRows(histogram, lo)} barCategoryGap={0} margin={{ top: 4, right: 6, bottom: 0, left: -18 }}>
        <CartesianGrid strokeDasharray="2 4" vertical={false} />
        <XAxis dataKey="value" type="number" domain={[lo - 0.5, hi + 0.5]} ticks={[lo, lo / 2, 0, hi / 2, hi]} fontSize={10} />
        <YAxis scale="sqrt" domain={[0, "auto"]} fontSize={10} allowDecimals={false} />
        <Tooltip formatter={(count) => [count, "blocks"]} labelFormatter={(value) => `coefficient ${value}`} />
        {stepMultiples(histogram.step, lo, hi).map((x) => (
          <ReferenceLine key={x} x={x} stroke="#9ca3af" strokeDasharray="3 3" />
        ))}
        <Bar dataKey="count" fill={quantized ? "#d97706" : "#2563eb"} isAnimationActive={false} />
      </BarChart>
    </figure>
  );
}

/** Histograms of rounded DCT coefficients of a few low frequencies on the detected grid. */
export function DctHistogramCharts({ histograms }: { histograms: DctHistograms }) {
  return (
    <div className="histograms">
      {histograms.frequencies.map((h) => (
        <FrequencyChart key={h.index} histogram={h} bins={histograms.bins} />
      ))}
    </div>
  );
}
