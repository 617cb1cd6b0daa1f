import { Alert, Button, Group, NumberInput, Select, Stack, Switch, Textarea, TextInput } from "@mantine/core";
import { useForm } from "@mantine/form";
import { useState } from "react";
import { fieldErrors } from "../../api/errors";
import type { Quest, QuestInput, Reward } from "../../api/types";
import { formatAmount } from "../../lib/format";

const FIELDS = [
  "name",
  "title",
  "description",
  "streak",
  "duplication",
  "auto_claim",
  "streak_mode",
  "reward_id",
  "is_active",
] as const;

export function questToInput(quest: Quest | null, rewards: Reward[]): QuestInput {
  return {
    name: quest?.name ?? "",
    title: quest?.title ?? "",
    description: quest?.description ?? "",
    streak: quest?.streak ?? 3,
    duplication: quest?.duplication ?? 1,
    auto_claim: quest?.auto_claim ?? false,
    streak_mode: quest?.streak_mode ?? "count",
    reward_id: quest?.reward_id ?? rewards[0]?.reward_id ?? "",
    is_active: quest?.is_active ?? true,
  };
}

/** Only the fields that changed, so a PATCH never overwrites someone else's edit of another field. */
export function changedFields<T extends object>(before: T, after: T): Partial<T> {
  const out: Partial<T> = {};
  for (const key of Object.keys(after) as (keyof T)[]) {
    if (after[key] !== before[key]) out[key] = after[key];
  }
  return out;
}

export function QuestForm({
  quest,
  rewards,
  onSubmit,
  onCancel,
}: {
  quest: Quest | null;
  rewards: Reward[];
  onSubmit: (values: QuestInput) => Promise<unknown>;
  onCancel: () => void;
}) {
  const [formError, setFormError] = useState<string | null>(null);
  const form = useForm<QuestInput>({ initialValues: questToInput(quest, rewards) });

  const submit = form.onSubmit(async (values) => {
    setFormError(null);
    try {
      await onSubmit({ ...values, streak: Number(values.streak), duplication: Number(values.duplication) });
    } catch (error) {
      // The server owns validation: its 422 messages land on the fields they name.
      const { _form, ...errors } = fieldErrors(error, FIELDS);
      form.setErrors(errors);
      if (_form) setFormError(_form);
    }
  });

  return (
    <form onSubmit={submit} noValidate aria-label={quest ? "Edit quest" : "New quest"}>
      <Stack>
        {formError && (
          <Alert color="red" role="alert" data-testid="form-error">
            {formError}
          </Alert>
        )}
        <TextInput
          label="Name"
          description="Unique slug, e.g. sign-in-three-times"
          required
          {...form.getInputProps("name")}
        />
        <TextInput label="Title" required {...form.getInputProps("title")} />
        <Textarea label="Description" autosize minRows={2} {...form.getInputProps("description")} />
        <Select
          label="Reward"
          required
          data={rewards.map((r) => ({
            value: r.reward_id,
            label: `${r.reward_name} (${formatAmount(r.reward_qty, r.reward_item)})`,
          }))}
          allowDeselect={false}
          {...form.getInputProps("reward_id")}
        />
        <Group grow align="flex-start">
          <NumberInput label="Streak" description="Sign-ins per completion" min={1} required {...form.getInputProps("streak")} />
          <NumberInput
            label="Duplication"
            description="Times it can be completed"
            min={1}
            required
            {...form.getInputProps("duplication")}
          />
        </Group>
        <Select
          label="Streak mode"
          data={[
            { value: "count", label: "Count every sign-in" },
            { value: "daily", label: "Once per day (a missed day restarts)" },
          ]}
          allowDeselect={false}
          {...form.getInputProps("streak_mode")}
        />
        <Switch label="Credit the reward automatically" {...form.getInputProps("auto_claim", { type: "checkbox" })} />
        <Switch label="Active" {...form.getInputProps("is_active", { type: "checkbox" })} />
        <Group justify="flex-end">
          <Button variant="default" onClick={onCancel}>
            Cancel
          </Button>
          <Button type="submit" loading={form.submitting}>
            {quest ? "Save quest" : "Create quest"}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
