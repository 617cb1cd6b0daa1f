import { Loader, Text } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import type { PagedQuery } from "../api/queries";
import type { Page } from "../api/types";
import { type Column, DataTable } from "./DataTable";
import { LoadError } from "./LoadError";
import { Pager } from "./Pager";

/**
 * A list the server pages: a spinner until the first page, the table, what to say when it is
 * empty, and the pager ("42 entries", page buttons).
 */
export function PagedTable<T>({
  query,
  pageSize,
  label,
  what,
  columns,
  rowKey,
  empty,
  singular,
  plural,
}: {
  query: PagedQuery<Page<T>>;
  pageSize: number;
  /** The table's accessible name ("My events"). */
  label: string;
  /** For "Loading …" and "Could not load …" ("your events"). */
  what: { loading: string; failed: string };
  columns: Column<T>[];
  rowKey: (row: T) => string;
  empty: string;
  singular: string;
  plural: string;
}) {
  const [page, setPage] = useState(1);
  const list = useQuery(query({ limit: pageSize, offset: (page - 1) * pageSize }));
  if (list.isPending) return <Loader aria-label={what.loading} />;
  if (list.isError) return <LoadError what={what.failed} error={list.error} />;
  return (
    <>
      <DataTable
        striped
        highlightOnHover
        aria-label={label}
        minWidth={320}
        rows={list.data.data}
        rowKey={rowKey}
        columns={columns}
      />
      {list.data.count === 0 && <Text c="dimmed">{empty}</Text>}
      <Pager
        page={page}
        pageSize={pageSize}
        count={list.data.count}
        onChange={setPage}
        singular={singular}
        plural={plural}
      />
    </>
  );
}
