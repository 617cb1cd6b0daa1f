import { Alert, Badge, Button, Checkbox, Code, CopyButton, Group, Modal, Stack, Text, TextInput } from "@mantine/core";
import { useForm } from "@mantine/form";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { createEventSource, listEventSources, revokeEventSource, rotateEventSourceSecret } from "../../api/clients";
import { fieldErrors } from "../../api/errors";
import type { EventSource, EventSourceSecret } from "../../api/types";
import { AdminList } from "../../components/AdminList";
import { useConfirm } from "../../components/ConfirmDialog";
import { DialogActions, ErrorAlert } from "../../components/FormParts";
import { QueryState } from "../../components/LoadError";
import { Screen } from "../../components/Screen";
import { showError, showToast } from "../../components/toast";
import { useReachable } from "../../components/useReachable";
import { getProcessingOps } from "../../api/operator";
import { formatDateTime } from "../../lib/format";
import { sourceDay, sourcesById } from "../../lib/sources";

const SOURCES_KEY = ["admin", "event-sources"] as const;
const SCOPES: { value: EventSource["scopes"][number]; label: string; description: string }[] = [
  { value: "events:write", label: "Send events", description: "events:write — what players do in the game" },
  { value: "wallet:debit", label: "Debit wallets", description: "wallet:debit — spend a player's diamonds or gold" },
];

function NewSourceForm({
  onCreated,
  onCancel,
}: {
  onCreated: (secret: EventSourceSecret) => void;
  onCancel: () => void;
}) {
  const [formError, setFormError] = useState<string | null>(null);
  const form = useForm<{ name: string; scopes: EventSource["scopes"] }>({
    initialValues: { name: "", scopes: ["events:write"] },
    validate: {
      name: (v) => (v.trim() ? (v.length > 100 ? "At most 100 characters" : null) : "Name the game server, e.g. Arena EU"),
      scopes: (v) => (v.length ? null : "Pick at least one permission"),
    },
  });
  const submit = form.onSubmit(async (values) => {
    setFormError(null);
    try {
      onCreated(await createEventSource({ name: values.name.trim(), scopes: values.scopes }));
    } catch (error) {
      const { _form, ...errors } = fieldErrors(error, ["name", "scopes"] as const);
      form.setErrors(errors);
      if (_form) setFormError(_form);
    }
  });
  return (
    <form onSubmit={submit} noValidate aria-label="New event source">
      <Stack gap="sm">
        <ErrorAlert error={formError} />
        <TextInput label="Name" description="Which game server this is" required {...form.getInputProps("name")} />
        <Checkbox.Group label="Permissions" required {...form.getInputProps("scopes")}>
          <Stack gap={6} mt={6}>
            {SCOPES.map((scope) => (
              <Checkbox key={scope.value} value={scope.value} label={scope.label} description={scope.description} />
            ))}
          </Stack>
        </Checkbox.Group>
        <DialogActions label="Create event source" onCancel={onCancel} loading={form.submitting} />
      </Stack>
    </form>
  );
}

/** The secret, once: copied now or never seen again. */
function SecretOnce({ secret, onDone }: { secret: EventSourceSecret; onDone: () => void }) {
  return (
    <Stack gap="sm">
      <Alert color="yellow" title="Copy the secret now">
        It is shown this once: only a hash is kept. Lost it? Rotate the secret to get a new one.
      </Alert>
      {[
        { label: "Client id", value: secret.client_id },
        { label: "Client secret", value: secret.client_secret },
      ].map((row) => (
        <Stack key={row.label} gap={4}>
          <Text size="sm" fw={500}>
            {row.label}
          </Text>
          <Group gap="xs" wrap="nowrap">
            <Code style={{ flex: 1, overflowWrap: "anywhere" }} data-testid={row.label === "Client secret" ? "client-secret" : "client-id"}>
              {row.value}
            </Code>
            <CopyButton value={row.value}>
              {({ copied, copy }) => (
                <Button size="xs" variant="light" color={copied ? "teal" : undefined} onClick={copy} aria-label={`${copied ? "Copied" : "Copy"} ${row.label.toLowerCase()}`}>
                  {copied ? "Copied" : "Copy"}
                </Button>
              )}
            </CopyButton>
          </Group>
        </Stack>
      ))}
      <Text size="xs" c="dimmed">
        The game server gets tokens with these at POST /api/auth/login/access-token (grant_type=client_credentials).
      </Text>
      <Group justify="flex-end">
        <Button onClick={onDone}>Done</Button>
      </Group>
    </Stack>
  );
}

export function AdminEventSourcesPage() {
  const queryClient = useQueryClient();
  const reachable = useReachable();
  const sources = useQuery({ queryKey: SOURCES_KEY, queryFn: listEventSources });
  // Each source's day (processing counts what it accepts and refuses); the list shows without it.
  const ops = useQuery({ queryKey: ["ops", "processing"], queryFn: getProcessingOps, refetchInterval: 15_000 });
  const figures = sourcesById(ops.data?.sources);
  const [creating, setCreating] = useState(false);
  const [secret, setSecret] = useState<EventSourceSecret | null>(null);
  const [confirm, confirmDialog] = useConfirm();
  const refresh = () => void queryClient.invalidateQueries({ queryKey: SOURCES_KEY });

  const rotate = async (source: EventSource) => {
    const ok = await confirm({
      title: "Rotate secret",
      message: `Give “${source.name}” a new secret? The old one stops working at once, and its tokens within seconds.`,
      confirmLabel: "Rotate",
      danger: true,
    });
    if (!ok) return;
    try {
      setSecret(await rotateEventSourceSecret({ client_id: source.client_id }));
    } catch (error) {
      showError(error);
    }
    refresh();
  };

  const revoke = async (source: EventSource) => {
    const ok = await confirm({
      title: "Revoke event source",
      message: `Revoke “${source.name}”? It can no longer get tokens, and its tokens stop working within seconds. This cannot be undone.`,
      confirmLabel: "Revoke",
      danger: true,
    });
    if (!ok) return;
    try {
      await revokeEventSource({ client_id: source.client_id });
      showToast({ message: `“${source.name}” revoked` });
    } catch (error) {
      showError(error);
    }
    refresh();
  };

  return (
    <Screen
      title="Event sources"
      aside={
        <Button onClick={() => setCreating(true)} disabled={!reachable}>
          New event source
        </Button>
      }
    >
      <Text size="sm" c="dimmed">
        Game servers that send what players do. Each has its own client id and secret (OAuth2 client credentials).
      </Text>
      <QueryState query={sources} what="event sources" />
      {sources.data && (
        <AdminList
          label="Event sources"
          rows={sources.data.data}
          rowKey={(s) => s.client_id}
          rowProps={(s) => ({ "data-source-name": s.name })}
          empty="No event sources yet: create one for each game server."
          columns={[
            {
              header: "Source",
              cell: (s) => (
                <>
                  <Text fw={600}>{s.name}</Text>
                  <Text size="xs" c="dimmed" style={{ overflowWrap: "anywhere" }}>
                    {s.client_id}
                  </Text>
                </>
              ),
            },
            {
              header: "Permissions",
              cell: (s) => (
                <Group gap={4}>
                  {s.scopes.map((scope) => (
                    <Badge key={scope} variant="light" tt="none">
                      {scope}
                    </Badge>
                  ))}
                </Group>
              ),
            },
            {
              header: "Last event seen",
              cell: (s) => (
                <Text size="sm" maw={160}>
                  {sourceDay(figures.get(s.client_id)).lastSeen}
                </Text>
              ),
            },
            {
              header: "Events today",
              // One type a line, breaking anywhere: type names are long words, and a busy source
              // must not widen the table past the screen.
              cell: (s) => (
                <Stack gap={0} maw={200}>
                  {sourceDay(figures.get(s.client_id))
                    .today.split(" · ")
                    .map((line) => (
                      <Text key={line} size="sm" style={{ overflowWrap: "anywhere" }}>
                        {line}
                      </Text>
                    ))}
                </Stack>
              ),
            },
            {
              header: "State",
              cell: (s) =>
                s.revoked_at ? (
                  <Badge color="gray" variant="light" miw="max-content" title={`Revoked ${formatDateTime(s.revoked_at)}`}>
                    Revoked
                  </Badge>
                ) : (
                  <Badge color="teal" variant="light" miw="max-content">
                    Active
                  </Badge>
                ),
            },
          ]}
          actions={(s) =>
            s.revoked_at
              ? []
              : [
                  { label: "Rotate secret", ariaLabel: `Rotate secret of ${s.name}`, onClick: () => void rotate(s) },
                  {
                    label: "Revoke",
                    ariaLabel: `Revoke ${s.name}`,
                    variant: "subtle",
                    color: "red",
                    onClick: () => void revoke(s),
                  },
                ]
          }
        />
      )}
      <Modal opened={creating} onClose={() => setCreating(false)} title="New event source">
        {creating && (
          <NewSourceForm
            onCancel={() => setCreating(false)}
            onCreated={(created) => {
              setCreating(false);
              setSecret(created);
              refresh();
            }}
          />
        )}
      </Modal>
      <Modal
        opened={secret !== null}
        onClose={() => setSecret(null)}
        title={secret ? `Secret of “${secret.name}”` : ""}
        closeOnClickOutside={false}
        size="lg"
      >
        {secret && <SecretOnce secret={secret} onDone={() => setSecret(null)} />}
      </Modal>
      {confirmDialog}
    </Screen>
  );
}
