import {
  BinaryOperationNode,
  ColumnNode,
  ColumnUpdateNode,
  OperationNodeTransformer,
  PrimitiveValueListNode,
  ReferenceNode,
  ValueListNode,
  ValueNode,
  ValuesNode,
  type InsertQueryNode,
  type KyselyPlugin,
  type OperationNode,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type QueryId,
  type QueryResult,
  type RootOperationNode,
  type TableNode,
  type UnknownRow,
} from 'kysely';
import type { StoreAdapter } from './adapter.js';
import { minkeColumnKinds, type ColumnKind } from './minke-tables.js';

/** The columns whose values the plugin converts: kind by column name, for the tables of a query. */
type ConvertedColumns = ReadonlyMap<string, ConvertedKind>;
type ConvertedKind = Extract<ColumnKind, 'bool' | 'date' | 'json'>;

const tableKinds: ReadonlyMap<string, Readonly<Record<string, ColumnKind>>> = new Map(
  Object.entries(minkeColumnKinds),
);

/**
 * Converts Minke's own columns between their JavaScript shape (boolean, ISO-8601 string or Date,
 * any JSON value) and what each backend stores (SQLite: 0/1, `YYYY-MM-DD HH:MM:SS.sss` UTC text,
 * JSON text; PostgreSQL: boolean, timestamptz, JSON text), so that no query encodes or decodes.
 *
 * Values written are converted by the column they go to (insert, update, a comparison with a
 * column); a Date or boolean anywhere else is converted by its type. Rows read back are converted
 * by column name, for the columns of the tables the query names: select a converted column under
 * its own name (an alias such as `h.created_at as host_created` comes back as stored).
 *
 * @example
 *   const tables = new Kysely<MinkeTables>({ dialect }).withPlugin(minkeColumnsPlugin(adapter));
 */
export function minkeColumnsPlugin(adapter: StoreAdapter): KyselyPlugin {
  const columnsOf = new WeakMap<QueryId, ConvertedColumns>();
  // Every query passes here (a run of 1,000 hosts makes tens of thousands): a transformer sets up
  // a table of ~100 methods when made, so one encoder per set of tables is made once and reused
  // (a transform is synchronous, so one instance never serves two queries at once).
  const encoders = new Map<string, ValueEncoder>();
  return {
    transformQuery({ node, queryId }: PluginTransformQueryArgs): RootOperationNode {
      const scan = scanQuery(node);
      const tables = [...scan.tables].sort().join(',');
      let encoder = encoders.get(tables);
      if (encoder === undefined) {
        encoder = new ValueEncoder(adapter, convertedColumns(tables.split(',')));
        encoders.set(tables, encoder);
      }
      columnsOf.set(queryId, encoder.columns);
      // Rewriting makes a new copy of every node of the query: only when a value may change.
      return mayEncode(scan, encoder.columns) ? encoder.transformNode(node) : node;
    },
    transformResult({
      result,
      queryId,
    }: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
      const columns = columnsOf.get(queryId);
      if (columns === undefined || columns.size === 0 || result.rows.length === 0) {
        return Promise.resolve(result);
      }
      return Promise.resolve({
        ...result,
        rows: result.rows.map((row) => decodeRow(row, columns, adapter)),
      });
    },
  };
}

function decodeRow(row: UnknownRow, columns: ConvertedColumns, adapter: StoreAdapter): UnknownRow {
  const decoded: Record<string, unknown> = { ...row };
  for (const [name, value] of Object.entries(row)) {
    const kind = columns.get(name);
    if (kind === undefined || value === null || value === undefined) continue;
    decoded[name] = decodeValue(kind, value, adapter);
  }
  return decoded;
}

function decodeValue(kind: ConvertedKind, value: unknown, adapter: StoreAdapter): unknown {
  if (kind === 'bool') return adapter.decodeBool(value);
  if (kind === 'date') return adapter.decodeDate(value);
  return typeof value === 'string' ? (JSON.parse(value) as unknown) : value;
}

function encodeValue(kind: ColumnKind | undefined, value: unknown, adapter: StoreAdapter): unknown {
  if (value === null || value === undefined) return value;
  if (kind === 'json') return JSON.stringify(value);
  if (kind === 'date' && (value instanceof Date || typeof value === 'string')) {
    return adapter.encodeDate(value);
  }
  if (value instanceof Date) return adapter.encodeDate(value);
  if (typeof value === 'boolean') return adapter.encodeBool(value);
  return value;
}

/** Converted columns of the named tables; a name two of them store differently is left alone. */
function convertedColumns(tables: readonly string[]): ConvertedColumns {
  const kindsByName = new Map<string, Set<ColumnKind>>();
  for (const table of tables) {
    for (const [name, kind] of Object.entries(tableKinds.get(table) ?? {})) {
      const kinds = kindsByName.get(name) ?? new Set<ColumnKind>();
      kinds.add(kind);
      kindsByName.set(name, kinds);
    }
  }
  const columns = new Map<string, ConvertedKind>();
  for (const [name, kinds] of kindsByName) {
    const [kind] = kinds;
    if (kinds.size === 1 && (kind === 'bool' || kind === 'date' || kind === 'json')) {
      columns.set(name, kind);
    }
  }
  return columns;
}

/** What the plugin needs to know of a query before it rewrites anything. */
interface QueryScan {
  /** The tables it names. */
  tables: Set<string>;
  /** Columns a value is written to or compared with (insert, update, `column op value`). */
  valueColumns: Set<string>;
  /** A Date or a boolean among its values: converted by type wherever it is. */
  typedValue: boolean;
}

/**
 * Reads a query's nodes without copying them (Kysely's transformer rebuilds every node; the
 * plugin did that twice per query, and queries that write nothing to convert are most of them:
 * a token's lookup, a page of hosts). A value's own contents are never walked (a JSON value can be
 * large).
 */
function scanQuery(root: RootOperationNode): QueryScan {
  const scan: QueryScan = { tables: new Set(), valueColumns: new Set(), typedValue: false };
  const typed = (value: unknown) => value instanceof Date || typeof value === 'boolean';
  const visit = (node: OperationNode): void => {
    if (ValueNode.is(node)) {
      if (typed(node.value)) scan.typedValue = true;
      return;
    }
    if (PrimitiveValueListNode.is(node)) {
      if (node.values.some(typed)) scan.typedValue = true;
      return;
    }
    if (node.kind === 'TableNode') scan.tables.add((node as TableNode).table.identifier.name);
    else if (node.kind === 'InsertQueryNode') {
      for (const column of (node as InsertQueryNode).columns ?? []) {
        scan.valueColumns.add(column.column.name);
      }
    } else if (ColumnUpdateNode.is(node) || BinaryOperationNode.is(node)) {
      const name = columnName(ColumnUpdateNode.is(node) ? node.column : node.leftOperand);
      if (name !== undefined) scan.valueColumns.add(name);
    }
    for (const child of Object.values(node) as unknown[]) {
      if (Array.isArray(child)) {
        for (const item of child) if (isNode(item)) visit(item);
      } else if (isNode(child)) visit(child);
    }
  };
  visit(root);
  return scan;
}

function isNode(value: unknown): value is OperationNode {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { kind?: unknown }).kind === 'string'
  );
}

/** Whether the encoder could change anything in a query of this scan. */
function mayEncode(scan: QueryScan, columns: ConvertedColumns): boolean {
  if (scan.typedValue) return true;
  for (const name of scan.valueColumns) if (columns.has(name)) return true;
  return false;
}

function columnName(node: OperationNode): string | undefined {
  if (ColumnNode.is(node)) return node.column.name;
  if (ReferenceNode.is(node) && ColumnNode.is(node.column)) return node.column.column.name;
  return undefined;
}

/** Rewrites the values of a query into what the backend stores. */
class ValueEncoder extends OperationNodeTransformer {
  constructor(
    private readonly adapter: StoreAdapter,
    readonly columns: ConvertedColumns,
  ) {
    super();
  }

  private kindOf(column: OperationNode): ConvertedKind | undefined {
    const name = columnName(column);
    return name === undefined ? undefined : this.columns.get(name);
  }

  /** A value (or list of values, for `in`) written to or compared with a column of this kind. */
  private forColumn(kind: ConvertedKind | undefined, node: OperationNode): OperationNode {
    if (kind === undefined) return node;
    if (ValueNode.is(node)) {
      return { ...node, value: encodeValue(kind, node.value, this.adapter) } as ValueNode;
    }
    if (PrimitiveValueListNode.is(node)) {
      return PrimitiveValueListNode.create(
        node.values.map((value) => encodeValue(kind, value, this.adapter)),
      );
    }
    if (ValueListNode.is(node)) {
      return ValueListNode.create(node.values.map((value) => this.forColumn(kind, value)));
    }
    return node;
  }

  protected override transformInsertQuery(
    node: InsertQueryNode,
    queryId?: QueryId,
  ): InsertQueryNode {
    const { columns, values } = node;
    if (columns === undefined || values === undefined || !ValuesNode.is(values)) {
      return super.transformInsertQuery(node, queryId);
    }
    const kinds = columns.map((column) => this.kindOf(column));
    const rows = values.values.map((row) => {
      if (PrimitiveValueListNode.is(row)) {
        return PrimitiveValueListNode.create(
          row.values.map((value, i) => encodeValue(kinds[i], value, this.adapter)),
        );
      }
      return ValueListNode.create(row.values.map((value, i) => this.forColumn(kinds[i], value)));
    });
    return super.transformInsertQuery({ ...node, values: ValuesNode.create(rows) }, queryId);
  }

  protected override transformColumnUpdate(
    node: ColumnUpdateNode,
    queryId?: QueryId,
  ): ColumnUpdateNode {
    const kind = this.kindOf(node.column);
    return super.transformColumnUpdate(
      ColumnUpdateNode.create(node.column, this.forColumn(kind, node.value)),
      queryId,
    );
  }

  protected override transformBinaryOperation(
    node: BinaryOperationNode,
    queryId?: QueryId,
  ): BinaryOperationNode {
    // Only dates compare by their stored form; a JSON column is not compared as a value.
    const kind = this.kindOf(node.leftOperand);
    const right = kind === 'date' ? this.forColumn(kind, node.rightOperand) : node.rightOperand;
    return super.transformBinaryOperation(
      BinaryOperationNode.create(node.leftOperand, node.operator, right),
      queryId,
    );
  }

  protected override transformValue(node: ValueNode, queryId?: QueryId): ValueNode {
    const value = encodeValue(undefined, node.value, this.adapter);
    return super.transformValue(value === node.value ? node : { ...node, value }, queryId);
  }

  protected override transformPrimitiveValueList(
    node: PrimitiveValueListNode,
    queryId?: QueryId,
  ): PrimitiveValueListNode {
    return super.transformPrimitiveValueList(
      PrimitiveValueListNode.create(
        node.values.map((value) => encodeValue(undefined, value, this.adapter)),
      ),
      queryId,
    );
  }
}
