// Window arithmetic for a virtualized grid of fixed-size cells: which rows to render for a scroll
// position, so that thousands of items cost only the DOM of the few rows on screen.

export interface GridWindow {
  columns: number;
  rows: number;
  /** First and one-past-last item index to render. */
  start: number;
  end: number;
  /** Offset of the first rendered row, and the full scroll height, in pixels. */
  offsetTop: number;
  totalHeight: number;
}

export function gridWindow(
  count: number,
  width: number,
  cellWidth: number,
  rowHeight: number,
  scrollTop: number,
  viewHeight: number,
  overscanRows = 2,
): GridWindow {
  const columns = Math.max(1, Math.floor(width / cellWidth));
  const rows = Math.ceil(count / columns);
  const firstRow = Math.max(0, Math.floor(scrollTop / rowHeight) - overscanRows);
  const lastRow = Math.min(rows, Math.ceil((scrollTop + viewHeight) / rowHeight) + overscanRows);
  return {
    columns,
    rows,
    start: Math.min(count, firstRow * columns),
    end: Math.min(count, lastRow * columns),
    offsetTop: firstRow * rowHeight,
    totalHeight: rows * rowHeight,
  };
}
