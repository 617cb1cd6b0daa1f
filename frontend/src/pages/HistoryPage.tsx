import { Badge, Tabs } from "@mantine/core";
import { queries } from "../api/queries";
import type { LedgerEntry, PlayerEvent } from "../api/types";
import { Amount } from "../components/Amount";
import type { Column } from "../components/DataTable";
import { PagedTable } from "../components/PagedTable";
import { Screen } from "../components/Screen";
import { formatDateTime, humanizeEventType, ledgerReason } from "../lib/format";

const PAGE_SIZE = 20;

const EVENT_COLUMNS: Column<PlayerEvent>[] = [
  { header: "When", cell: (event) => formatDateTime(event.time) },
  { header: "What", cell: (event) => humanizeEventType(event.type) },
];

const LEDGER_COLUMNS: Column<LedgerEntry>[] = [
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
];

export function HistoryPage() {
  return (
    <Screen title="History">
      <Tabs defaultValue="events" keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="events">My events</Tabs.Tab>
          <Tabs.Tab value="wallet">Wallet</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="events" pt="md">
          <PagedTable
            query={queries.myEvents}
            pageSize={PAGE_SIZE}
            label="My events"
            what={{ loading: "Loading events", failed: "your events" }}
            columns={EVENT_COLUMNS}
            rowKey={(event) => event.event_id}
            empty="Nothing yet."
            singular="event"
            plural="events"
          />
        </Tabs.Panel>
        <Tabs.Panel value="wallet" pt="md">
          <PagedTable
            query={queries.myTransactions}
            pageSize={PAGE_SIZE}
            label="My wallet ledger"
            what={{ loading: "Loading wallet", failed: "your wallet" }}
            columns={LEDGER_COLUMNS}
            rowKey={(entry) => entry.entry_id}
            empty="No rewards yet — finish a quest!"
            singular="entry"
            plural="entries"
          />
        </Tabs.Panel>
      </Tabs>
    </Screen>
  );
}
