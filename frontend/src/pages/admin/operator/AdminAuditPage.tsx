import { Badge, Card, Code, Group, Select, Stack, Text, TextInput } from "@mantine/core";
import { useInputState, useMediaQuery } from "@mantine/hooks";
import { useQuery } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import { getAudits } from "../../../api/operator";
import { type Column, DataTable } from "../../../components/DataTable";
import { QueryState } from "../../../components/LoadError";
import { Screen } from "../../../components/Screen";
import { auditDiff } from "../../../lib/auditDiff";
import { formatDateTime } from "../../../lib/format";
import { auditActions, filterAudits, type MergedAuditEntry, mergeAudits, type ServiceName } from "../../../lib/operator";

const SERVICE_COLOR: Record<ServiceName, string> = { auth: "grape", catalog: "blue", processing: "teal" };

/** What an admin write changed, one field a line: "reason: — → Database failover". */
function FieldDiff({ entry }: { entry: MergedAuditEntry }) {
  const changes = auditDiff(entry.before, entry.after);
  if (changes.length === 0) {
    return (
      <Text size="xs" c="dimmed" data-testid="audit-diff">
        no field changed
      </Text>
    );
  }
  return (
    <Stack gap={2} data-testid="audit-diff" style={{ minWidth: 0 }}>
      {changes.map((change) => (
        <Text key={change.field} size="xs" style={{ overflowWrap: "anywhere" }}>
          <Text span fw={700} size="xs">
            {change.field}
          </Text>
          {": "}
          {change.before !== null && (
            <Text span size="xs" c="dimmed" td={change.after !== null ? "line-through" : undefined}>
              {change.before}
            </Text>
          )}
          {change.before !== null && change.after !== null && " → "}
          {change.after !== null && <Text span size="xs">{change.after}</Text>}
        </Text>
      ))}
    </Stack>
  );
}

function ServiceBadge({ service }: { service: ServiceName }) {
  return (
    <Badge variant="light" color={SERVICE_COLOR[service]} style={{ flexShrink: 0 }} miw="max-content">
      {service}
    </Badge>
  );
}

function Target({ entry }: { entry: MergedAuditEntry }) {
  return (
    <>
      {entry.target_type} <Code>{entry.target_id.slice(0, 8)}</Code>
    </>
  );
}

const COLUMNS: Column<MergedAuditEntry>[] = [
  { header: "When", cell: (entry) => formatDateTime(entry.at), nowrap: true },
  {
    header: "Service",
    nowrap: true, // the badge keeps its whole name beside a long list of changes
    cell: (entry) => <ServiceBadge service={entry.service} />,
  },
  { header: "Actor", cell: (entry) => entry.actor_name || entry.actor_id },
  { header: "Action", cell: (entry) => entry.action, nowrap: true },
  { header: "Target", cell: (entry) => <Target entry={entry} /> },
  { header: "Changes", cell: (entry) => <FieldDiff entry={entry} /> },
];

/** On a phone, one card per entry: the changes get the whole width instead of a far column. */
function AuditCards({ entries }: { entries: MergedAuditEntry[] }) {
  return (
    <Stack gap="sm" role="list" aria-label="Audit entries">
      {entries.map((entry) => (
        <Card
          key={`${entry.service}-${entry.id}`}
          withBorder
          padding="sm"
          role="listitem"
          data-testid="audit-row"
          data-service={entry.service}
        >
          <Stack gap={6}>
            <Group justify="space-between" wrap="nowrap" gap="xs">
              <Text size="sm" fw={700} style={{ overflowWrap: "anywhere" }}>
                {entry.action}
              </Text>
              <ServiceBadge service={entry.service} />
            </Group>
            <Text size="xs" c="dimmed">
              {formatDateTime(entry.at)} · {entry.actor_name || entry.actor_id} · <Target entry={entry} />
            </Text>
            <FieldDiff entry={entry} />
          </Stack>
        </Card>
      ))}
    </Stack>
  );
}

/** Every admin write of the three services, merged newest first, with filters. */
export function AdminAuditPage() {
  const audits = useQuery({ queryKey: ["admin", "audit"], queryFn: getAudits, refetchInterval: 15_000 });
  const [service, setService] = useState<ServiceName | null>(null);
  const [actor, setActor] = useInputState("");
  const [action, setAction] = useState<string | null>(null);
  const merged = useMemo(() => mergeAudits(audits.data ?? []), [audits.data]);
  const shown = filterAudits(merged, { service, actor, action: action ?? "" });
  const phone = useMediaQuery("(max-width: 600px)");

  return (
    <Screen title="Audit trail">
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
        <TextInput label="Actor" placeholder="Name or id" value={actor} onChange={setActor} w={200} />
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
      <QueryState query={audits} what="the audit trail" />
      {audits.data && (
        <>
          <Text size="sm" c="dimmed" data-testid="audit-count">
            {shown.length} of {merged.length} entries
          </Text>
          {phone ? (
            <AuditCards entries={shown} />
          ) : (
            <DataTable
              striped
              highlightOnHover
              aria-label="Audit entries"
              fz="sm"
              minWidth={720}
              rows={shown}
              rowKey={(entry) => `${entry.service}-${entry.id}`}
              rowProps={(entry) => ({ "data-testid": "audit-row", "data-service": entry.service })}
              columns={COLUMNS}
            />
          )}
        </>
      )}
    </Screen>
  );
}
