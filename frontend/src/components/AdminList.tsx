import { Card, Group, Stack, Table, Text } from "@mantine/core";
import { useMediaQuery } from "@mantine/hooks";
import type { ReactNode } from "react";

export interface Column<T> {
  header: string;
  cell: (row: T) => ReactNode;
}

/**
 * A table on wide screens; below 600 px one card per row (label, value; actions at the
 * bottom), so badges are not cut and the actions are not off-screen on a phone.
 */
export function AdminList<T>({
  label,
  rows,
  rowKey,
  columns,
  actions,
  rowProps,
}: {
  label: string;
  rows: T[];
  rowKey: (row: T) => string;
  columns: Column<T>[];
  actions: (row: T) => ReactNode;
  /** Extra attributes for a row or card (e.g. data-quest-name for tests and styling). */
  rowProps?: (row: T) => Record<string, string>;
}) {
  const phone = useMediaQuery("(max-width: 600px)");
  if (phone) {
    return (
      <Stack gap="sm" role="list" aria-label={label}>
        {rows.map((row) => (
          <Card key={rowKey(row)} withBorder padding="sm" role="listitem" {...rowProps?.(row)}>
            <Stack gap={6}>
              {columns.map((column) => (
                <Group key={column.header} justify="space-between" align="flex-start" wrap="nowrap" gap="sm">
                  <Text size="xs" c="dimmed" fw={700} tt="uppercase">
                    {column.header}
                  </Text>
                  <div style={{ textAlign: "right", minWidth: 0 }}>{column.cell(row)}</div>
                </Group>
              ))}
              <Group gap="xs" justify="flex-end" wrap="wrap" mt={4}>
                {actions(row)}
              </Group>
            </Stack>
          </Card>
        ))}
      </Stack>
    );
  }
  return (
    <Table.ScrollContainer minWidth={560}>
      <Table striped highlightOnHover aria-label={label}>
        <Table.Thead>
          <Table.Tr>
            {columns.map((column) => (
              <Table.Th key={column.header} scope="col">
                {column.header}
              </Table.Th>
            ))}
            <Table.Th scope="col">
              <span className="sr-only">Actions</span>
            </Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((row) => (
            <Table.Tr key={rowKey(row)} {...rowProps?.(row)}>
              {columns.map((column) => (
                <Table.Td key={column.header}>{column.cell(row)}</Table.Td>
              ))}
              <Table.Td>
                <Group gap="xs" justify="flex-end" wrap="nowrap">
                  {actions(row)}
                </Group>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
