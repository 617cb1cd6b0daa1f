import { Text } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import type { PagedQuery } from "../api/queries";
import type { Page } from "../api/types";
import { type Column, DataTable } from "./DataTable";
import { QueryState } from "./LoadError";
import { Pager } from "./Pager";

const PAGE_SIZE = 20;

/** A list the server pages: where it comes from, its columns and its wording. */
export interface PagedList<T> {
  query: PagedQuery<Page<T>>;
  rowKey: (row: T) => string;
  columns: Column<T>[];
  /** The table's accessible name. */
  label: string;
  /** For "Loading …" and "Could not load …" ("your events"). */
  what: string;
  /** Said under an empty table. */
  empty: string;
  /** The pager's count: "1 event", "42 events". */
  count: [singular: string, plural: string];
}

/** A spinner until the first page, then the table, a word when it is empty, and the pager. */
export function PagedTable<T>({ list }: { list: PagedList<T> }) {
  const [page, setPage] = useState(1);
  const result = useQuery(list.query({ limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE }));
  if (result.isPending || result.isError) return <QueryState query={result} what={list.what} />;
  const [singular, plural] = list.count;
  return (
    <>
      <DataTable
        striped
        highlightOnHover
        aria-label={list.label}
        minWidth={320}
        rows={result.data.data}
        rowKey={list.rowKey}
        columns={list.columns}
      />
      {result.data.count === 0 && <Text c="dimmed">{list.empty}</Text>}
      <Pager
        page={page}
        pageSize={PAGE_SIZE}
        count={result.data.count}
        onChange={setPage}
        singular={singular}
        plural={plural}
      />
    </>
  );
}
