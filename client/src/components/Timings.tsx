import { duration } from "../format";

/** Server-side step timings of the analysis (and the restoration's round trip when there is one). */
export function Timings({ timings, restorationSeconds }: { timings: Record<string, number>; restorationSeconds?: number }) {
  return (
    <table className="timings">
      <caption>Timings</caption>
      <tbody>
        {Object.entries(timings).map(([step, ms]) => (
          <tr key={step}>
            <th scope="row">{step === "total" ? "analysis total" : step}</th>
            <td>{duration(ms)}</td>
          </tr>
        ))}
        {restorationSeconds !== undefined && (
          <tr>
            <th scope="row">restoration (round trip)</th>
            <td>{duration(restorationSeconds * 1000)}</td>
          </tr>
        )}
      </tbody>
    </table>
  );
}
