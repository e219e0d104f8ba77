import { useId } from "react";
import type { QfMaps, SourceFacts } from "../report";
import { percent } from "../format";
import { MAP_WORDS, historyWords, regionCount, regionLabel, type MapKind, type OverlaySettings } from "../qfmap";
import { QfLegend } from "./QfLegend";

interface ControlsProps {
  settings: OverlaySettings;
  onSettings: (settings: OverlaySettings) => void;
}

/** On/off, which map, how opaque: one state for the examination view and the comparison. */
function OverlayControls({ settings, onSettings }: ControlsProps) {
  const group = useId();
  const set = (change: Partial<OverlaySettings>) => onSettings({ ...settings, ...change });
  const opacity = Math.round(settings.opacity * 100);
  return (
    <div className="overlay-controls">
      <label className="switch">
        <input type="checkbox" role="switch" checked={settings.shown} onChange={(e) => set({ shown: e.target.checked })} />
        <span className="track" aria-hidden="true" />
        Map overlay
      </label>
      <fieldset className="map-kind">
        <legend>Map</legend>
        {(Object.keys(MAP_WORDS) as MapKind[]).map((kind) => (
          <label key={kind}>
            <input type="radio" name={group} checked={settings.kind === kind} onChange={() => set({ kind })} />
            {MAP_WORDS[kind]}
          </label>
        ))}
      </fieldset>
      <label className="opacity">
        Opacity
        <input
          type="range"
          min={0}
          max={100}
          step={5}
          value={opacity}
          aria-valuetext={`${opacity}%`}
          onChange={(e) => set({ opacity: Number(e.target.value) / 100 })}
        />
        <output>{opacity}%</output>
      </label>
    </div>
  );
}

/**
 * Where the compression history differs: the dominant QF, the regions that differ (each
 * "QF inside vs rest", its box and share of the image), and the overlay's controls and legend.
 */
export function QfMapCard({
  maps,
  source,
  ...controls
}: ControlsProps & { maps: QfMaps | null | undefined; source: SourceFacts }) {
  return (
    <section className="card qf-map-card" aria-labelledby="qf-map-heading">
      <h2 id="qf-map-heading">Where: QF map</h2>
      {maps ? (
        <>
          <p data-testid="maps-summary">
            Dominant history: {historyWords(maps.dominant.compressed ? maps.dominant.quality : 0)}.{" "}
            {regionCount(maps.regions.length)}.
          </p>
          {maps.regions.length > 0 && (
            <ol className="region-list">
              {maps.regions.map((region) => {
                const [x, y, w, h] = region.bbox;
                const share = region.area / (source.width * source.height);
                return (
                  <li key={region.bbox.join(",")}>
                    <strong>{regionLabel(region)}</strong>{" "}
                    <span className="muted">
                      x {x}–{x + w - 1}, y {y}–{y + h - 1} · {region.area.toLocaleString("en")} px (
                      {share < 0.005 ? "<1%" : percent(share)} of the image)
                    </span>
                  </li>
                );
              })}
            </ol>
          )}
          <OverlayControls {...controls} />
          {controls.settings.shown && <QfLegend kind={controls.settings.kind} />}
        </>
      ) : (
        <p className="muted" data-testid="maps-summary">
          No QF maps in this report: the server did not compute them, so where the compression history differs
          cannot be shown.
        </p>
      )}
    </section>
  );
}

/** The overlay on/off in the comparison's toolbar (reachable in fullscreen). */
export function OverlayToggleButton({ settings, onSettings }: ControlsProps) {
  return (
    <button
      type="button"
      className="overlay-toggle"
      aria-pressed={settings.shown}
      title="The map is drawn on the Before side"
      onClick={() => onSettings({ ...settings, shown: !settings.shown })}
    >
      Map overlay
    </button>
  );
}
