import { Table, type TableProps, type TableTrProps } from "@mantine/core";
import type { ReactNode } from "react";

export interface Column<T> {
  header: ReactNode;
  cell: (row: T) => ReactNode;
  /** "right" for amounts, header and cells alike. */
  align?: "right";
  /** Keep the cell on one line (short codes such as an audit action). */
  nowrap?: boolean;
}

/** data-* attributes, for tests and styling. */
export type DataAttributes = { [data: `data-${string}`]: string };

/** Extra attributes of a row: Mantine's (e.g. `fw`) and data-*. */
export type RowProps = TableTrProps & DataAttributes;

/**
 * The one table of the UI: a header row from the columns, then a row per item. `minWidth`
 * wraps it in a horizontal scroller, so a narrow screen scrolls it rather than squeezing it.
 */
export function DataTable<T>({
  rows,
  rowKey,
  columns,
  rowProps,
  minWidth,
  ...table
}: {
  rows: T[];
  rowKey: (row: T) => string;
  columns: Column<T>[];
  rowProps?: (row: T) => RowProps;
  minWidth?: number;
} & Omit<TableProps, "children" | "data">) {
  const element = (
    <Table {...table}>
      <Table.Thead>
        <Table.Tr>
          {columns.map((column, i) => (
            <Table.Th key={i} scope="col" ta={column.align}>
              {column.header}
            </Table.Th>
          ))}
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {rows.map((row) => (
          <Table.Tr key={rowKey(row)} {...rowProps?.(row)}>
            {columns.map((column, i) => (
              <Table.Td key={i} ta={column.align} style={column.nowrap ? { whiteSpace: "nowrap" } : undefined}>
                {column.cell(row)}
              </Table.Td>
            ))}
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
  if (minWidth === undefined) return element;
  return <Table.ScrollContainer minWidth={minWidth}>{element}</Table.ScrollContainer>;
}
