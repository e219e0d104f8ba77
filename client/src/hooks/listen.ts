/**
 * Adds each `type: handler` listener to `target` and returns the function that removes them
 * all (an effect's cleanup). `options` apply to every listener (e.g. `{ passive: false }`
 * so that a wheel handler may prevent scrolling).
 */
export function listen(
  target: EventTarget,
  listeners: Record<string, (event: never) => void>,
  options?: AddEventListenerOptions,
): () => void {
  const entries = Object.entries(listeners) as [string, EventListener][];
  entries.forEach(([type, handler]) => target.addEventListener(type, handler, options));
  return () => entries.forEach(([type, handler]) => target.removeEventListener(type, handler, options));
}
