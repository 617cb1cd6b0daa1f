import { Group, Paper, Text } from "@mantine/core";
import type { Item } from "../api/types";
import { ITEM_ICON, ITEM_LABEL } from "../lib/format";

function Balance({ item, amount }: { item: Item; amount: number | undefined }) {
  const shown = amount === undefined ? "…" : amount.toLocaleString("en-US");
  return (
    <Paper withBorder radius="xl" px="md" py={6} className="balance" aria-label={`${ITEM_LABEL[item]}: ${shown}`}>
      <Group gap={8} wrap="nowrap">
        <Text span fz="xl" aria-hidden>
          {ITEM_ICON[item]}
        </Text>
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
