import { COMPRESSED_COLOUR, qualityGradient, type MapKind } from "../qfmap";

const TICKS = [1, 20, 40, 60, 80, 100];

/** The colours of the overlay: the QF scale (1..100, clear = never compressed) or the flag's two. */
export function QfLegend({ kind }: { kind: MapKind }) {
  if (kind === "flag") {
    return (
      <figure className="qf-legend" data-testid="qf-legend">
        <span className="legend-item">
          <span className="swatch" style={{ background: `rgb(${COMPRESSED_COLOUR.slice(0, 3).join(" ")})` }} /> compressed
        </span>
        <span className="legend-item">
          <span className="swatch clear" /> not compressed (clear)
        </span>
      </figure>
    );
  }
  return (
    <figure className="qf-legend" data-testid="qf-legend">
      <span className="legend-item">
        <span className="swatch clear" /> none
      </span>
      <span className="scale">
        <span className="gradient" style={{ background: qualityGradient() }} />
        <span className="ticks" aria-hidden="true">
          {TICKS.map((q) => (
            <span key={q} style={{ left: `${(100 * (q - 1)) / 99}%` }}>
              {q}
            </span>
          ))}
        </span>
      </span>
      <figcaption>
        QF of the last compression: dark violet = 1 (strongest) … yellow = 100; clear = never compressed
      </figcaption>
    </figure>
  );
}
