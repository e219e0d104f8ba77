import type { PartitionPrediction, SourceFacts } from "../report";
import { VERDICT_WORDS, likeliest } from "../report";
import { percent, qualityFactor } from "../format";
import { percentBox, type Box } from "../overlay";

/**
 * The part of each partition not already covered by an earlier one. The detector tiles the
 * image with squares and puts one more square flush with the image's last block where the
 * squares do not fit, overlapping its neighbour; that overlap stays with the earlier square.
 */
export function ownedRegions(partitions: PartitionPrediction[]): Box[] {
  return partitions.map((p) => {
    let left = p.left;
    let top = p.top;
    for (const q of partitions) {
      if (q.top === p.top && q.left < p.left) left = Math.max(left, q.left + q.size);
      if (q.left === p.left && q.top < p.top) top = Math.max(top, q.top + q.size);
    }
    return { top, left, width: p.left + p.size - left, height: p.top + p.size - top };
  });
}

function describe(p: PartitionPrediction): string {
  const verdict = likeliest(p.probabilities);
  const qf = verdict === "none" ? "" : `, QF ≈ ${qualityFactor(p.quality)}`;
  const primary = verdict === "double" ? `, primary QF ≈ ${qualityFactor(p.primary)}` : "";
  return `${VERDICT_WORDS[verdict]} (${percent(p.probabilities[verdict])})${qf}${primary}`;
}

/** The learned detector's prediction for every partition, drawn over the image. */
export function PartitionMap({
  partitions,
  imageUrl,
  source,
}: {
  partitions: PartitionPrediction[];
  imageUrl: string;
  source: SourceFacts;
}) {
  const regions = ownedRegions(partitions);
  return (
    <figure className="partition-map">
      <div className="overlay-frame">
        <img src={imageUrl} alt="The analysed image under the partition grid" />
        {partitions.map((p, i) => {
          const verdict = likeliest(p.probabilities);
          return (
            <div
              key={`${p.top}-${p.left}`}
              className={`partition ${verdict}`}
              data-testid="partition"
              style={percentBox(regions[i], source)}
              title={`${p.size}-px square at (${p.left}, ${p.top}): ${describe(p)}`}
            >
              <span className="partition-fill" style={{ opacity: 0.15 + 0.35 * p.probabilities[verdict] }} />
              <span className="partition-label">
                {verdict === "none" ? "none" : `${verdict} · QF ${qualityFactor(p.quality)}`}
              </span>
            </div>
          );
        })}
      </div>
      <figcaption>
        Detector verdict per {partitions[0]?.size ?? 256}-px square on the block grid:{" "}
        <span className="legend none">never</span> <span className="legend single">once</span>{" "}
        <span className="legend double">twice</span>; stronger colour = more confident.
      </figcaption>
      <details className="partition-list">
        <summary>Every square in numbers ({partitions.length})</summary>
        <table>
          <thead>
            <tr>
              <th scope="col">left, top</th>
              <th scope="col">none</th>
              <th scope="col">single</th>
              <th scope="col">double</th>
              <th scope="col">QF</th>
              <th scope="col">primary QF</th>
            </tr>
          </thead>
          <tbody>
            {partitions.map((p) => (
              <tr key={`${p.top}-${p.left}`}>
                <td>
                  {p.left}, {p.top}
                </td>
                <td>{percent(p.probabilities.none)}</td>
                <td>{percent(p.probabilities.single)}</td>
                <td>{percent(p.probabilities.double)}</td>
                <td>{qualityFactor(p.quality)}</td>
                <td>{qualityFactor(p.primary)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
