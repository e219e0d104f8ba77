import { useState, type FormEvent } from "react";
import type { Restoration } from "../api";
import type { RestorerModels, Verdict } from "../report";
import type { TaskState } from "../hooks/useUploadTask";
import { qualityFactor } from "../format";
import { Progress } from "./Progress";

const QUALITY_SOURCE_WORDS: Record<string, string> = {
  given: "your override",
  analysis: "estimated from the pixels",
  header: "read from the JPEG header",
  default: "a default: no estimate was found",
};

interface Props {
  verdict: Verdict;
  estimate: number | null;
  forceRestore: boolean;
  onForceRestore: (on: boolean) => void;
  models: RestorerModels | null;
  model: string | undefined;
  onModel: (name: string) => void;
  qualityOverride: number | undefined;
  onQualityOverride: (quality: number | undefined) => void;
  ensemble: boolean;
  onEnsemble: (on: boolean) => void;
  restoration: TaskState<Restoration>;
}

/** Restoration settings (force, model, QF override, self-ensemble) and the state of the restoration. */
export function RestorationCard(props: Props) {
  const { verdict, estimate, forceRestore, onForceRestore, models, restoration } = props;
  const chosen = props.model ?? models?.default;
  const card = models?.models.find((m) => m.name === chosen)?.card;
  return (
    <section className="card restoration-card" aria-labelledby="restoration-heading">
      <h2 id="restoration-heading">Restoration</h2>
      {verdict === "none" && (
        <>
          <p className="muted">No JPEG compression was found, so nothing is restored unless you force it.</p>
          <label className="switch">
            <input type="checkbox" role="switch" checked={forceRestore} onChange={(e) => onForceRestore(e.target.checked)} />
            <span className="track" aria-hidden="true" />
            Force restore
          </label>
        </>
      )}
      <div className="settings">
        {models && (
          <label>
            Model
            <select value={chosen} onChange={(e) => props.onModel(e.target.value)}>
              {models.models.map((m) => (
                <option key={m.name} value={m.name} disabled={!m.available}>
                  {m.name}
                  {m.available ? "" : " (weights not installed)"}
                </option>
              ))}
            </select>
          </label>
        )}
        <QualityOverride
          key={props.qualityOverride ?? "auto"}
          value={props.qualityOverride}
          estimate={estimate}
          onChange={props.onQualityOverride}
        />
        <div className="ensemble">
          <label className="switch">
            <input
              type="checkbox"
              role="switch"
              checked={props.ensemble}
              aria-describedby="ensemble-hint"
              onChange={(e) => props.onEnsemble(e.target.checked)}
            />
            <span className="track" aria-hidden="true" />
            Self-ensemble
          </label>
          <span id="ensemble-hint" className="hint">
            Restores the 8 rotations and mirror images and averages them: about 9× slower, a little cleaner.
          </span>
        </div>
      </div>
      {card && (
        <details className="model-card">
          <summary>About {chosen}</summary>
          <pre>{card}</pre>
        </details>
      )}
      <RestorationStatus restoration={restoration} />
    </section>
  );
}

function QualityOverride({
  value,
  estimate,
  onChange,
}: {
  value: number | undefined;
  estimate: number | null;
  onChange: (q: number | undefined) => void;
}) {
  const [text, setText] = useState(value === undefined ? "" : String(value));
  const parsed = text.trim() === "" ? undefined : Number(text);
  const valid = parsed === undefined || (Number.isInteger(parsed) && parsed >= 1 && parsed <= 100);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (valid && parsed !== value) onChange(parsed);
  };
  return (
    <form className="quality-override" onSubmit={submit}>
      <label>
        Quality factor override
        <input
          type="number"
          min={1}
          max={100}
          step={1}
          inputMode="numeric"
          placeholder={`auto (${estimate === null ? "from analysis" : `≈ ${qualityFactor(estimate)}`})`}
          value={text}
          aria-invalid={!valid}
          aria-describedby="quality-override-hint"
          onChange={(e) => setText(e.target.value)}
        />
      </label>
      <button type="submit" disabled={!valid || parsed === value}>
        Apply
      </button>
      <span id="quality-override-hint" className={valid ? "hint" : "hint error-text"}>
        {valid ? "Empty = the estimated QF." : "A whole number from 1 to 100."}
      </span>
    </form>
  );
}

function RestorationStatus({ restoration }: { restoration: TaskState<Restoration> }) {
  switch (restoration.status) {
    case "idle":
      return null;
    case "running":
      return (
        <Progress
          label={restoration.stage === "uploading" ? "Uploading for restoration…" : "Restoring…"}
          startedAt={restoration.startedAt}
        />
      );
    case "failed":
      return (
        <p className="error" role="alert">
          Restoration failed: {restoration.error}
        </p>
      );
    case "done": {
      const { model, quality, qualitySource, ensemble } = restoration.result;
      return (
        <p className="done" role="status" data-testid="restoration-done">
          Restored by {model}
          {ensemble && " (8-orientation ensemble)"}
          {quality !== null && ` at QF ${qualityFactor(quality)}`}
          {qualitySource && ` (${QUALITY_SOURCE_WORDS[qualitySource] ?? qualitySource})`} in{" "}
          {restoration.seconds.toFixed(1)} s.
        </p>
      );
    }
  }
}
