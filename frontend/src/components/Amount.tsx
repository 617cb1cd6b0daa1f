import { Group, Text } from "@mantine/core";
import type { Item } from "../api/types";
import { amountInWords } from "../lib/format";
import { ItemIcon } from "./ItemIcon";

/** "10 ◆": the number and the drawn icon, read aloud as "10 diamonds". One icon per item everywhere. */
export function Amount({ qty, item, sign = "", size = 18 }: { qty: number; item: Item | string; sign?: string; size?: number }) {
  return (
    <Group gap={4} wrap="nowrap" component="span" display="inline-flex" aria-label={`${sign}${amountInWords(qty, item)}`} role="img">
      <Text span inherit aria-hidden>
        {sign}
        {qty.toLocaleString("en-US")}
      </Text>
      <ItemIcon item={item} size={size} title="" />
    </Group>
  );
}
