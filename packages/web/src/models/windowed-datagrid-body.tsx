import { Children, cloneElement, useLayoutEffect, useRef, useState } from 'react';
import { TableBody } from '@mui/material';
import {
  DatagridBody,
  DatagridClasses,
  PureDatagridRow,
  RecordContextProvider,
  type DatagridBodyProps,
  type Identifier,
  type RaRecord,
} from 'react-admin';
import { rowWindow } from './row-window.js';

/** Lists up to this long render every row (the browser's find-in-page sees them all). */
const ALL_ROWS_UP_TO = 100;
/** A small Datagrid row with a checkbox, until one is measured. */
const ROW_ESTIMATE = 42;

/**
 * The body of a model's list. Rows are memoized (a row re-renders when its own record or
 * selection changes, not when the list around it does), and a long list renders only the rows
 * in view plus a margin, with empty rows standing in for the others: a page of 1,000 hosts
 * following a run then lays out and re-renders a few dozen rows per change, not 1,000.
 * `data-rows` on the table body says how many rows the list has.
 */
export function WindowedDatagridBody(props: DatagridBodyProps) {
  const count = props.data?.length ?? 0;
  if (count <= ALL_ROWS_UP_TO)
    return <DatagridBody {...props} row={<PureDatagridRow />} data-rows={count} />;
  return <WindowedRows {...props} />;
}
// Material UI's Table takes it for a body only under this name (as react-admin's own bodies)
WindowedDatagridBody.muiName = 'TableBody';

function WindowedRows({
  children,
  className,
  data = [],
  expand,
  hasBulkActions = false,
  hover,
  onToggleItem,
  resource,
  rowClick,
  rowSx,
  rowStyle,
  selectedIds,
  isRowSelectable,
  row: _row,
  ...rest
}: DatagridBodyProps) {
  const body = useRef<HTMLTableSectionElement>(null);
  const heights = useRef(new Map<Identifier, number>());
  const estimate = useRef(ROW_ESTIMATE);
  const [view, setView] = useState({ top: 0, bottom: window.innerHeight });
  const [, setMeasured] = useState(0);

  // where the list is in the viewport, once per frame while anything scrolls or resizes
  useLayoutEffect(() => {
    let frame = 0;
    const locate = () => {
      frame = 0;
      const rect = body.current?.getBoundingClientRect();
      if (!rect) return;
      const next = { top: -rect.top, bottom: window.innerHeight - rect.top };
      setView((old) => (old.top === next.top && old.bottom === next.bottom ? old : next));
    };
    const schedule = () => {
      if (frame === 0) frame = requestAnimationFrame(locate);
    };
    locate();
    window.addEventListener('scroll', schedule, { capture: true, passive: true });
    window.addEventListener('resize', schedule);
    return () => {
      cancelAnimationFrame(frame);
      window.removeEventListener('scroll', schedule, { capture: true });
      window.removeEventListener('resize', schedule);
    };
  }, []);

  const range = rowWindow({
    count: data.length,
    height: (index) => {
      const id = (data[index] as RaRecord | undefined)?.id;
      return id === undefined ? undefined : heights.current.get(id);
    },
    estimate: estimate.current,
    viewTop: view.top,
    viewBottom: view.bottom,
  });

  // the rendered rows' heights (with their open panels): the spacers stay true to them
  useLayoutEffect(() => {
    let changed = false;
    let row = body.current?.querySelector<HTMLTableRowElement>(`tr.${DatagridClasses.row}`);
    for (let index = range.start; row && index < range.end; index++) {
      const id = (data[index] as RaRecord | undefined)?.id;
      let height = row.offsetHeight;
      let next = row.nextElementSibling as HTMLTableRowElement | null;
      if (next?.id.endsWith('-expand')) {
        height += next.offsetHeight;
        next = next.nextElementSibling as HTMLTableRowElement | null;
      } else {
        estimate.current = height;
      }
      if (id !== undefined && Math.abs((heights.current.get(id) ?? -1) - height) > 1) {
        heights.current.set(id, height);
        changed = true;
      }
      row = next?.classList.contains(DatagridClasses.row) ? next : null;
    }
    if (changed) setMeasured((n) => n + 1);
  });

  // the spacers span the table's columns: one per field, the checkbox and the expand button
  const columns = Children.toArray(children).length + (hasBulkActions ? 1 : 0) + (expand ? 1 : 0);
  return (
    <TableBody
      ref={body}
      className={[DatagridClasses.tbody, 'datagrid-body', className].filter(Boolean).join(' ')}
      data-rows={data.length}
      {...rest}
    >
      <Spacer height={range.before} columns={columns} />
      {data.slice(range.start, range.end).map((record: RaRecord, offset) => {
        const index = range.start + offset;
        const id = record.id ?? `row${index}`;
        return (
          <RecordContextProvider value={record} key={id}>
            {cloneElement(
              <PureDatagridRow />,
              {
                className: `${DatagridClasses.row} ${index % 2 === 0 ? DatagridClasses.rowEven : DatagridClasses.rowOdd}`,
                expand,
                hasBulkActions: hasBulkActions && !!selectedIds,
                hover,
                id,
                onToggleItem,
                resource,
                rowClick,
                selectable: !isRowSelectable || isRowSelectable(record),
                selected: selectedIds?.includes(id) ?? false,
                sx: rowSx?.(record, index),
                style: rowStyle?.(record, index),
              },
              children,
            )}
          </RecordContextProvider>
        );
      })}
      <Spacer height={range.after} columns={columns} />
    </TableBody>
  );
}

/** Stands in for rows not rendered. */
function Spacer({ height, columns }: { height: number; columns: number }) {
  if (height <= 0) return null;
  return (
    <tr aria-hidden="true" className="minke-row-spacer">
      <td colSpan={columns} style={{ height, padding: 0, border: 0 }} />
    </tr>
  );
}
