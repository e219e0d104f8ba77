import { lazy, Suspense } from "react";
import type { Report } from "../report";
import { VERDICT_WORDS } from "../report";
import { percent, qualityFactor } from "../format";
import { PartitionMap } from "./PartitionMap";
import { Timings } from "./Timings";

// The chart library is most of the page's weight: load it when the evidence has histograms.
const DctHistogramCharts = lazy(() => import("./DctHistogramCharts").then((m) => ({ default: m.DctHistogramCharts })));

/** The evidence behind the verdict, folded away until asked for. */
export function EvidencePanel({
  report,
  imageUrl,
  restorationSeconds,
}: {
  report: Report;
  imageUrl: string;
  restorationSeconds?: number;
}) {
  const { partitions, histograms, classical, dct_variance_test: varianceTest } = report.evidence;
  return (
    <details className="card evidence">
      <summary>
        <h2>Evidence</h2>
      </summary>
      <div className="evidence-grid">
        {partitions && partitions.length > 0 && (
          <section aria-labelledby="partitions-heading">
            <h3 id="partitions-heading">Where: per-square predictions</h3>
            <PartitionMap partitions={partitions} imageUrl={imageUrl} source={report.source} />
          </section>
        )}
        <section aria-labelledby="estimators-heading">
          <h3 id="estimators-heading">Estimators</h3>
          <dl className="facts">
            {classical && (
              <>
                <dt>Classical verdict</dt>
                <dd>
                  {VERDICT_WORDS[classical.compression.verdict]} ({percent(classical.compression.confidence)})
                  {classical.quality.estimate !== null && `, QF ≈ ${qualityFactor(classical.quality.estimate)}`}
                </dd>
              </>
            )}
            {varianceTest && (
              <>
                <dt>DCT variance test</dt>
                <dd>
                  {varianceTest.quantized ? "quantized" : "not quantized"}{" "}
                  <span className="muted">
                    (variance {varianceTest.variance.toPrecision(3)}, threshold {varianceTest.threshold})
                  </span>
                </dd>
              </>
            )}
            <dt>Quality estimated by</dt>
            <dd>{report.quality.method}</dd>
          </dl>
          <Timings timings={report.timings_ms} restorationSeconds={restorationSeconds} />
        </section>
        {histograms && histograms.frequencies.length > 0 && (
          <section className="wide" aria-labelledby="histograms-heading">
            <h3 id="histograms-heading">DCT coefficient histograms</h3>
            <p className="muted">
              Quantization leaves a comb (values only at multiples of the step); an uncompressed frequency is a
              smooth bell. Counts on a square-root scale.
            </p>
            <Suspense fallback={<p className="muted">Loading the charts…</p>}>
              <DctHistogramCharts histograms={histograms} />
            </Suspense>
          </section>
        )}
      </div>
    </details>
  );
}
