import { Alert, Badge, Loader, Stack, Table, Tabs, Text, Title } from "@mantine/core";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { getMyTransactions } from "../api/auth";
import { getMyEvents } from "../api/processing";
import { Pager } from "../components/Pager";
import { formatAmount, formatDateTime, humanizeEventType } from "../lib/format";

const PAGE_SIZE = 20;

function EventsTab() {
  const [page, setPage] = useState(1);
  const events = useQuery({
    queryKey: ["me", "events", page],
    queryFn: () => getMyEvents({ limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE }),
    placeholderData: keepPreviousData,
  });
  if (events.isPending) return <Loader aria-label="Loading events" />;
  if (events.isError) return <Alert color="red">Could not load your events: {events.error.message}</Alert>;
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
      <Pager page={page} pageSize={PAGE_SIZE} count={events.data.count} onChange={setPage} label="events" />
    </>
  );
}

function WalletTab() {
  const [page, setPage] = useState(1);
  const ledger = useQuery({
    queryKey: ["me", "transactions", page],
    queryFn: () => getMyTransactions({ limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE }),
    placeholderData: keepPreviousData,
  });
  if (ledger.isPending) return <Loader aria-label="Loading wallet" />;
  if (ledger.isError) return <Alert color="red">Could not load your wallet: {ledger.error.message}</Alert>;
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
                  <Badge color="teal" variant="light">
                    +{formatAmount(entry.qty, entry.item)}
                  </Badge>
                </Table.Td>
                <Table.Td>{formatAmount(entry.balance_after, entry.item)}</Table.Td>
                <Table.Td>{entry.reason || "—"}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {ledger.data.count === 0 && <Text c="dimmed">No rewards yet — finish a quest!</Text>}
      <Pager page={page} pageSize={PAGE_SIZE} count={ledger.data.count} onChange={setPage} label="entries" />
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
