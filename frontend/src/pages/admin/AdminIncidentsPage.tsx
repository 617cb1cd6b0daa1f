import { Badge, Button, Group, Stack, Text, Textarea, TextInput } from "@mantine/core";
import { useForm } from "@mantine/form";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { ApiError, fieldErrors } from "../../api/errors";
import { declareIncident, endIncident, listIncidents, withdrawIncident } from "../../api/incidents";
import { useConfirm } from "../../components/ConfirmDialog";
import { AdminList } from "../../components/AdminList";
import { ErrorAlert } from "../../components/FormParts";
import { LoadError } from "../../components/LoadError";
import { Screen } from "../../components/Screen";
import { Section } from "../../components/Section";
import { showError, showToast } from "../../components/toast";
import { formatDateTime } from "../../lib/format";
import { INCIDENT_STATE_LABEL, incidentFormErrors, incidentState, localInputToIso } from "../../lib/incidents";

const INCIDENTS_KEY = ["admin", "incidents"] as const;
const FIELDS = ["starts_at", "ends_at", "reason"] as const;
const STATE_COLOR = { ongoing: "orange", upcoming: "blue", over: "gray" } as const;

type IncidentValues = { starts_at: string; ends_at: string; reason: string };

function DeclareIncidentForm() {
  const queryClient = useQueryClient();
  const form = useForm<IncidentValues>({
    initialValues: { starts_at: "", ends_at: "", reason: "" },
    validate: incidentFormErrors,
  });
  const declare = useMutation({
    mutationFn: (values: IncidentValues) =>
      declareIncident({
        starts_at: localInputToIso(values.starts_at) ?? "",
        ends_at: localInputToIso(values.ends_at) ?? "",
        reason: values.reason.trim(),
      }),
    onSuccess: async () => {
      form.reset();
      showToast({ message: "Incident declared", color: "teal" });
      await queryClient.invalidateQueries({ queryKey: INCIDENTS_KEY });
    },
    // The server's refusals land on their fields; the rest (`_form`) above the button.
    onError: (error) => form.setErrors(fieldErrors(error, FIELDS)),
  });
  return (
    <Section title="Declare an incident">
      <form onSubmit={form.onSubmit((values) => declare.mutate(values))} noValidate aria-label="Declare an incident">
        <Stack gap="sm">
          <Text size="sm" c="dimmed">
            A player's local day that overlaps an incident never breaks their daily streak. Times are in your own
            time zone. An incident is bounded in length (a week by default); it can be withdrawn only before it starts, and a running
            one can be ended now.
          </Text>
          <Group grow align="flex-start">
            <TextInput type="datetime-local" label="Starts" {...form.getInputProps("starts_at")} />
            <TextInput type="datetime-local" label="Ends" {...form.getInputProps("ends_at")} />
          </Group>
          <Textarea
            label="Reason"
            description="1–200 characters; players may see it"
            maxLength={200}
            {...form.getInputProps("reason")}
          />
          <ErrorAlert error={form.errors._form as string | undefined} />
          <Group>
            <Button type="submit" loading={declare.isPending}>
              Declare
            </Button>
          </Group>
        </Stack>
      </form>
    </Section>
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
  const end = useMutation({
    mutationFn: (id: string) => endIncident(id, new Date().toISOString()),
    onSuccess: () => showToast({ message: "Incident ended", color: "teal" }),
    onError: (error) =>
      showError(error, error instanceof ApiError && error.status === 409 ? "It is already over" : undefined),
    onSettled: () => queryClient.invalidateQueries({ queryKey: INCIDENTS_KEY }),
  });
  const now = Date.now();
  return (
    <Screen title="Incidents">
      <DeclareIncidentForm />
      {incidents.isError && <LoadError what="the incidents" error={incidents.error} />}
      {incidents.data && incidents.data.count === 0 && <Text c="dimmed">No incident declared.</Text>}
      {incidents.data && incidents.data.count > 0 && (
        // Cards on a phone (a long reason gets the card's width, the badge stays whole), a
        // table on wide screens.
        <AdminList
          label="Incidents"
          rows={incidents.data.data}
          rowKey={(incident) => incident.incident_id}
          rowProps={() => ({ "data-testid": "incident" })}
          columns={[
            { header: "Starts", cell: (incident) => formatDateTime(incident.starts_at), nowrap: true },
            { header: "Ends", cell: (incident) => formatDateTime(incident.ends_at), nowrap: true },
            {
              header: "Reason",
              cell: (incident) => (
                <Text size="sm" style={{ overflowWrap: "anywhere" }}>
                  {incident.reason}
                </Text>
              ),
            },
            {
              header: "State",
              // A long reason wraps; the state's badge keeps its whole word.
              nowrap: true,
              cell: (incident) => {
                const state = incidentState(incident, now);
                return (
                  <Badge variant="light" color={STATE_COLOR[state]} miw="max-content" data-testid="incident-state">
                    {INCIDENT_STATE_LABEL[state]}
                  </Badge>
                );
              },
            },
          ]}
          actions={(incident) => {
            const state = incidentState(incident, now);
            if (state === "ongoing")
              return [
                {
                  label: "End now",
                  ariaLabel: `End the incident started ${formatDateTime(incident.starts_at)} now`,
                  variant: "light",
                  color: "orange",
                  onClick: () =>
                    void confirm({
                      title: "End this incident now?",
                      message: `${incident.reason} — from now on, a missed day breaks daily streaks again.`,
                      confirmLabel: "End now",
                    }).then((ok) => ok && end.mutate(incident.incident_id)),
                },
              ];
            if (state === "upcoming")
              return [
                {
                  label: "Withdraw",
                  ariaLabel: `Withdraw the incident starting ${formatDateTime(incident.starts_at)}`,
                  variant: "subtle",
                  color: "red",
                  onClick: () =>
                    void confirm({
                      title: "Withdraw this incident?",
                      message: incident.reason,
                      confirmLabel: "Withdraw",
                      danger: true,
                    }).then((ok) => ok && withdraw.mutate(incident.incident_id)),
                },
              ];
            return [];
          }}
        />
      )}
      {confirmDialog}
    </Screen>
  );
}
