import { Button, Card, Group, Stack, Text } from "@mantine/core";
import { useMediaQuery } from "@mantine/hooks";
import { type Column, type DataAttributes, DataTable } from "./DataTable";
import { useReachable } from "./useReachable";

export type { Column };

/** A button on a row: `ariaLabel` names the row too ("Edit Daily visitor"). */
export interface RowAction {
  label: string;
  ariaLabel: string;
  onClick: () => void;
  color?: string;
  variant?: "light" | "subtle";
  loading?: boolean;
}

/**
 * A table on wide screens; below 600 px one card per row (label, value; actions at the
 * bottom), so badges are not cut and the actions are not off-screen on a phone. Every action
 * writes to the server, so all of them wait while it is unreachable.
 */
export function AdminList<T>({
  label,
  rows,
  rowKey,
  columns,
  actions,
  rowProps,
  empty,
}: {
  label: string;
  rows: T[];
  rowKey: (row: T) => string;
  columns: Column<T>[];
  actions: (row: T) => RowAction[];
  /** Extra attributes for a row or card (e.g. data-quest-name for tests and styling). */
  rowProps?: (row: T) => DataAttributes;
  /** Said instead of an empty table (default: "No <label> yet."). */
  empty?: string;
}) {
  const phone = useMediaQuery("(max-width: 600px)");
  const reachable = useReachable();
  const buttons = (row: T) =>
    actions(row).map((action) => (
      <Button
        key={action.label}
        size="xs"
        variant={action.variant ?? "light"}
        color={action.color}
        loading={action.loading}
        disabled={!reachable}
        onClick={action.onClick}
        aria-label={action.ariaLabel}
      >
        {action.label}
      </Button>
    ));
  if (rows.length === 0) {
    return (
      <Text c="dimmed" role="status">
        {empty ?? `No ${label.toLowerCase()} yet.`}
      </Text>
    );
  }
  if (phone) {
    return (
      <Stack gap="sm" role="list" aria-label={label}>
        {rows.map((row) => (
          <Card key={rowKey(row)} withBorder padding="sm" role="listitem" {...rowProps?.(row)}>
            <Stack gap={6}>
              {columns.map((column, i) => (
                <Group key={i} justify="space-between" align="flex-start" wrap="nowrap" gap="sm">
                  <Text size="xs" c="dimmed" fw={700} tt="uppercase">
                    {column.header}
                  </Text>
                  <div style={{ textAlign: "right", minWidth: 0, overflowWrap: "anywhere" }}>{column.cell(row)}</div>
                </Group>
              ))}
              <Group gap="xs" justify="flex-end" wrap="wrap" mt={4}>
                {buttons(row)}
              </Group>
            </Stack>
          </Card>
        ))}
      </Stack>
    );
  }
  const actionsColumn: Column<T> = {
    header: <span className="sr-only">Actions</span>,
    cell: (row) => (
      <Group gap="xs" justify="flex-end" wrap="nowrap">
        {buttons(row)}
      </Group>
    ),
  };
  return (
    <DataTable
      striped
      highlightOnHover
      aria-label={label}
      minWidth={560}
      rows={rows}
      rowKey={rowKey}
      columns={[...columns, actionsColumn]}
      rowProps={rowProps}
    />
  );
}
