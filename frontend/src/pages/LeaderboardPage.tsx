import { Group, Loader, SegmentedControl, Stack, Table, Text, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { queries } from "../api/queries";
import type { Item } from "../api/types";
import { useSession } from "../auth/useSession";
import { Amount } from "../components/Amount";
import { ItemIcon } from "../components/ItemIcon";
import { LoadError } from "../components/LoadError";

const MEDALS = ["🥇", "🥈", "🥉"];

function ItemLabel({ item, text }: { item: Item; text: string }) {
  return (
    <Group gap={6} wrap="nowrap" justify="center">
      <ItemIcon item={item} size={16} title="" />
      {text}
    </Group>
  );
}

export function LeaderboardPage() {
  const [item, setItem] = useState<Item>("diamond");
  const state = useSession();
  const myId = state.status === "authenticated" ? state.user.userId : null;
  const board = useQuery(queries.leaderboard({ item, limit: 10 }));
  return (
    <Stack>
      <Title order={1} size="h2">
        Leaderboard
      </Title>
      <SegmentedControl
        value={item}
        onChange={(v) => setItem(v as Item)}
        data={[
          { value: "diamond", label: <ItemLabel item="diamond" text="Diamonds" /> },
          { value: "gold", label: <ItemLabel item="gold" text="Gold" /> },
        ]}
        aria-label="Rank by"
        w="fit-content"
      />
      {board.isPending && <Loader aria-label="Loading leaderboard" />}
      <LoadError what="the leaderboard" error={board.error} />
      {board.data && (
        <Table striped aria-label={`Top players by ${item}`}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Rank</Table.Th>
              <Table.Th scope="col">Player</Table.Th>
              <Table.Th scope="col" ta="right">
                Balance
              </Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {board.data.data.map((row) => (
              <Table.Tr key={row.user_id} fw={row.user_id === myId ? 700 : undefined}>
                <Table.Td>{MEDALS[row.rank - 1] ?? row.rank}</Table.Td>
                <Table.Td>
                  {row.user_name}
                  {row.user_id === myId && (
                    <Text span c="var(--quest-accent-text)" size="sm">
                      {" "}
                      (you)
                    </Text>
                  )}
                </Table.Td>
                <Table.Td ta="right">
                  <Amount qty={row.balance} item={row.item} size={16} />
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {board.data?.count === 0 && <Text c="dimmed">Nobody has any yet.</Text>}
    </Stack>
  );
}
