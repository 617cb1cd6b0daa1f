import { Badge, Tabs } from "@mantine/core";
import { queries } from "../api/queries";
import type { LedgerEntry, PlayerEvent } from "../api/types";
import { Amount } from "../components/Amount";
import { type PagedList, PagedTable } from "../components/PagedTable";
import { Screen } from "../components/Screen";
import { formatDateTime, humanizeEventType, ledgerReason } from "../lib/format";

const EVENTS: PagedList<PlayerEvent> = {
  query: queries.myEvents,
  rowKey: (event) => event.event_id,
  columns: [
    { header: "When", cell: (event) => formatDateTime(event.time) },
    { header: "What", cell: (event) => humanizeEventType(event.type) },
  ],
  label: "My events",
  what: "your events",
  empty: "Nothing yet.",
  count: ["event", "events"],
};

const WALLET: PagedList<LedgerEntry> = {
  query: queries.myTransactions,
  rowKey: (entry) => entry.entry_id,
  columns: [
    { header: "When", cell: (entry) => formatDateTime(entry.created_at) },
    {
      header: "Amount",
      cell: (entry) => (
        <Badge color="teal" variant="light" size="lg">
          <Amount qty={entry.qty} item={entry.item} sign={entry.qty >= 0 ? "+" : ""} size={14} />
        </Badge>
      ),
    },
    { header: "Balance", cell: (entry) => <Amount qty={entry.balance_after} item={entry.item} size={14} /> },
    { header: "Why", cell: (entry) => ledgerReason(entry.reason) },
  ],
  label: "My wallet ledger",
  what: "your wallet",
  empty: "No rewards yet — finish a quest!",
  count: ["entry", "entries"],
};

export function HistoryPage() {
  return (
    <Screen title="History">
      <Tabs defaultValue="events" keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="events">My events</Tabs.Tab>
          <Tabs.Tab value="wallet">Wallet</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="events" pt="md">
          <PagedTable list={EVENTS} />
        </Tabs.Panel>
        <Tabs.Panel value="wallet" pt="md">
          <PagedTable list={WALLET} />
        </Tabs.Panel>
      </Tabs>
    </Screen>
  );
}
