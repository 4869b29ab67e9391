import { Box } from '@mui/material';
import type { ReactNode } from 'react';
import { DIFF_COLORS, DIFF_EDGES, pathText } from './diff-colors.js';
import type { ChangeKind } from '@minke/contract';

/** Lists and objects deeper than this start folded: a big fact stays scannable. */
const OPEN_DEPTH = 2;

/** A JSON value as a tree: objects and lists fold (native details), leaves are coloured by type. */
export function JsonTree({
  value,
  highlights,
}: {
  value: unknown;
  /** Paths (`os.release`) to colour by how they changed. */
  highlights?: ReadonlyMap<string, ChangeKind>;
}) {
  return (
    <Box
      data-testid="json-tree"
      sx={{
        fontFamily: 'monospace',
        fontSize: 13,
        lineHeight: '20px',
        overflowX: 'auto',
        '& details > summary': { cursor: 'pointer', listStyle: 'revert' },
        '& .jt-children': { pl: 2, borderLeft: '1px dotted #bbb', ml: 0.5 },
        '& .jt-key': { color: '#6a1b9a' },
        '& .jt-string': { color: '#1b5e20' },
        '& .jt-number': { color: '#0d47a1' },
        '& .jt-literal': { color: '#b71c1c' },
        '& .jt-meta': { color: '#777' },
      }}
    >
      <Node value={value} path={[]} label={undefined} highlights={highlights} />
    </Box>
  );
}

function Node({
  value,
  path,
  label,
  highlights,
}: {
  value: unknown;
  path: string[];
  label: string | undefined;
  highlights: ReadonlyMap<string, ChangeKind> | undefined;
}) {
  const kind = highlights?.get(pathText(path));
  const key = label === undefined ? null : <span className="jt-key">{label}: </span>;
  const entries = childEntries(value);
  if (entries === undefined) {
    return (
      <Marked kind={kind} path={path}>
        {key}
        <Leaf value={value} />
      </Marked>
    );
  }
  const open = Array.isArray(value) ? '[' : '{';
  const close = Array.isArray(value) ? ']' : '}';
  if (entries.length === 0) {
    return (
      <Marked kind={kind} path={path}>
        {key}
        <span className="jt-meta">{`${open}${close}`}</span>
      </Marked>
    );
  }
  return (
    <Marked kind={kind} path={path}>
      <details open={path.length < OPEN_DEPTH}>
        <summary>
          {key}
          <span className="jt-meta">
            {Array.isArray(value) ? `[${entries.length} items]` : `{${entries.length} keys}`}
          </span>
        </summary>
        <div className="jt-children">
          {entries.map(([childKey, child]) => (
            <Node
              key={childKey}
              value={child}
              path={[...path, childKey]}
              label={childKey}
              highlights={highlights}
            />
          ))}
        </div>
      </details>
    </Marked>
  );
}

function Marked({
  kind,
  path,
  children,
}: {
  kind: ChangeKind | undefined;
  path: string[];
  children: ReactNode;
}) {
  return (
    <div
      data-path={pathText(path)}
      {...(kind ? { 'data-change': kind } : {})}
      style={
        kind
          ? { backgroundColor: DIFF_COLORS[kind], borderLeft: `3px solid ${DIFF_EDGES[kind]}` }
          : undefined
      }
    >
      {children}
    </div>
  );
}

function Leaf({ value }: { value: unknown }) {
  if (typeof value === 'string') return <span className="jt-string">{JSON.stringify(value)}</span>;
  if (typeof value === 'number') return <span className="jt-number">{value}</span>;
  return <span className="jt-literal">{JSON.stringify(value) ?? 'undefined'}</span>;
}

/** The children of a list or an object; undefined for a leaf. */
function childEntries(value: unknown): [string, unknown][] | undefined {
  if (Array.isArray(value)) return value.map((item, i) => [String(i), item]);
  if (typeof value === 'object' && value !== null) return Object.entries(value);
  return undefined;
}
