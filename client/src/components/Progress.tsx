import { useElapsed } from "../hooks/useElapsed";

/** A running step (upload, analysis, restoration) with its elapsed time. */
export function Progress({ label, startedAt }: { label: string; startedAt: number }) {
  const seconds = useElapsed(startedAt);
  return (
    <div className="progress" role="status">
      <span className="spinner" aria-hidden="true" />
      <span>{label}</span>
      <span className="elapsed" aria-hidden="true">
        {seconds.toFixed(1)} s
      </span>
    </div>
  );
}
