import { Badge, Loader, Stack, Table, Tabs, Text, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { queries } from "../api/queries";
import { Amount } from "../components/Amount";
import { LoadError } from "../components/LoadError";
import { Pager } from "../components/Pager";
import { formatDateTime, humanizeEventType, ledgerReason } from "../lib/format";

const PAGE_SIZE = 20;

function EventsTab() {
  const [page, setPage] = useState(1);
  const events = useQuery(queries.myEvents({ limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE }));
  if (events.isPending) return <Loader aria-label="Loading events" />;
  if (events.isError) return <LoadError what="your events" error={events.error} />;
  return (
    <>
      <Table.ScrollContainer minWidth={320}>
        <Table striped highlightOnHover aria-label="My events">
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">When</Table.Th>
              <Table.Th scope="col">What</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {events.data.data.map((event) => (
              <Table.Tr key={event.event_id}>
                <Table.Td>{formatDateTime(event.time)}</Table.Td>
                <Table.Td>{humanizeEventType(event.type)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {events.data.count === 0 && <Text c="dimmed">Nothing yet.</Text>}
      <Pager page={page} pageSize={PAGE_SIZE} count={events.data.count} onChange={setPage} singular="event" plural="events" />
    </>
  );
}

function WalletTab() {
  const [page, setPage] = useState(1);
  const ledger = useQuery(queries.myTransactions({ limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE }));
  if (ledger.isPending) return <Loader aria-label="Loading wallet" />;
  if (ledger.isError) return <LoadError what="your wallet" error={ledger.error} />;
  return (
    <>
      <Table.ScrollContainer minWidth={320}>
        <Table striped highlightOnHover aria-label="My wallet ledger">
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">When</Table.Th>
              <Table.Th scope="col">Amount</Table.Th>
              <Table.Th scope="col">Balance</Table.Th>
              <Table.Th scope="col">Why</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {ledger.data.data.map((entry) => (
              <Table.Tr key={entry.entry_id}>
                <Table.Td>{formatDateTime(entry.created_at)}</Table.Td>
                <Table.Td>
                  <Badge color="teal" variant="light" size="lg">
                    <Amount qty={entry.qty} item={entry.item} sign={entry.qty >= 0 ? "+" : ""} size={14} />
                  </Badge>
                </Table.Td>
                <Table.Td>
                  <Amount qty={entry.balance_after} item={entry.item} size={14} />
                </Table.Td>
                <Table.Td>{ledgerReason(entry.reason)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {ledger.data.count === 0 && <Text c="dimmed">No rewards yet — finish a quest!</Text>}
      <Pager page={page} pageSize={PAGE_SIZE} count={ledger.data.count} onChange={setPage} singular="entry" plural="entries" />
    </>
  );
}

export function HistoryPage() {
  return (
    <Stack>
      <Title order={1} size="h2">
        History
      </Title>
      <Tabs defaultValue="events" keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="events">My events</Tabs.Tab>
          <Tabs.Tab value="wallet">Wallet</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="events" pt="md">
          <EventsTab />
        </Tabs.Panel>
        <Tabs.Panel value="wallet" pt="md">
          <WalletTab />
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}
