import { Button, CloseButton, Fieldset, Group, MultiSelect, SimpleGrid, Stack, Switch, Text, Textarea, TextInput } from "@mantine/core";
import { type GetInputPropsReturnType, useForm } from "@mantine/form";
import { SimulatePanel } from "./operator/SimulatePanel";
import { useRef, useState } from "react";
import type { EventType, Quest, QuestFilter, QuestInput, Reward } from "../../api/types";
import { ChoiceSelect, DialogActions, ErrorAlert, WholeNumberInput } from "../../components/FormParts";
import { useReachable } from "../../components/useReachable";
import {
  filterToDraft,
  numericProperties,
  opsFor,
  opWords,
  parseFilter,
  type FilterDraft,
  type Properties,
} from "../../lib/eventFilters";
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

/** The form edits the window as local date-times (the API speaks ISO instants), an empty
 * "claim within" as "" (never expires), and filters as typed (values parsed on save). */
type QuestFormValues = Omit<QuestInput, "starts_at" | "ends_at" | "claim_within_s" | "where"> & {
  starts_at: string;
  ends_at: string;
  claim_within_s: number | string;
  where: FilterDraft[];
};

const STREAK_MODES = [
  { value: "count", label: "Count every qualifying event" },
  { value: "daily", label: "Once per day (a missed day restarts)" },
];
const MEASURES = [
  { value: "count", label: "Count events" },
  { value: "sum", label: "Add up a number" },
];

/** What the target means, for its field's description. */
function targetWords(values: Pick<QuestInput, "measure" | "measure_property" | "streak_mode" | "event_type">): string {
  if (values.streak_mode === "daily") return "Days in a row per completion";
  if (values.measure === "sum") return `Total of ${values.measure_property ?? "the number"} per completion`;
  return values.event_type === "sign_in" ? "Sign-ins per completion" : "Events per completion";
}
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
    event_type: quest?.event_type ?? "sign_in",
    where: quest?.where ?? [],
    measure: quest?.measure ?? "count",
    measure_property: quest?.measure_property ?? null,
    requires: quest?.requires ?? [],
  };
}

function toInput(values: QuestFormValues, properties: Properties): QuestInput {
  // Rows that do not parse are refused by `validate` before a save; a draft for the dry run
  // leaves them out.
  const where = values.where
    .map((draft) => parseFilter(draft, properties))
    .filter((filter): filter is QuestFilter => !("error" in filter));
  return {
    ...values,
    where,
    measure_property: values.measure === "sum" ? values.measure_property : null,
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

/** Only the fields that changed, so a PATCH never overwrites someone else's edit of another field.
 * Lists (filters, prerequisites) compare by content. */
export function changedFields<T extends object>(before: T, after: T): Partial<T> {
  const out: Partial<T> = {};
  for (const key of Object.keys(after) as (keyof T)[]) {
    const [a, b] = [after[key], before[key]];
    const same = typeof a === "object" && a !== null ? JSON.stringify(a) === JSON.stringify(b) : a === b;
    if (!same) out[key] = a;
  }
  return out;
}

function FilterRow({
  index,
  draft,
  properties,
  inputProps,
  onRemove,
}: {
  index: number;
  draft: FilterDraft;
  properties: Properties;
  inputProps: (path: string) => GetInputPropsReturnType;
  onRemove: () => void;
}) {
  const type = properties[draft.property]?.type;
  const valueProps = inputProps(`where.${index}.value`);
  return (
    <Group gap="xs" align="flex-start" wrap="wrap" data-testid="filter-row">
      <ChoiceSelect
        aria-label={`Filter ${index + 1} property`}
        data={Object.keys(properties)}
        w={{ base: "100%", xs: 150 }}
        {...inputProps(`where.${index}.property`)}
      />
      <ChoiceSelect
        aria-label={`Filter ${index + 1} comparison`}
        data={opsFor(type).map((op) => ({ value: op, label: opWords(op) }))}
        w={{ base: "100%", xs: 140 }}
        {...inputProps(`where.${index}.op`)}
      />
      {type === "boolean" ? (
        <ChoiceSelect aria-label={`Filter ${index + 1} value`} data={["true", "false"]} w={{ base: "100%", xs: 120 }} {...valueProps} />
      ) : (
        <TextInput
          aria-label={`Filter ${index + 1} value`}
          placeholder={draft.op === "in" ? "duo, squad" : type === "string" ? "text" : "number"}
          style={{ flex: 1, minWidth: 120 }}
          {...valueProps}
        />
      )}
      <CloseButton aria-label={`Remove filter ${index + 1}`} onClick={onRemove} mt={6} />
    </Group>
  );
}

export function QuestForm({
  quest,
  rewards,
  eventTypes,
  quests,
  onSubmit,
  onCancel,
}: {
  quest: Quest | null;
  rewards: Reward[];
  /** Every event type; the form offers the active ones (and the quest's own). */
  eventTypes: EventType[];
  /** Every quest, for the prerequisites. */
  quests: Quest[];
  onSubmit: (values: QuestInput) => Promise<unknown>;
  onCancel: () => void;
}) {
  const reachable = useReachable();
  const [formError, setFormError] = useState<string | null>(null);
  const initial = questToInput(quest, rewards);
  const typeNamed = (name: string) => eventTypes.find((t) => t.name === name);
  const propertiesOf = (name: string): Properties => typeNamed(name)?.properties ?? {};
  const form = useForm<QuestFormValues>({
    initialValues: {
      ...initial,
      starts_at: toLocalInput(initial.starts_at),
      ends_at: toLocalInput(initial.ends_at),
      claim_within_s: initial.claim_within_s ?? "",
      where: initial.where.map(filterToDraft),
    },
    validate: (values) => {
      const properties = propertiesOf(values.event_type);
      const errors: Record<string, string> = { ...validateQuest(toInput(values, properties), { creating: quest === null }) };
      values.where.forEach((draft, index) => {
        const parsed = parseFilter(draft, properties);
        if ("error" in parsed) errors[`where.${index}.value`] = parsed.error;
      });
      return errors;
    },
    // Checked as the admin types, not only on Create.
    validateInputOnChange: true,
  });
  const properties = propertiesOf(form.values.event_type);
  const numeric = numericProperties(properties);
  const typeChoices = eventTypes
    .filter((t) => t.is_active || t.name === initial.event_type)
    .map((t) => ({ value: t.name, label: t.built_in ? `${t.title} (built in)` : `${t.title} (${t.name})` }));
  const prerequisiteChoices = quests
    .filter((q) => q.name !== form.values.name)
    .map((q) => ({ value: q.name, label: `${q.title} (${q.name})` }));

  const chooseEventType = (name: string | null) => {
    if (!name) return;
    const next = propertiesOf(name);
    form.setFieldValue("event_type", name);
    // Filters and the sum keep only what the new type has.
    form.setFieldValue(
      "where",
      form.values.where.filter((draft) => draft.property in next),
    );
    if (form.values.measure_property && !numericProperties(next).includes(form.values.measure_property)) {
      form.setFieldValue("measure_property", null);
    }
  };
  const addFilter = () => {
    const first = Object.keys(properties)[0];
    if (first) form.insertListItem("where", { property: first, op: "eq", value: "" });
  };
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
        await onSubmit(toInput(values, propertiesOf(values.event_type)));
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
  const problems = validateQuest(toInput(form.values, properties), { creating: quest === null });
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
        <Fieldset legend="What counts" variant="filled" px={{ base: "xs", xs: "md" }}>
          <Stack gap="sm">
            <ChoiceSelect
              label="Event type"
              description="What the game sends; sign-in is built in"
              data={typeChoices}
              {...form.getInputProps("event_type")}
              onChange={chooseEventType}
            />
            <Stack gap={6}>
              <Text size="sm" fw={500}>
                Only events where
              </Text>
              {form.values.where.length === 0 && (
                <Text size="xs" c="dimmed">
                  No filters: every event of this type counts.
                </Text>
              )}
              {form.values.where.map((draft, index) => (
                <FilterRow
                  key={index}
                  index={index}
                  draft={draft}
                  properties={properties}
                  inputProps={(path) => form.getInputProps(path)}
                  onRemove={() => form.removeListItem("where", index)}
                />
              ))}
              {typeof form.errors.where === "string" && (
                <Text size="xs" c="red">
                  {form.errors.where}
                </Text>
              )}
              <Group>
                <Button variant="light" size="xs" onClick={addFilter} disabled={Object.keys(properties).length === 0}>
                  Add filter
                </Button>
              </Group>
            </Stack>
            <SimpleGrid cols={{ base: 1, xs: 2 }} spacing="sm">
              <ChoiceSelect label="Measure" data={MEASURES} {...form.getInputProps("measure")} />
              {form.values.measure === "sum" && (
                <ChoiceSelect
                  label="Property to add up"
                  description={numeric.length ? "A number the event carries" : "This event type carries no number"}
                  data={numeric}
                  {...form.getInputProps("measure_property")}
                />
              )}
            </SimpleGrid>
            <MultiSelect
              label="Prerequisites"
              description="The player must have completed each of these once before this quest counts"
              data={prerequisiteChoices}
              searchable
              clearable
              {...form.getInputProps("requires")}
            />
          </Stack>
        </Fieldset>
        <SimpleGrid cols={{ base: 1, xs: 2 }} spacing="sm">
          <WholeNumberInput
            label="Target"
            description={targetWords(form.values)}
            min={1}
            required
            {...form.getInputProps("streak")}
          />
          <WholeNumberInput
            label="Duplication"
            description="Times it can be completed"
            min={1}
            required
            {...form.getInputProps("duplication")}
          />
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
      {form.values.event_type === "sign_in" ? (
        <SimulatePanel draft={() => toInput(form.getValues(), properties)} blocked={blockers} />
      ) : (
        <Text size="sm" c="dimmed">
          The dry run replays recorded sign-ins: it is offered for sign-in quests.
        </Text>
      )}
    </SimpleGrid>
  );
}
