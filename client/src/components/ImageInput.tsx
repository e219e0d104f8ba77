import { useRef } from "react";
import { DEMO_IMAGES, type DemoImage } from "../demos";

interface Props {
  onFile: (file: File) => void;
  onDemo: (demo: DemoImage) => void;
}

/** Where an image comes in: file picker, demo images, and hints for drop and paste. */
export function ImageInput({ onFile, onDemo }: Props) {
  const picker = useRef<HTMLInputElement>(null);

  return (
    <section className="image-input" aria-label="Choose an image">
      <div className="drop-hint">
        <button type="button" className="primary" onClick={() => picker.current?.click()}>
          Choose an image…
        </button>
        <span>
          or drop one anywhere on the page, or paste it (<kbd>Ctrl</kbd>+<kbd>V</kbd>)
        </span>
        <input
          ref={picker}
          type="file"
          accept="image/*"
          className="visually-hidden"
          aria-label="Image file"
          tabIndex={-1}
          onChange={(e) => {
            const file = e.target.files?.[0];
            if (file) onFile(file);
            e.target.value = ""; // picking the same file again still counts
          }}
        />
      </div>
      {DEMO_IMAGES.length > 0 && (
        <div className="demos" role="group" aria-labelledby="demo-label">
          <span id="demo-label">Try a demo image:</span>
          {DEMO_IMAGES.map((demo) => (
            <button key={demo.file} type="button" title={demo.description} onClick={() => onDemo(demo)}>
              {demo.title}
            </button>
          ))}
        </div>
      )}
    </section>
  );
}
