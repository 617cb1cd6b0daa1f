import { Anchor, Group, SegmentedControl, Stack, Text } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { useState } from "react";
import { queries } from "../api/queries";
import type { BoardItem, BoardPeriod } from "../api/types";
import { Amount } from "../components/Amount";
import { DataTable } from "../components/DataTable";
import { ItemIcon } from "../components/ItemIcon";
import { QueryState } from "../components/LoadError";
import { Screen } from "../components/Screen";
import { ITEM_LABEL } from "../lib/format";
import { medal, resetNote } from "../lib/progression";

function ItemLabel({ item, text }: { item: BoardItem; text: string }) {
  return (
    <Group gap={6} wrap="nowrap" justify="center">
      <ItemIcon item={item} size={16} title="" />
      {text}
    </Group>
  );
}

const PERIODS: { value: BoardPeriod; label: string }[] = [
  { value: "week", label: "This week" },
  { value: "month", label: "This month" },
  { value: "all", label: "All time" },
];

export function LeaderboardPage() {
  const [item, setItem] = useState<BoardItem>("xp");
  const [period, setPeriod] = useState<BoardPeriod>("week");
  const board = useQuery(queries.leaderboard({ item, period, limit: 10 }));
  const me = board.data?.me;
  const note = resetNote(period);
  const youInTop = board.data?.data.some((row) => row.you) ?? false;
  return (
    <Screen title="Leaderboard">
      <Stack gap="xs">
        <SegmentedControl
          value={period}
          onChange={(v) => setPeriod(v as BoardPeriod)}
          data={PERIODS}
          aria-label="Period"
          w="fit-content"
        />
        <SegmentedControl
          value={item}
          onChange={(v) => setItem(v as BoardItem)}
          data={[
            { value: "xp", label: <ItemLabel item="xp" text="XP" /> },
            { value: "diamond", label: <ItemLabel item="diamond" text="Diamonds" /> },
            { value: "gold", label: <ItemLabel item="gold" text="Gold" /> },
          ]}
          aria-label="Rank by"
          w="fit-content"
        />
      </Stack>
      <Group justify="space-between" gap="xs">
        <Text size="sm" c="dimmed" data-testid="board-resets">
          {note ?? "Balances now, since the start"}
        </Text>
        {me && (
          <Text fw={700} data-testid="board-me">
            you: #{me.rank.toLocaleString("en-US")}
            <Text span c="dimmed" fw={400} size="sm">
              {" "}
              · <Amount qty={me.value} item={item} size={14} />
            </Text>
          </Text>
        )}
      </Group>
      <QueryState query={board} what="the leaderboard" loading="Loading leaderboard" />
      {board.data && (
        <DataTable
          striped
          aria-label={`Top players by ${ITEM_LABEL[item]}, ${PERIODS.find((p) => p.value === period)?.label.toLowerCase()}`}
          rows={board.data.data}
          rowKey={(row) => `${row.rank}-${row.user_name}`}
          rowProps={(row) => ({ fw: row.you ? 700 : undefined, "data-testid": "board-row" })}
          columns={[
            {
              header: "Rank",
              cell: (row) => (
                <span aria-label={`rank ${row.shared_rank}`}>
                  {medal(row.shared_rank, row.value) ?? row.shared_rank}
                </span>
              ),
            },
            {
              header: "Player",
              cell: (row) => (
                <>
                  <Anchor
                    renderRoot={(props) => <Link to="/players/$userName" params={{ userName: row.user_name }} {...props} />}
                  >
                    {row.user_name}
                  </Anchor>
                  {row.you && (
                    <Text span c="var(--quest-accent-text)" size="sm">
                      {" "}
                      (you)
                    </Text>
                  )}
                </>
              ),
            },
            {
              header: period === "all" ? "Balance" : "Earned",
              align: "right",
              cell: (row) => <Amount qty={row.value} item={item} size={16} />,
            },
          ]}
        />
      )}
      {board.data && board.data.data.length === 0 && <Text c="dimmed">Nobody is on this board yet.</Text>}
      {me && !youInTop && board.data && board.data.data.length > 0 && (
        <Text size="sm" c="dimmed">
          Equal values share a medal; among them, whoever got there first is listed first.
        </Text>
      )}
    </Screen>
  );
}
