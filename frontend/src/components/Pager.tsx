import { Group, Pagination, Text } from "@mantine/core";
import { countOf } from "../lib/format";

export function Pager({
  page,
  pageSize,
  count,
  onChange,
  singular,
  plural,
}: {
  page: number;
  pageSize: number;
  count: number;
  onChange: (page: number) => void;
  singular: string;
  plural: string;
}) {
  const pages = Math.max(1, Math.ceil(count / pageSize));
  return (
    <Group justify="space-between" mt="md">
      <Text size="sm" c="dimmed">
        {countOf(count, singular, plural)}
      </Text>
      <Pagination
        total={pages}
        value={page}
        onChange={onChange}
        size="sm"
        getControlProps={(control) => ({ "aria-label": `${control} page` })}
        getItemProps={(p) => ({ "aria-label": `Page ${p}` })}
      />
    </Group>
  );
}
