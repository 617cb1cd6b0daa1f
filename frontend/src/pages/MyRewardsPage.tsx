import { Badge, Button, CopyButton, Group, Stack, Text } from "@mantine/core";
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
      <Group gap={6} align="center">
        <Text ff="monospace" fw={700} style={{ whiteSpace: "nowrap" }} data-testid="redemption-code">
          {redemption.code}
        </Text>
        <CopyButton value={redemption.code}>
          {({ copied, copy }) => (
            <Button size="compact-xs" variant="light" onClick={copy} aria-label={`Copy code ${redemption.code}`}>
              {copied ? "Copied" : "Copy"}
            </Button>
          )}
        </CopyButton>
      </Group>
    );
  }
  const status = STATUS[redemption.status];
  return (
    <Stack gap={4} align="flex-start">
      <Badge color={status.color} variant="light" tt="none" maw="none">
        {status.label}
      </Badge>
      <Text size="sm" c="dimmed">
        {redemption.status === "released" ? (redemption.refusal ?? "—") : "Your code appears once the wallet answers"}
      </Text>
    </Stack>
  );
}

const REWARDS: PagedList<Redemption> = {
  query: queries.myRedemptions,
  rowKey: (r) => r.redemption_id,
  columns: [
    {
      header: "Reward",
      cell: (r) => (
        <Stack gap={2}>
          <Text fw={600} size="sm">
            {r.offer.title}
          </Text>
          <Group gap={6} wrap="nowrap">
            <Amount qty={r.price.qty} item={r.price.item} size={14} />
            <Text size="xs" c="dimmed">
              {formatDateTime(r.created_at)}
            </Text>
          </Group>
        </Stack>
      ),
    },
    // The status is said where the code goes: a done one shows its code, the others say why not yet.
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
