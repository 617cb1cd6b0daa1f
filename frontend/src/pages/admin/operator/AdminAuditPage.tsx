import { Badge, Code, Group, Select, Text, TextInput } from "@mantine/core";
import { useInputState } from "@mantine/hooks";
import { useQuery } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import { getAudits } from "../../../api/operator";
import { type Column, DataTable } from "../../../components/DataTable";
import { QueryState } from "../../../components/LoadError";
import { Screen } from "../../../components/Screen";
import { auditActions, filterAudits, type MergedAuditEntry, mergeAudits, type ServiceName } from "../../../lib/operator";

const SERVICE_COLOR: Record<ServiceName, string> = { auth: "grape", catalog: "blue", processing: "teal" };

function change(value: Record<string, unknown> | null | undefined): string {
  return value ? JSON.stringify(value) : "—";
}

const COLUMNS: Column<MergedAuditEntry>[] = [
  { header: "When", cell: (entry) => new Date(entry.at).toLocaleString() },
  {
    header: "Service",
    nowrap: true, // the badge keeps its whole name beside a long before → after column
    cell: (entry) => (
      <Badge variant="light" color={SERVICE_COLOR[entry.service]} style={{ flexShrink: 0 }} miw="max-content">
        {entry.service}
      </Badge>
    ),
  },
  { header: "Actor", cell: (entry) => entry.actor_name || entry.actor_id },
  { header: "Action", cell: (entry) => entry.action, nowrap: true },
  {
    header: "Target",
    cell: (entry) => (
      <>
        {entry.target_type} <Code>{entry.target_id.slice(0, 8)}</Code>
      </>
    ),
  },
  {
    header: "Before → after",
    cell: (entry) => (
      <Text size="xs" lineClamp={2} style={{ wordBreak: "break-all" }}>
        {change(entry.before)} → {change(entry.after)}
      </Text>
    ),
  },
];

/** Every admin write of the three services, merged newest first, with filters. */
export function AdminAuditPage() {
  const audits = useQuery({ queryKey: ["admin", "audit"], queryFn: getAudits, refetchInterval: 15_000 });
  const [service, setService] = useState<ServiceName | null>(null);
  const [actor, setActor] = useInputState("");
  const [action, setAction] = useState<string | null>(null);
  const merged = useMemo(() => mergeAudits(audits.data ?? []), [audits.data]);
  const shown = filterAudits(merged, { service, actor, action: action ?? "" });

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
          {/* Focusable, so the wide table can be scrolled from the keyboard on a phone. */}
          <div style={{ overflowX: "auto" }} tabIndex={0} role="region" aria-label="Audit entries (scrolls sideways)">
            <DataTable
              striped
              highlightOnHover
              aria-label="Audit entries"
              fz="sm"
              miw={720}
              rows={shown}
              rowKey={(entry) => `${entry.service}-${entry.id}`}
              rowProps={(entry) => ({ "data-testid": "audit-row", "data-service": entry.service })}
              columns={COLUMNS}
            />
          </div>
        </>
      )}
    </Screen>
  );
}
