import type { Report } from "../report";
import { VERDICT_WORDS } from "../report";
import { percent, qualityFactor } from "../format";
import { ProbabilityBar } from "./ProbabilityBar";

/** Below this grid confidence the offset is only a best guess (e.g. never-compressed pixels). */
export const CLEAR_GRID = 0.5;

/** What the pixels say: never / once / twice compressed, the quality factors and the block grid. */
export function VerdictCard({ report }: { report: Report }) {
  const { compression, quality, grid } = report;
  const verdict = compression.verdict;
  return (
    <section className={`card verdict-card verdict-${verdict}`} aria-labelledby="verdict-heading">
      <h2 id="verdict-heading">Verdict</h2>
      <p className="verdict" data-testid="verdict">
        {VERDICT_WORDS[verdict]}
        <span className="confidence"> · confidence {percent(compression.confidence)}</span>
      </p>
      <ProbabilityBar probabilities={compression.probabilities} />
      <dl className="facts">
        {verdict !== "none" && (
          <>
            <dt>{verdict === "double" ? "Last quality factor (pixels)" : "Quality factor (pixels)"}</dt>
            <dd data-testid="pixel-qf">{qualityFactor(quality.estimate)}</dd>
          </>
        )}
        {verdict === "double" && (
          <>
            <dt>Primary quality factor (pixels)</dt>
            <dd data-testid="primary-qf">{qualityFactor(quality.primary_estimate)}</dd>
          </>
        )}
        <dt>Block grid offset</dt>
        <dd data-testid="grid">
          {grid.confidence >= CLEAR_GRID ? `dx ${grid.dx}, dy ${grid.dy}` : "no clear 8×8 grid"}{" "}
          <span className="muted">
            ({grid.confidence >= CLEAR_GRID ? "" : `best guess dx ${grid.dx}, dy ${grid.dy}, `}confidence{" "}
            {percent(grid.confidence)})
          </span>
        </dd>
      </dl>
      <p className="method">Decided by {compression.method}</p>
    </section>
  );
}
