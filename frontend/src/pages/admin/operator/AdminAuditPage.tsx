import { Badge, Code, Group, Loader, Select, Stack, Table, Text, TextInput, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import { getAudits } from "../../../api/operator";
import { LoadError } from "../../../components/LoadError";
import { auditActions, filterAudits, mergeAudits, type ServiceName } from "../../../lib/operator";

const SERVICE_COLOR: Record<ServiceName, string> = { auth: "grape", catalog: "blue", processing: "teal" };

function change(value: Record<string, unknown> | null | undefined): string {
  return value ? JSON.stringify(value) : "—";
}

/** Every admin write of the three services, merged newest first, with filters. */
export function AdminAuditPage() {
  const audits = useQuery({ queryKey: ["admin", "audit"], queryFn: getAudits, refetchInterval: 15_000 });
  const [service, setService] = useState<ServiceName | null>(null);
  const [actor, setActor] = useState("");
  const [action, setAction] = useState<string | null>(null);
  const merged = useMemo(() => mergeAudits(audits.data ?? []), [audits.data]);
  const shown = filterAudits(merged, { service, actor, action: action ?? "" });

  return (
    <Stack>
      <Title order={2}>Audit trail</Title>
      <Group align="flex-end" wrap="wrap">
        <Select
          label="Service"
          placeholder="All"
          clearable
          data={["auth", "catalog", "processing"]}
          value={service}
          onChange={(v) => setService(v as ServiceName | null)}
          w={160}
        />
        <TextInput
          label="Actor"
          placeholder="Name or id"
          value={actor}
          onChange={(e) => setActor(e.currentTarget.value)}
          w={200}
        />
        <Select
          label="Action"
          placeholder="All"
          clearable
          searchable
          data={auditActions(merged)}
          value={action}
          onChange={setAction}
          w={220}
        />
      </Group>
      {audits.isPending && <Loader aria-label="Loading the audit trail" />}
      <LoadError what="the audit trail" error={audits.error} />
      {audits.data && (
        <>
          <Text size="sm" c="dimmed" data-testid="audit-count">
            {shown.length} of {merged.length} entries
          </Text>
          {/* Focusable, so the wide table can be scrolled from the keyboard on a phone. */}
          <div style={{ overflowX: "auto" }} tabIndex={0} role="region" aria-label="Audit entries (scrolls sideways)">
            <Table striped highlightOnHover aria-label="Audit entries" fz="sm" miw={720}>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>When</Table.Th>
                  <Table.Th>Service</Table.Th>
                  <Table.Th>Actor</Table.Th>
                  <Table.Th>Action</Table.Th>
                  <Table.Th>Target</Table.Th>
                  <Table.Th>Before → after</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {shown.map((entry) => (
                  <Table.Tr key={`${entry.service}-${entry.id}`} data-testid="audit-row" data-service={entry.service}>
                    <Table.Td>{new Date(entry.at).toLocaleString()}</Table.Td>
                    <Table.Td>
                      <Badge variant="light" color={SERVICE_COLOR[entry.service]} style={{ flexShrink: 0 }} miw="fit-content">
                        {entry.service}
                      </Badge>
                    </Table.Td>
                    <Table.Td>{entry.actor_name || entry.actor_id}</Table.Td>
                    <Table.Td style={{ whiteSpace: "nowrap" }}>{entry.action}</Table.Td>
                    <Table.Td>
                      {entry.target_type} <Code>{entry.target_id.slice(0, 8)}</Code>
                    </Table.Td>
                    <Table.Td>
                      <Text size="xs" lineClamp={2} style={{ wordBreak: "break-all" }}>
                        {change(entry.before)} → {change(entry.after)}
                      </Text>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </div>
        </>
      )}
    </Stack>
  );
}
