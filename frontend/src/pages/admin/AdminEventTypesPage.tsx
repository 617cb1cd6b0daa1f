import { Badge, Button, Checkbox, CloseButton, Group, Modal, Stack, Text, Textarea, TextInput } from "@mantine/core";
import { useForm } from "@mantine/form";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { deactivateEventType, putEventType } from "../../api/catalog";
import { ApiError, fieldErrors } from "../../api/errors";
import { keys, queries } from "../../api/queries";
import type { EventType, EventTypeInput } from "../../api/types";
import { AdminList } from "../../components/AdminList";
import { useConfirm } from "../../components/ConfirmDialog";
import { ChoiceSelect, DialogActions, ErrorAlert } from "../../components/FormParts";
import { QueryState } from "../../components/LoadError";
import { Screen } from "../../components/Screen";
import { showError, showToast } from "../../components/toast";
import { useReachable } from "../../components/useReachable";
import {
  EVENT_TYPE_NAME_HINT,
  propertiesWords,
  type PropertyDraft,
  toEventTypeInput,
  validateEventType,
} from "../../lib/eventTypes";

const TYPES = ["string", "integer", "number", "boolean"];
const FIELDS = ["name", "title", "description", "properties"] as const;

interface FormValues {
  name: string;
  title: string;
  description: string;
  properties: PropertyDraft[];
}

function EventTypeForm({
  eventType,
  onSubmit,
  onCancel,
}: {
  eventType: EventType | null;
  onSubmit: (values: EventTypeInput) => Promise<unknown>;
  onCancel: () => void;
}) {
  const [formError, setFormError] = useState<string | null>(null);
  const form = useForm<FormValues>({
    initialValues: {
      name: eventType?.name ?? "",
      title: eventType?.title ?? "",
      description: eventType?.description ?? "",
      properties: Object.entries(eventType?.properties ?? {}).map(([name, p]) => ({
        name,
        type: p.type,
        required: p.required ?? false,
      })),
    },
    validate: (values) => validateEventType(values, { creating: eventType === null }),
  });
  const submit = form.onSubmit(async (values) => {
    setFormError(null);
    try {
      await onSubmit(toEventTypeInput(values));
    } catch (error) {
      // 409: an active quest still filters on or adds up what this change removes.
      if (error instanceof ApiError && error.status === 409) {
        setFormError(error.message);
        return;
      }
      const { _form, ...errors } = fieldErrors(error, FIELDS);
      form.setErrors(errors);
      if (_form) setFormError(_form);
    }
  });
  return (
    <form onSubmit={submit} noValidate aria-label={eventType ? "Edit event type" : "New event type"}>
      <Stack gap="sm">
        <ErrorAlert error={formError} />
        <TextInput
          label="Name"
          description={eventType ? "The name game servers send (it cannot change)" : EVENT_TYPE_NAME_HINT}
          required={!eventType}
          readOnly={eventType !== null}
          variant={eventType ? "filled" : "default"}
          {...form.getInputProps("name")}
        />
        <TextInput label="Title" required {...form.getInputProps("title")} />
        <Textarea label="Description" autosize minRows={2} maxRows={4} {...form.getInputProps("description")} />
        <Stack gap={6}>
          <Text size="sm" fw={500}>
            Properties
          </Text>
          <Text size="xs" c="dimmed">
            What each event carries in its data; quests filter on them and add up the numbers.
          </Text>
          {form.values.properties.map((_, index) => (
            <Group key={index} gap="xs" align="flex-start" data-testid="property-row">
              <TextInput
                aria-label={`Property ${index + 1} name`}
                placeholder="kills"
                style={{ flex: 1, minWidth: 120 }}
                {...form.getInputProps(`properties.${index}.name`)}
              />
              <ChoiceSelect
                aria-label={`Property ${index + 1} type`}
                data={TYPES}
                w={110}
                {...form.getInputProps(`properties.${index}.type`)}
              />
              <Checkbox
                label="Required"
                mt={8}
                {...form.getInputProps(`properties.${index}.required`, { type: "checkbox" })}
              />
              <CloseButton aria-label={`Remove property ${index + 1}`} mt={6} onClick={() => form.removeListItem("properties", index)} />
            </Group>
          ))}
          {typeof form.errors.properties === "string" && (
            <Text size="xs" c="red">
              {form.errors.properties}
            </Text>
          )}
          <Group>
            <Button
              variant="light"
              size="xs"
              onClick={() => form.insertListItem("properties", { name: "", type: "string", required: false })}
            >
              Add property
            </Button>
          </Group>
        </Stack>
        <DialogActions
          label={eventType ? "Save event type" : "Create event type"}
          onCancel={onCancel}
          loading={form.submitting}
          sticky
        />
      </Stack>
    </form>
  );
}

export function AdminEventTypesPage() {
  const queryClient = useQueryClient();
  const reachable = useReachable();
  const eventTypes = useQuery(queries.adminEventTypes());
  const [editing, setEditing] = useState<EventType | "new" | null>(null);
  const [confirm, confirmDialog] = useConfirm();

  const refresh = () => void queryClient.invalidateQueries({ queryKey: keys.adminEventTypes });

  const save = async (values: EventTypeInput) => {
    await putEventType({ eventType: values });
    showToast({ color: "teal", message: `Event type “${values.name}” saved` });
    setEditing(null);
    refresh();
  };

  const deactivate = async (eventType: EventType) => {
    const ok = await confirm({
      title: "Deactivate event type",
      message: `Deactivate “${eventType.name}”? Game servers can no longer send it; saving it again brings it back.`,
      confirmLabel: "Deactivate",
      danger: true,
    });
    if (!ok) return;
    try {
      await deactivateEventType({ name: eventType.name });
      showToast({ message: `Event type “${eventType.name}” deactivated` });
    } catch (error) {
      showError(error);
    }
    refresh();
  };

  return (
    <Screen
      title="Event types"
      aside={
        <Button onClick={() => setEditing("new")} disabled={!reachable}>
          New event type
        </Button>
      }
    >
      <Text size="sm" c="dimmed">
        What your game servers send. Quests count them, filter them by their properties and add up their numbers.
      </Text>
      <QueryState query={eventTypes} what="event types" />
      {eventTypes.data && (
        <AdminList
          label="Event types"
          rows={eventTypes.data.data}
          rowKey={(t) => t.event_type_id}
          rowProps={(t) => ({ "data-event-type": t.name })}
          columns={[
            {
              header: "Event type",
              cell: (t) => (
                <>
                  <Text fw={600}>{t.title}</Text>
                  <Text size="xs" c="dimmed">
                    {t.name}
                  </Text>
                </>
              ),
            },
            { header: "Properties", cell: (t) => propertiesWords(t.properties) },
            {
              header: "State",
              cell: (t) => (
                <Group gap={4}>
                  <Badge color={t.is_active ? "teal" : "gray"} variant="light" miw="max-content">
                    {t.is_active ? "Active" : "Inactive"}
                  </Badge>
                  {t.built_in && (
                    <Badge color="blue" variant="light" miw="max-content">
                      Built in
                    </Badge>
                  )}
                </Group>
              ),
            },
          ]}
          actions={(t) =>
            t.built_in
              ? []
              : [
                  {
                    label: t.is_active ? "Edit" : "Edit and activate",
                    ariaLabel: `${t.is_active ? "Edit" : "Edit and activate"} ${t.name}`,
                    onClick: () => setEditing(t),
                  },
                  ...(t.is_active
                    ? [
                        {
                          label: "Deactivate",
                          ariaLabel: `Deactivate ${t.name}`,
                          variant: "subtle" as const,
                          color: "red",
                          onClick: () => void deactivate(t),
                        },
                      ]
                    : []),
                ]
          }
        />
      )}
      <Modal
        opened={editing !== null}
        onClose={() => setEditing(null)}
        title={editing === "new" ? "New event type" : "Edit event type"}
        size="lg"
      >
        {editing !== null && (
          <EventTypeForm eventType={editing === "new" ? null : editing} onSubmit={save} onCancel={() => setEditing(null)} />
        )}
      </Modal>
      {confirmDialog}
    </Screen>
  );
}
