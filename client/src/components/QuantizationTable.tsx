/** Colour of a quantization step: log scale from 1 (fine, blue) to 255 (coarse, red). */
export function stepColour(step: number): string {
  const t = Math.min(1, Math.log(Math.max(step, 1)) / Math.log(255));
  return `hsl(${Math.round(220 - 220 * t)} 75% ${Math.round(88 - 38 * t)}%)`;
}

/** An 8x8 quantization table (64 steps, natural order) as a small heat grid. */
export function QuantizationTable({ title, steps }: { title: string; steps: number[] }) {
  const rows = Array.from({ length: 8 }, (_, r) => steps.slice(r * 8, r * 8 + 8));
  return (
    <table className="quantization-table">
      <caption>{title}</caption>
      <tbody>
        {rows.map((row, r) => (
          <tr key={r}>
            {row.map((step, c) => (
              <td key={c} style={{ background: stepColour(step) }} title={`frequency (${r}, ${c}): step ${step}`}>
                {step}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
