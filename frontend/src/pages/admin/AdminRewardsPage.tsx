import { Alert, Button, Group, Loader, Modal, NumberInput, Select, Stack, Table, TextInput, Title } from "@mantine/core";
import { useForm } from "@mantine/form";
import { notifications } from "@mantine/notifications";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { createReward, deleteReward, listRewards, updateReward } from "../../api/catalog";
import { ApiError, fieldErrors } from "../../api/errors";
import type { Reward, RewardInput } from "../../api/types";
import { formatAmount } from "../../lib/format";
import { changedFields } from "./QuestForm";

const FIELDS = ["reward_name", "reward_item", "reward_qty"] as const;

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
  });
  const submit = form.onSubmit(async (values) => {
    setFormError(null);
    try {
      await onSubmit({ ...values, reward_qty: Number(values.reward_qty) });
    } catch (error) {
      const { _form, ...errors } = fieldErrors(error, FIELDS);
      form.setErrors(errors);
      if (_form) setFormError(_form);
    }
  });
  return (
    <form onSubmit={submit} noValidate aria-label={reward ? "Edit reward" : "New reward"}>
      <Stack>
        {formError && (
          <Alert color="red" role="alert">
            {formError}
          </Alert>
        )}
        <TextInput label="Name" description="Unique slug, e.g. ten-diamonds" required {...form.getInputProps("reward_name")} />
        <Select
          label="Item"
          data={[
            { value: "diamond", label: "💎 Diamond" },
            { value: "gold", label: "🪙 Gold" },
          ]}
          allowDeselect={false}
          {...form.getInputProps("reward_item")}
        />
        <NumberInput label="Quantity" min={1} required {...form.getInputProps("reward_qty")} />
        <Group justify="flex-end">
          <Button variant="default" onClick={onCancel}>
            Cancel
          </Button>
          <Button type="submit" loading={form.submitting}>
            {reward ? "Save reward" : "Create reward"}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

export function AdminRewardsPage() {
  const queryClient = useQueryClient();
  const rewards = useQuery({ queryKey: ["admin", "rewards"], queryFn: listRewards });
  const [editing, setEditing] = useState<Reward | "new" | null>(null);

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
    notifications.show({ color: "teal", message: `Reward “${values.reward_name}” saved` });
    setEditing(null);
    void queryClient.invalidateQueries({ queryKey: ["admin"] });
  };

  const remove = async (reward: Reward) => {
    if (!window.confirm(`Delete reward “${reward.reward_name}”?`)) return;
    try {
      await deleteReward({ reward_id: reward.reward_id });
      notifications.show({ message: `Reward “${reward.reward_name}” deleted` });
    } catch (error) {
      const message =
        error instanceof ApiError && error.status === 409
          ? "A quest still pays this reward: change or deactivate that quest first."
          : (error as Error).message;
      notifications.show({ color: "red", message });
    }
    void queryClient.invalidateQueries({ queryKey: ["admin", "rewards"] });
  };

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={1} size="h2">
          Rewards
        </Title>
        <Button onClick={() => setEditing("new")}>New reward</Button>
      </Group>
      {rewards.isPending && <Loader aria-label="Loading rewards" />}
      {rewards.isError && <Alert color="red">Could not load rewards: {rewards.error.message}</Alert>}
      {rewards.data && (
        <Table striped highlightOnHover aria-label="Rewards">
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Name</Table.Th>
              <Table.Th scope="col">Pays</Table.Th>
              <Table.Th scope="col">
                <span className="sr-only">Actions</span>
              </Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rewards.data.data.map((reward) => (
              <Table.Tr key={reward.reward_id}>
                <Table.Td>{reward.reward_name}</Table.Td>
                <Table.Td>{formatAmount(reward.reward_qty, reward.reward_item)}</Table.Td>
                <Table.Td>
                  <Group gap="xs" justify="flex-end" wrap="nowrap">
                    <Button size="xs" variant="light" onClick={() => setEditing(reward)} aria-label={`Edit ${reward.reward_name}`}>
                      Edit
                    </Button>
                    <Button
                      size="xs"
                      variant="subtle"
                      color="red"
                      onClick={() => void remove(reward)}
                      aria-label={`Delete ${reward.reward_name}`}
                    >
                      Delete
                    </Button>
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      <Modal opened={editing !== null} onClose={() => setEditing(null)} title={editing === "new" ? "New reward" : "Edit reward"}>
        {editing !== null && (
          <RewardForm reward={editing === "new" ? null : editing} onSubmit={save} onCancel={() => setEditing(null)} />
        )}
      </Modal>
    </Stack>
  );
}
