import { useCallback, useEffect, useState } from "react";
import { fetchModels } from "./api";
import { demoFile, type DemoImage } from "./demos";
import type { RestorerModels } from "./report";
import { useWindowImageInput } from "./hooks/useWindowImageInput";
import { Examination } from "./components/Examination";
import { ImageInput } from "./components/ImageInput";

/** The restorers on offer; null while loading or when the server has none to offer. */
function useRestorerModels(): RestorerModels | null {
  const [models, setModels] = useState<RestorerModels | null>(null);
  useEffect(() => {
    const controller = new AbortController();
    fetchModels(controller.signal).then(setModels, () => setModels(null));
    return () => controller.abort();
  }, []);
  return models;
}

export function App() {
  // A serial number per pick, so that choosing the same file again analyses it again.
  const [picked, setPicked] = useState<{ file: File; serial: number } | null>(null);
  const [inputError, setInputError] = useState<string | null>(null);
  const [model, setModel] = useState<string>();
  const models = useRestorerModels();

  const pick = useCallback((file: File) => {
    setInputError(null);
    setPicked((previous) => ({ file, serial: (previous?.serial ?? 0) + 1 }));
  }, []);
  const pickDemo = useCallback(
    (demo: DemoImage) => demoFile(demo).then(pick, (error: Error) => setInputError(error.message)),
    [pick],
  );
  const dragging = useWindowImageInput(pick);

  return (
    <>
      <header className="masthead">
        <h1>deJPEG</h1>
        <p>Was this image JPEG-compressed, how hard, and what did it look like before?</p>
      </header>
      <main>
        <ImageInput onFile={pick} onDemo={pickDemo} />
        {inputError && (
          <p className="error" role="alert">
            {inputError}
          </p>
        )}
        {picked ? (
          <Examination key={picked.serial} file={picked.file} models={models} model={model} onModel={setModel} />
        ) : (
          <p className="empty-state">
            Choose, drop or paste an image (JPEG, PNG, TIFF, BMP, WebP or GIF) to see whether its pixels were ever
            JPEG-compressed, at what quality factor, and to restore them.
          </p>
        )}
      </main>
      {dragging && (
        <div className="drop-overlay" aria-hidden="true">
          Drop the image to analyse it
        </div>
      )}
    </>
  );
}
