import type { ClassProbabilities, Verdict } from "../report";
import { percent } from "../format";

const ORDER: Verdict[] = ["none", "single", "double"];

/** The three class probabilities as one stacked bar with a text legend. */
export function ProbabilityBar({ probabilities }: { probabilities: ClassProbabilities }) {
  return (
    <figure className="probability-bar">
      <div className="bar" aria-hidden="true">
        {ORDER.map((v) => (
          <span key={v} className={`segment ${v}`} style={{ width: percent(probabilities[v]) }} />
        ))}
      </div>
      <figcaption>
        {ORDER.map((v) => (
          <span key={v} className={`legend ${v}`}>
            {v} {percent(probabilities[v])}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}
