// The app's views, in the sidebar's order: Ctrl/Cmd+1… switch to them in this order (src-renderer/App.svelte
// lays them out; the Electron menu names them; tests/unit/menu.test.ts keeps the two in step).
export const VIEW_LABELS = ['Train', 'Gallery', 'Sketchpad', 'Mistakes', 'Models', 'Inside', 'Compare'] as const;

/** "Ctrl/Cmd+1…7 switch between Train, Gallery, … and Compare": the shortcut line the menu shows. */
export function viewShortcutsText(): string {
  const names = `${VIEW_LABELS.slice(0, -1).join(', ')} and ${VIEW_LABELS.at(-1)}`;
  return `Ctrl/Cmd+1…${VIEW_LABELS.length} switch between ${names}`;
}
