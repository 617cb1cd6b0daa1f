import { Alert, Badge, Button, Card, Group, Stack, Table, Text, TextInput, Textarea, Title } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { ApiError, fieldErrors } from "../../api/errors";
import { declareIncident, listIncidents, withdrawIncident } from "../../api/incidents";
import { useConfirm } from "../../components/ConfirmDialog";
import { LoadError } from "../../components/LoadError";
import { showError, showToast } from "../../components/toast";
import { formatDateTime } from "../../lib/format";
import { INCIDENT_STATE_LABEL, incidentFormErrors, incidentState, localInputToIso } from "../../lib/incidents";

const INCIDENTS_KEY = ["admin", "incidents"] as const;
const FIELDS = ["starts_at", "ends_at", "reason"] as const;

function DeclareIncidentForm() {
  const queryClient = useQueryClient();
  const [values, setValues] = useState({ starts_at: "", ends_at: "", reason: "" });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const declare = useMutation({
    mutationFn: () =>
      declareIncident({
        starts_at: localInputToIso(values.starts_at) ?? "",
        ends_at: localInputToIso(values.ends_at) ?? "",
        reason: values.reason.trim(),
      }),
    onSuccess: async () => {
      setValues({ starts_at: "", ends_at: "", reason: "" });
      showToast({ message: "Incident declared", color: "teal" });
      await queryClient.invalidateQueries({ queryKey: INCIDENTS_KEY });
    },
    onError: (error) => setErrors(fieldErrors(error, FIELDS)),
  });
  const set = (field: keyof typeof values) => (value: string) => setValues((v) => ({ ...v, [field]: value }));
  const submit = (event: React.FormEvent) => {
    event.preventDefault();
    const found = incidentFormErrors(values);
    setErrors(found);
    if (Object.keys(found).length === 0) declare.mutate();
  };
  return (
    <Card withBorder radius="lg" padding="lg" component="section" aria-labelledby="declare-incident">
      <form onSubmit={submit} noValidate aria-label="Declare an incident">
        <Stack gap="sm">
          <Title order={2} size="h4" id="declare-incident">
            Declare an incident
          </Title>
          <Text size="sm" c="dimmed">
            A player's local day that overlaps an incident never breaks their daily streak. Times are in your own
            time zone. An incident can be withdrawn only before it starts.
          </Text>
          <Group grow align="flex-start">
            <TextInput
              type="datetime-local"
              label="Starts"
              value={values.starts_at}
              onChange={(e) => set("starts_at")(e.currentTarget.value)}
              error={errors.starts_at}
            />
            <TextInput
              type="datetime-local"
              label="Ends"
              value={values.ends_at}
              onChange={(e) => set("ends_at")(e.currentTarget.value)}
              error={errors.ends_at}
            />
          </Group>
          <Textarea
            label="Reason"
            description="1–200 characters; players may see it"
            value={values.reason}
            onChange={(e) => set("reason")(e.currentTarget.value)}
            error={errors.reason}
            maxLength={200}
          />
          {errors._form && <Alert color="red">{errors._form}</Alert>}
          <Group>
            <Button type="submit" loading={declare.isPending}>
              Declare
            </Button>
          </Group>
        </Stack>
      </form>
    </Card>
  );
}

export function AdminIncidentsPage() {
  const queryClient = useQueryClient();
  const incidents = useQuery({ queryKey: INCIDENTS_KEY, queryFn: listIncidents });
  const [confirm, confirmDialog] = useConfirm();
  const withdraw = useMutation({
    mutationFn: (id: string) => withdrawIncident(id),
    onSuccess: () => showToast({ message: "Incident withdrawn", color: "teal" }),
    onError: (error) =>
      showError(
        error,
        error instanceof ApiError && error.status === 409 ? "It has started: it can no longer be withdrawn" : undefined,
      ),
    onSettled: () => queryClient.invalidateQueries({ queryKey: INCIDENTS_KEY }),
  });
  const now = Date.now();
  return (
    <Stack>
      <Title order={1} size="h2">
        Incidents
      </Title>
      <DeclareIncidentForm />
      {incidents.isError && <LoadError what="the incidents" error={incidents.error} />}
      {incidents.data && incidents.data.count === 0 && <Text c="dimmed">No incident declared.</Text>}
      {incidents.data && incidents.data.count > 0 && (
        <Table.ScrollContainer minWidth={560}>
          <Table striped data-testid="incidents">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Starts</Table.Th>
                <Table.Th>Ends</Table.Th>
                <Table.Th>Reason</Table.Th>
                <Table.Th>State</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {incidents.data.data.map((incident) => {
                const state = incidentState(incident, now);
                return (
                  <Table.Tr key={incident.incident_id}>
                    <Table.Td>{formatDateTime(incident.starts_at)}</Table.Td>
                    <Table.Td>{formatDateTime(incident.ends_at)}</Table.Td>
                    <Table.Td>{incident.reason}</Table.Td>
                    <Table.Td>
                      <Badge variant="light" color={state === "ongoing" ? "orange" : state === "upcoming" ? "blue" : "gray"}>
                        {INCIDENT_STATE_LABEL[state]}
                      </Badge>
                    </Table.Td>
                    <Table.Td>
                      {state === "upcoming" && (
                        <Button
                          size="compact-sm"
                          variant="subtle"
                          color="red"
                          onClick={async () => {
                            const ok = await confirm({
                              title: "Withdraw this incident?",
                              message: incident.reason,
                              confirmLabel: "Withdraw",
                              danger: true,
                            });
                            if (ok) withdraw.mutate(incident.incident_id);
                          }}
                        >
                          Withdraw
                        </Button>
                      )}
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {confirmDialog}
    </Stack>
  );
}
