import { ActionIcon, Badge, CopyButton, Group, Text, Tooltip } from "@mantine/core";
import { queries } from "../api/queries";
import type { Redemption } from "../api/types";
import { Amount } from "../components/Amount";
import { type PagedList, PagedTable } from "../components/PagedTable";
import { Screen } from "../components/Screen";
import { formatDateTime } from "../lib/format";

const STATUS: Record<Redemption["status"], { label: string; color: string }> = {
  done: { label: "Done", color: "teal" },
  pending: { label: "Completing…", color: "yellow" },
  released: { label: "Not bought", color: "gray" },
};

function Code({ redemption }: { redemption: Redemption }) {
  if (redemption.code) {
    return (
      <Group gap={6} wrap="nowrap">
        <Text ff="monospace" fw={700} data-testid="redemption-code">
          {redemption.code}
        </Text>
        <CopyButton value={redemption.code}>
          {({ copied, copy }) => (
            <Tooltip label={copied ? "Copied" : "Copy"} withArrow>
              <ActionIcon variant="subtle" onClick={copy} aria-label={`Copy code ${redemption.code}`}>
                {copied ? "✓" : "⧉"}
              </ActionIcon>
            </Tooltip>
          )}
        </CopyButton>
      </Group>
    );
  }
  return (
    <Text size="sm" c="dimmed">
      {redemption.status === "released" ? (redemption.refusal ?? "—") : "Your code appears once the wallet answers"}
    </Text>
  );
}

const REWARDS: PagedList<Redemption> = {
  query: queries.myRedemptions,
  rowKey: (r) => r.redemption_id,
  columns: [
    { header: "When", cell: (r) => formatDateTime(r.created_at) },
    { header: "What", cell: (r) => r.offer.title },
    { header: "Price", cell: (r) => <Amount qty={r.price.qty} item={r.price.item} size={14} /> },
    {
      header: "Status",
      cell: (r) => (
        <Badge color={STATUS[r.status].color} variant="light">
          {STATUS[r.status].label}
        </Badge>
      ),
    },
    { header: "Code", cell: (r) => <Code redemption={r} /> },
  ],
  label: "My rewards",
  what: "your rewards",
  empty: "Nothing bought yet — visit the shop!",
  count: ["reward", "rewards"],
};

export function MyRewardsPage() {
  return (
    <Screen title="My rewards">
      <PagedTable list={REWARDS} />
    </Screen>
  );
}
