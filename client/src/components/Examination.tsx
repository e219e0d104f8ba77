import { useState } from "react";
import { analyzeImage, restoreImage } from "../api";
import { VERDICT_WORDS, type RestorerModels } from "../report";
import { percent } from "../format";
import { DEFAULT_OVERLAY } from "../qfmap";
import { useObjectUrl } from "../hooks/useObjectUrl";
import { useUploadTask } from "../hooks/useUploadTask";
import { Comparison } from "./Comparison";
import { EvidencePanel } from "./EvidencePanel";
import { JpegHeaderCard } from "./JpegHeaderCard";
import { Preview } from "./Preview";
import { Progress } from "./Progress";
import { OverlayToggleButton, QfMapCard } from "./QfMapCard";
import { QfLegend } from "./QfLegend";
import { QfMapOverlay } from "./QfMapOverlay";
import { RestorationCard } from "./RestorationCard";
import { VerdictCard } from "./VerdictCard";

interface Props {
  file: File;
  models: RestorerModels | null;
  model: string | undefined;
  onModel: (name: string) => void;
}

/**
 * One image from upload to restoration: analysis at once, then restoration when the
 * pixels were compressed (or when forced), re-run when the model or QF override changes.
 */
export function Examination({ file, models, model, onModel }: Props) {
  const imageUrl = useObjectUrl(file);
  const analysis = useUploadTask((signal, onStage) => analyzeImage(file, signal, onStage), [file]);
  const report = analysis.status === "done" ? analysis.result : null;

  const [forceRestore, setForceRestore] = useState(false);
  const [qualityOverride, setQualityOverride] = useState<number>();
  const [ensemble, setEnsemble] = useState(false);
  const wanted = report !== null && (report.compression.verdict !== "none" || forceRestore);
  const restoration = useUploadTask(
    wanted
      ? (signal, onStage) => restoreImage(file, { model, quality: qualityOverride, ensemble }, signal, onStage)
      : null,
    [wanted, file, model, qualityOverride, ensemble],
  );
  const restoredUrl = useObjectUrl(restoration.status === "done" ? restoration.result.png : null);

  const [overlay, setOverlay] = useState(DEFAULT_OVERLAY);
  const maps = report?.maps;
  const mapOverlay = maps && <QfMapOverlay maps={maps} extent={report.source} settings={overlay} />;

  return (
    <>
      {analysis.status === "failed" && (
        <p className="error" role="alert" data-testid="analysis-error">
          Could not analyse {file.name || "the image"}: {analysis.error}
        </p>
      )}
      <p className="visually-hidden" aria-live="polite" data-testid="announcement">
        {report && `${VERDICT_WORDS[report.compression.verdict]}, confidence ${percent(report.compression.confidence)}.`}
      </p>
      <div className="workspace">
        <Preview file={file} url={imageUrl} source={report?.source ?? null}>
          {mapOverlay}
        </Preview>
        <div className="findings">
          {analysis.status === "running" && (
            <Progress
              label={analysis.stage === "uploading" ? "Uploading…" : "Analysing the pixels…"}
              startedAt={analysis.startedAt}
            />
          )}
          {report && (
            <>
              <VerdictCard report={report} />
              <QfMapCard maps={maps} source={report.source} settings={overlay} onSettings={setOverlay} />
              <JpegHeaderCard jpeg={report.jpeg} source={report.source} />
              <RestorationCard
                verdict={report.compression.verdict}
                estimate={report.quality.estimate}
                forceRestore={forceRestore}
                onForceRestore={setForceRestore}
                models={models}
                model={model}
                onModel={onModel}
                qualityOverride={qualityOverride}
                onQualityOverride={setQualityOverride}
                ensemble={ensemble}
                onEnsemble={setEnsemble}
                restoration={restoration}
              />
            </>
          )}
        </div>
      </div>
      {report && imageUrl && restoredUrl && (
        <Comparison
          beforeUrl={imageUrl}
          afterUrl={restoredUrl}
          fileName={file.name}
          width={report.source.width}
          height={report.source.height}
          beforeOverlay={mapOverlay}
          tools={maps && <OverlayToggleButton settings={overlay} onSettings={setOverlay} />}
        >
          {maps && overlay.shown && <QfLegend kind={overlay.kind} />}
        </Comparison>
      )}
      {report && imageUrl && (
        <EvidencePanel
          report={report}
          imageUrl={imageUrl}
          restorationSeconds={restoration.status === "done" ? restoration.seconds : undefined}
        />
      )}
    </>
  );
}
