import { Group, Paper, Text } from "@mantine/core";
import type { Item } from "../api/types";
import { ITEM_LABEL } from "../lib/format";
import { ItemIcon } from "./ItemIcon";

function Balance({ item, amount }: { item: Item; amount: number | undefined }) {
  const shown = amount === undefined ? "…" : amount.toLocaleString("en-US");
  return (
    <Paper withBorder radius="xl" px="md" py={6} className="balance" aria-label={`${ITEM_LABEL[item]}: ${shown}`}>
      <Group gap={8} wrap="nowrap">
        <ItemIcon item={item} size={22} title="" />
        <Text span fw={700} fz="lg" data-testid={`balance-${item}`}>
          {shown}
        </Text>
      </Group>
    </Paper>
  );
}

export function Balances({ diamond, gold }: { diamond?: number; gold?: number }) {
  return (
    <Group gap="sm" role="group" aria-label="Balances">
      <Balance item="diamond" amount={diamond} />
      <Balance item="gold" amount={gold} />
    </Group>
  );
}
