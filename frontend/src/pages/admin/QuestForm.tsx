import { SimpleGrid, Stack, Switch, Text, Textarea, TextInput } from "@mantine/core";
import { useForm } from "@mantine/form";
import { SimulatePanel } from "./operator/SimulatePanel";
import { useRef, useState } from "react";
import type { Quest, QuestInput, Reward } from "../../api/types";
import { ChoiceSelect, DialogActions, ErrorAlert, WholeNumberInput } from "../../components/FormParts";
import { useReachable } from "../../components/useReachable";
import { formatAmount } from "../../lib/format";
import { durationWords, resetWords } from "../../lib/playerTime";
import {
  errorSummary,
  fromLocalInput,
  questServerErrors,
  simulationBlockers,
  SLUG_HINT,
  toLocalInput,
  validateQuest,
} from "./questValidation";

/** The form edits the window as local date-times (the API speaks ISO instants), and an empty
 * "claim within" as "" (never expires). */
type QuestFormValues = Omit<QuestInput, "starts_at" | "ends_at" | "claim_within_s"> & {
  starts_at: string;
  ends_at: string;
  claim_within_s: number | string;
};

/** The two counts of a quest: whole numbers, at least 1. */
const COUNTS = [
  { field: "streak", label: "Streak", description: "Sign-ins per completion" },
  { field: "duplication", label: "Duplication", description: "Times it can be completed" },
] as const;
const STREAK_MODES = [
  { value: "count", label: "Count every sign-in" },
  { value: "daily", label: "Once per day (a missed day restarts)" },
];
const RESETS = [
  { value: "none", label: "Never" },
  { value: "daily", label: "Every day" },
  { value: "weekly", label: "Every week (Monday)" },
];

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
    starts_at: quest?.starts_at ?? null,
    ends_at: quest?.ends_at ?? null,
    reset: quest?.reset ?? "none",
    grace_days: quest?.grace_days ?? 0,
    cooldown_s: quest?.cooldown_s ?? 0,
    claim_within_s: quest?.claim_within_s ?? null,
  };
}

function toInput(values: QuestFormValues): QuestInput {
  return {
    ...values,
    streak: Number(values.streak),
    duplication: Number(values.duplication),
    starts_at: fromLocalInput(values.starts_at),
    ends_at: fromLocalInput(values.ends_at),
    grace_days: Number(values.grace_days),
    cooldown_s: Number(values.cooldown_s),
    claim_within_s: values.claim_within_s === "" || values.claim_within_s === null ? null : Number(values.claim_within_s),
  };
}

/** "= 2 days" beside a number of seconds. */
function secondsHint(value: unknown): string {
  const n = Number(value);
  return Number.isFinite(n) && n > 0 ? ` (= ${durationWords(n * 1000)})` : "";
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
  const reachable = useReachable();
  const [formError, setFormError] = useState<string | null>(null);
  const initial = questToInput(quest, rewards);
  const form = useForm<QuestFormValues>({
    initialValues: {
      ...initial,
      starts_at: toLocalInput(initial.starts_at),
      ends_at: toLocalInput(initial.ends_at),
      claim_within_s: initial.claim_within_s ?? "",
    },
    validate: (values) => validateQuest(toInput(values), { creating: quest === null }),
    // Checked as the admin types, not only on Create.
    validateInputOnChange: true,
  });
  const formRef = useRef<HTMLFormElement>(null);
  const [attempted, setAttempted] = useState(false);

  /** After a refused Create: the first field in error scrolled into view, the cursor in it. */
  const showFirstError = () => {
    requestAnimationFrame(() => {
      const first = formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]');
      if (!first) return;
      first.scrollIntoView({ block: "center", behavior: "smooth" });
      first.focus({ preventScroll: true });
    });
  };

  const submit = form.onSubmit(
    async (values) => {
      setFormError(null);
      try {
        await onSubmit(toInput(values));
      } catch (error) {
        // The catalog checks again; its answers land on the fields they name, in words.
        const { _form, ...errors } = questServerErrors(error);
        form.setErrors(errors);
        if (_form) setFormError(_form);
        showFirstError();
      }
    },
    () => {
      setAttempted(true);
      showFirstError();
    },
  );

  // Every rule, on every change: the summary by the Create button and whether a dry run can go.
  const problems = validateQuest(toInput(form.values), { creating: quest === null });
  const summary = attempted || form.isDirty() ? errorSummary({ ...problems, ...form.errors }) : null;
  const blockers = errorSummary(simulationBlockers(problems));

  const formElement = (
    <form ref={formRef} onSubmit={submit} noValidate aria-label={quest ? "Edit quest" : "New quest"}>
      <Stack gap="sm">
        <ErrorAlert error={formError} />
        <TextInput
          label="Name"
          description={quest ? "The quest's permanent slug (it cannot change)" : SLUG_HINT}
          required={!quest}
          readOnly={quest !== null}
          variant={quest ? "filled" : "default"}
          {...form.getInputProps("name")}
        />
        <TextInput label="Title" required {...form.getInputProps("title")} />
        <Textarea label="Description" autosize minRows={2} maxRows={4} {...form.getInputProps("description")} />
        <ChoiceSelect
          label="Reward"
          required
          data={rewards.map((r) => ({
            value: r.reward_id,
            label: `${r.reward_name} (${formatAmount(r.reward_qty, r.reward_item)})`,
          }))}
          {...form.getInputProps("reward_id")}
        />
        <SimpleGrid cols={{ base: 1, xs: 2 }} spacing="sm">
          {COUNTS.map(({ field, ...count }) => (
            <WholeNumberInput key={field} min={1} required {...count} {...form.getInputProps(field)} />
          ))}
          <TextInput
            type="datetime-local"
            label="Starts at"
            description="Empty: active now"
            {...form.getInputProps("starts_at")}
          />
          <TextInput type="datetime-local" label="Ends at" description="Empty: no end" {...form.getInputProps("ends_at")} />
        </SimpleGrid>
        <ChoiceSelect label="Streak mode" data={STREAK_MODES} {...form.getInputProps("streak_mode")} />
        <SimpleGrid cols={{ base: 1, xs: 2 }} spacing="sm">
          <ChoiceSelect
            label="Reset"
            description={`The streak and completions start again: ${resetWords(form.values.reset)}. Duplication is then per period.`}
            data={RESETS}
            {...form.getInputProps("reset")}
          />
          <WholeNumberInput
            label="Grace days"
            description="Missed days forgiven inside one streak (0–7; once-per-day mode only)"
            min={0}
            max={7}
            {...form.getInputProps("grace_days")}
          />
          <WholeNumberInput
            label="Cooldown (seconds)"
            description={`A sign-in counts only this long after the last counted one (0–86400)${secondsHint(form.values.cooldown_s)}`}
            min={0}
            max={86_400}
            {...form.getInputProps("cooldown_s")}
          />
          <WholeNumberInput
            label="Claim within (seconds)"
            description={`Empty: never expires. Otherwise an earned reward is lost if not claimed in time${secondsHint(form.values.claim_within_s)}`}
            min={1}
            disabled={form.values.auto_claim}
            {...form.getInputProps("claim_within_s")}
          />
        </SimpleGrid>
        <Switch label="Credit the reward automatically" {...form.getInputProps("auto_claim", { type: "checkbox" })} />
        <Switch label="Active" {...form.getInputProps("is_active", { type: "checkbox" })} />
        {/* Sticky: on a short screen the buttons stay in view while the fields scroll. */}
        <DialogActions
          label={quest ? "Save quest" : "Create quest"}
          onCancel={onCancel}
          loading={form.submitting}
          disabled={!reachable}
          sticky
          note={
            summary && (
              <Text size="sm" c="var(--mantine-color-error)" fw={600} data-testid="form-summary">
                {summary}
              </Text>
            )
          }
        />
      </Stack>
    </form>
  );
  // The dry run sits beside the form on wide screens (below it on phones), so an admin reads
  // its result while adjusting the fields.
  return (
    <SimpleGrid cols={{ base: 1, md: 2 }} spacing="lg">
      {formElement}
      <SimulatePanel draft={() => toInput(form.getValues())} blocked={blockers} />
    </SimpleGrid>
  );
}
