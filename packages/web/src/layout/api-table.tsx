import { useMemo, useState, type ReactNode } from 'react';
import {
  Box,
  Link,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TablePagination,
  TableRow,
  TableSortLabel,
  type SxProps,
  type Theme,
} from '@mui/material';
import { Link as RouterLink } from 'react-router-dom';
import { naturalCompare } from '../data/natural-sort.js';

/** One column of an {@link ApiTable}: its header, its cell, and how it sorts (if it does). */
export interface ApiColumn<Row> {
  /** The header; none for an actions column. */
  label?: string;
  cell: (row: Row) => ReactNode;
  /** What the column sorts by when its header is clicked (names naturally: node-2 before node-10). */
  sortBy?: (row: Row) => unknown;
  /** A page the cell's text links to (the row's own page, a run, a host). */
  link?: (row: Row) => string | null;
  align?: 'right';
  padding?: 'checkbox';
  /** Extra cell style (monospace fingerprints, no wrap). */
  sx?: SxProps<Theme>;
  /** `data-*` attributes of the column's cells, which tests find them by. */
  cellData?: Record<`data-${string}`, string | boolean>;
}

/** Where a paged list is, as the page keeps it (see {@link usePaging}). */
export interface ApiPaging {
  total: number;
  page: number;
  perPage: number;
  onPage: (page: number) => void;
  onPerPage: (perPage: number) => void;
  /** The page sizes to choose from. */
  perPageOptions: readonly number[];
}

export interface ApiTableProps<Row> {
  rows: readonly Row[];
  columns: readonly ApiColumn<Row>[];
  rowKey: (row: Row) => string | number;
  /** `data-*` attributes of a row, which tests and links find it by. */
  rowData?: (row: Row) => Record<`data-${string}`, string | number>;
  selected?: (row: Row) => boolean;
  /** The table's accessible name. */
  label?: string;
  testId?: string;
  paging?: ApiPaging;
}

interface Sorting {
  column: number;
  direction: 'asc' | 'desc';
}

/**
 * A table of rows an API returned: headers that sort naturally on a click (the server's order
 * until then), cells that may link to a page, and the pager of a list the server pages.
 */
export function ApiTable<Row>(props: ApiTableProps<Row>) {
  const { columns } = props;
  const [sorting, setSorting] = useState<Sorting>();
  const rows = useMemo(
    () => sortRows(props.rows, columns, sorting),
    [props.rows, columns, sorting],
  );
  const sortOn = (column: number) =>
    setSorting((old) => ({
      column,
      direction: old?.column === column && old.direction === 'asc' ? 'desc' : 'asc',
    }));
  return (
    <>
      <Box sx={{ overflowX: 'auto' }}>
        <Table size="small" aria-label={props.label} data-testid={props.testId}>
          <TableHead>
            <TableRow>
              {columns.map((column, index) => (
                <TableCell key={index} align={column.align} padding={column.padding}>
                  {column.sortBy && column.label ? (
                    <TableSortLabel
                      active={sorting?.column === index}
                      direction={sorting?.column === index ? sorting.direction : 'asc'}
                      onClick={() => sortOn(index)}
                    >
                      {column.label}
                    </TableSortLabel>
                  ) : (
                    column.label
                  )}
                </TableCell>
              ))}
            </TableRow>
          </TableHead>
          <TableBody>
            {rows.map((row) => (
              <TableRow
                key={props.rowKey(row)}
                selected={props.selected?.(row)}
                {...props.rowData?.(row)}
              >
                {columns.map((column, index) => (
                  <TableCell
                    key={index}
                    align={column.align}
                    padding={column.padding}
                    sx={column.sx}
                    {...column.cellData}
                  >
                    <LinkedCell to={column.link?.(row) ?? null}>{column.cell(row)}</LinkedCell>
                  </TableCell>
                ))}
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </Box>
      {props.paging && props.paging.total > 0 ? <Pager {...props.paging} /> : null}
    </>
  );
}

/** A link in the theme's colours (a bare router link would take the browser's blue). */
function LinkedCell({ to, children }: { to: string | null; children: ReactNode }) {
  return to === null ? (
    <>{children}</>
  ) : (
    <Link component={RouterLink} to={to}>
      {children}
    </Link>
  );
}

function Pager(paging: ApiPaging) {
  return (
    <TablePagination
      component="div"
      count={paging.total}
      page={paging.page}
      rowsPerPage={paging.perPage}
      rowsPerPageOptions={paging.perPageOptions}
      onPageChange={(_event, next) => paging.onPage(next)}
      onRowsPerPageChange={(event) => paging.onPerPage(Number(event.target.value))}
    />
  );
}

function sortRows<Row>(
  rows: readonly Row[],
  columns: readonly ApiColumn<Row>[],
  sorting: Sorting | undefined,
): readonly Row[] {
  const by = sorting === undefined ? undefined : columns[sorting.column]?.sortBy;
  if (!sorting || !by) return rows;
  const sign = sorting.direction === 'desc' ? -1 : 1;
  return [...rows].sort((a, b) => sign * naturalCompare(by(a), by(b)));
}

const PAGE_SIZES = [10, 25, 50, 100] as const;

/**
 * The page and page size of a list the server pages, with the `limit`/`offset` to ask for;
 * `restart()` goes back to the first page (a filter changed).
 */
export function usePaging(perPageAtFirst = 25, perPageOptions: readonly number[] = PAGE_SIZES) {
  const [page, setPage] = useState(0);
  const [perPage, setPerPage] = useState(perPageAtFirst);
  return {
    query: { limit: perPage, offset: page * perPage },
    restart: () => setPage(0),
    /** The table's pager for a list of `total` rows. */
    of: (total: number): ApiPaging => ({
      total,
      page,
      perPage,
      onPage: setPage,
      onPerPage: (size) => {
        setPerPage(size);
        setPage(0);
      },
      perPageOptions,
    }),
  };
}
