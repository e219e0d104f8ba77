import { useEffect, useRef, useState, type CSSProperties, type ReactNode } from "react";
import { ReactCompareSlider } from "react-compare-slider";
import { listen } from "../hooks/listen";
import { useSyncedZoom } from "../hooks/useSyncedZoom";
import { restoredFileName } from "../format";

/** Outside fullscreen a small image is shown at most this many times its pixel size when fitted. */
const MAX_FIT_ZOOM = 2;

interface SideProps {
  url: string;
  label: string;
  labelAt: "left" | "right";
  alt: string;
  /** The synced zoom/pan, applied to the whole frame-sized side. */
  style: CSSProperties;
  /** "width / height" of the image: it is fitted (contained) in the side. */
  aspect: string;
  children?: ReactNode;
}

/** One side: the image contained in the frame (letterboxed in fullscreen) with `children` over it. */
function Side({ url, label, labelAt, alt, style, aspect, children }: SideProps) {
  return (
    <div className="side">
      <div className="zoomed" style={style}>
        <div className="fitted" style={{ "--aspect": aspect } as CSSProperties}>
          <img src={url} alt={alt} draggable={false} />
          {children}
        </div>
      </div>
      <span className={`side-label ${labelAt}`}>{label}</span>
    </div>
  );
}

interface Props {
  beforeUrl: string;
  afterUrl: string;
  fileName: string;
  width: number;
  height: number;
  /** Drawn over the Before image (e.g. the QF map); it follows the zoom and pan. */
  beforeOverlay?: ReactNode;
  /** More controls in the toolbar (e.g. the overlay's toggle). */
  tools?: ReactNode;
  /** Under the images, in fullscreen too (e.g. the overlay's legend). */
  children?: ReactNode;
}

/** Before/after slider with synced zoom and pan, a fullscreen mode and the PNG download. */
export function Comparison({ beforeUrl, afterUrl, fileName, width, height, beforeOverlay, tools, children }: Props) {
  const aspect = `${width} / ${height}`;
  const container = useRef<HTMLElement>(null);
  const frame = useRef<HTMLDivElement>(null);
  const { view, style, zoomIn, zoomOut, reset } = useSyncedZoom(frame);
  const [fullscreen, setFullscreen] = useState(false);

  useEffect(() => {
    if (!fullscreen) return;
    // The CSS overlay fills the window; the Fullscreen API fills the screen where allowed.
    container.current?.requestFullscreen?.().catch(() => undefined);
    const overflow = document.body.style.overflow;
    document.body.style.overflow = "hidden"; // the page behind must not scroll
    const key = (e: KeyboardEvent) => {
      if (e.key === "Escape") setFullscreen(false);
    };
    const change = () => {
      if (!document.fullscreenElement) setFullscreen(false);
    };
    const unlisten = listen(document, { keydown: key, fullscreenchange: change });
    return () => {
      unlisten();
      document.body.style.overflow = overflow;
      if (document.fullscreenElement) document.exitFullscreen().catch(() => undefined);
    };
  }, [fullscreen]);

  return (
    <section
      ref={container}
      className={fullscreen ? "card comparison fullscreen" : "card comparison"}
      aria-labelledby="comparison-heading"
      role={fullscreen ? "dialog" : undefined}
      aria-modal={fullscreen ? true : undefined}
    >
      <div className="comparison-toolbar">
        <h2 id="comparison-heading">Before / after</h2>
        <div className="tools" role="toolbar" aria-label="Comparison view">
          <button type="button" onClick={zoomOut} disabled={view.scale <= 1} aria-label="Zoom out">
            −
          </button>
          <output className="zoom-level" aria-label="Zoom level">
            {Math.round(view.scale * 100)}%
          </output>
          <button type="button" onClick={zoomIn} aria-label="Zoom in">
            +
          </button>
          <button type="button" onClick={reset} disabled={view.scale === 1}>
            Fit
          </button>
          <button type="button" aria-pressed={fullscreen} onClick={() => setFullscreen((f) => !f)}>
            {fullscreen ? "Exit fullscreen (Esc)" : "Fullscreen"}
          </button>
          {tools}
          <a className="button primary" href={afterUrl} download={restoredFileName(fileName)}>
            Download restored PNG
          </a>
        </div>
      </div>
      <div
        ref={frame}
        className="compare-frame"
        style={{ aspectRatio: `${width} / ${height}`, maxWidth: MAX_FIT_ZOOM * width }}
        tabIndex={0}
        role="group"
        aria-label="Comparison: drag the handle to compare; with this area focused, + and − zoom, arrow keys pan, 0 fits"
      >
        <ReactCompareSlider
          onlyHandleDraggable
          keyboardIncrement="5%"
          itemOne={
            <Side url={beforeUrl} label="Before" labelAt="left" alt="Before: the uploaded image" {...{ style, aspect }}>
              {beforeOverlay}
            </Side>
          }
          itemTwo={<Side url={afterUrl} label="After" labelAt="right" alt="After: the restored image" {...{ style, aspect }} />}
        />
      </div>
      {children}
    </section>
  );
}
