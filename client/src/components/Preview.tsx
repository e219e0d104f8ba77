import { useState, type ReactNode } from "react";
import type { SourceFacts } from "../report";
import { bytes } from "../format";

interface Props {
  file: File;
  url: string | null;
  source: SourceFacts | null;
  /** Drawn over the image (e.g. the QF map), in a box exactly the image's displayed size. */
  children?: ReactNode;
}

/** The chosen image at once, before any answer from the server. */
export function Preview({ file, url, source, children }: Props) {
  const [unreadable, setUnreadable] = useState(false);
  return (
    <figure className="card preview">
      {url && !unreadable && (
        <div className="preview-image">
          <img src={url} alt={`Preview of ${file.name}`} onError={() => setUnreadable(true)} />
          {children}
        </div>
      )}
      {unreadable && <p className="muted">The browser cannot display this file.</p>}
      <figcaption>
        <strong>{file.name || "pasted image"}</strong> · {bytes(file.size)}
        {source && ` · ${source.format} ${source.width}×${source.height} ${source.mode}`}
        {source && source.bit_depth > 8 && ` · ${source.bit_depth}-bit`}
        {source?.has_alpha && " · alpha set aside"}
        {source && source.orientation > 1 && ` · EXIF orientation ${source.orientation} applied`}
        {source && source.frames > 1 && ` · first of ${source.frames} frames`}
      </figcaption>
    </figure>
  );
}
