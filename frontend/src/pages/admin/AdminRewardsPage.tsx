import { Button, Modal, Stack, TextInput } from "@mantine/core";
import { useForm } from "@mantine/form";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { createReward, deleteReward, updateReward } from "../../api/catalog";
import { ApiError, fieldErrors } from "../../api/errors";
import { keys, queries } from "../../api/queries";
import type { Reward, RewardInput } from "../../api/types";
import { AdminList } from "../../components/AdminList";
import { Amount } from "../../components/Amount";
import { useConfirm } from "../../components/ConfirmDialog";
import { ChoiceSelect, DialogActions, ErrorAlert, WholeNumberInput } from "../../components/FormParts";
import { QueryState } from "../../components/LoadError";
import { Screen } from "../../components/Screen";
import { showError, showToast } from "../../components/toast";
import { useReachable } from "../../components/useReachable";
import { SLUG_HINT, SLUG_RE } from "./questValidation";
import { changedFields } from "./QuestForm";

const FIELDS = ["reward_name", "reward_item", "reward_qty"] as const;
const ITEMS = [
  { value: "diamond", label: "💎 Diamond" },
  { value: "gold", label: "🪙 Gold" },
  { value: "xp", label: "✨ XP" },
  { value: "badge", label: "🏅 Badge (given once; quantity 1)" },
];

function RewardForm({
  reward,
  onSubmit,
  onCancel,
}: {
  reward: Reward | null;
  onSubmit: (values: RewardInput) => Promise<unknown>;
  onCancel: () => void;
}) {
  const [formError, setFormError] = useState<string | null>(null);
  const form = useForm<RewardInput>({
    initialValues: {
      reward_name: reward?.reward_name ?? "",
      reward_item: reward?.reward_item ?? "diamond",
      reward_qty: reward?.reward_qty ?? 10,
    },
    validate: {
      reward_name: (v) => (SLUG_RE.test(v) ? null : SLUG_HINT.replace("daily-visitor", "ten-diamonds")),
      reward_qty: (v) => (Number.isInteger(Number(v)) && Number(v) >= 1 ? null : "Quantity must be a whole number, at least 1"),
    },
  });
  const submit = form.onSubmit(async (values) => {
    setFormError(null);
    try {
      await onSubmit({ ...values, reward_qty: Number(values.reward_qty) });
    } catch (error) {
      if (error instanceof ApiError && error.status === 409) {
        form.setFieldError("reward_name", "A reward with this name exists already: pick another name");
        return;
      }
      const { _form, ...errors } = fieldErrors(error, FIELDS);
      form.setErrors(errors);
      if (_form) setFormError(_form);
    }
  });
  return (
    <form onSubmit={submit} noValidate aria-label={reward ? "Edit reward" : "New reward"}>
      <Stack>
        <ErrorAlert error={formError} />
        <TextInput label="Name" description="Unique slug, e.g. ten-diamonds" required {...form.getInputProps("reward_name")} />
        <ChoiceSelect label="Item" data={ITEMS} {...form.getInputProps("reward_item")} />
        <WholeNumberInput label="Quantity" min={1} required {...form.getInputProps("reward_qty")} />
        <DialogActions
          label={reward ? "Save reward" : "Create reward"}
          onCancel={onCancel}
          loading={form.submitting}
          sticky
        />
      </Stack>
    </form>
  );
}

export function AdminRewardsPage() {
  const queryClient = useQueryClient();
  const reachable = useReachable();
  const rewards = useQuery(queries.adminRewards());
  const [editing, setEditing] = useState<Reward | "new" | null>(null);
  const [confirm, confirmDialog] = useConfirm();

  const save = async (values: RewardInput) => {
    if (editing === "new") {
      await createReward({ reward: values });
    } else if (editing) {
      const before: RewardInput = {
        reward_name: editing.reward_name,
        reward_item: editing.reward_item,
        reward_qty: editing.reward_qty,
      };
      await updateReward({ reward_id: editing.reward_id, changes: changedFields(before, values) });
    }
    showToast({ color: "teal", message: `Reward “${values.reward_name}” saved` });
    setEditing(null);
    void queryClient.invalidateQueries({ queryKey: keys.admin });
  };

  const remove = async (reward: Reward) => {
    const ok = await confirm({
      title: "Delete reward",
      message: `Delete reward “${reward.reward_name}”? This cannot be undone.`,
      confirmLabel: "Delete",
      danger: true,
    });
    if (!ok) return;
    try {
      await deleteReward({ reward_id: reward.reward_id });
      showToast({ message: `Reward “${reward.reward_name}” deleted` });
    } catch (error) {
      showError(
        error,
        error instanceof ApiError && error.status === 409
          ? "A quest still pays this reward: change or deactivate that quest first."
          : undefined,
      );
    }
    void queryClient.invalidateQueries({ queryKey: keys.adminRewards });
  };

  return (
    <Screen
      title="Rewards"
      aside={
        <Button onClick={() => setEditing("new")} disabled={!reachable}>
          New reward
        </Button>
      }
    >
      <QueryState query={rewards} what="rewards" />
      {rewards.data && (
        <AdminList
          label="Rewards"
          rows={rewards.data.data}
          rowKey={(reward) => reward.reward_id}
          columns={[
            { header: "Name", cell: (reward) => reward.reward_name },
            { header: "Pays", cell: (reward) => <Amount qty={reward.reward_qty} item={reward.reward_item} /> },
          ]}
          actions={(reward) => [
            { label: "Edit", ariaLabel: `Edit ${reward.reward_name}`, onClick: () => setEditing(reward) },
            {
              label: "Delete",
              ariaLabel: `Delete ${reward.reward_name}`,
              variant: "subtle",
              color: "red",
              onClick: () => void remove(reward),
            },
          ]}
        />
      )}
      <Modal opened={editing !== null} onClose={() => setEditing(null)} title={editing === "new" ? "New reward" : "Edit reward"}>
        {editing !== null && (
          <RewardForm reward={editing === "new" ? null : editing} onSubmit={save} onCancel={() => setEditing(null)} />
        )}
      </Modal>
      {confirmDialog}
    </Screen>
  );
}
