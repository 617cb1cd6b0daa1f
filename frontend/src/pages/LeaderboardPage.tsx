import { Group, SegmentedControl, Text } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { queries } from "../api/queries";
import type { Item } from "../api/types";
import { useSession } from "../auth/useSession";
import { Amount } from "../components/Amount";
import { ItemIcon } from "../components/ItemIcon";
import { DataTable } from "../components/DataTable";
import { QueryState } from "../components/LoadError";
import { Screen } from "../components/Screen";

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
    <Screen title="Leaderboard">
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
      <QueryState query={board} what="the leaderboard" loading="Loading leaderboard" />
      {board.data && (
        <DataTable
          striped
          aria-label={`Top players by ${item}`}
          rows={board.data.data}
          rowKey={(row) => row.user_id}
          rowProps={(row) => ({ fw: row.user_id === myId ? 700 : undefined })}
          columns={[
            { header: "Rank", cell: (row) => MEDALS[row.rank - 1] ?? row.rank },
            {
              header: "Player",
              cell: (row) => (
                <>
                  {row.user_name}
                  {row.user_id === myId && (
                    <Text span c="var(--quest-accent-text)" size="sm">
                      {" "}
                      (you)
                    </Text>
                  )}
                </>
              ),
            },
            {
              header: "Balance",
              align: "right",
              cell: (row) => <Amount qty={row.balance} item={row.item} size={16} />,
            },
          ]}
        />
      )}
      {board.data?.count === 0 && <Text c="dimmed">Nobody has any yet.</Text>}
    </Screen>
  );
}
