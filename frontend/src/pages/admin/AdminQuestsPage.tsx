import { Alert, Badge, Button, Group, Loader, Modal, Stack, Table, Text, Title } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { createQuest, deactivateQuest, listQuests, listRewards, updateQuest } from "../../api/catalog";
import type { Quest, QuestInput } from "../../api/types";
import { formatAmount } from "../../lib/format";
import { changedFields, QuestForm, questToInput } from "./QuestForm";

export function AdminQuestsPage() {
  const queryClient = useQueryClient();
  const quests = useQuery({ queryKey: ["admin", "quests"], queryFn: () => listQuests() });
  const rewards = useQuery({ queryKey: ["admin", "rewards"], queryFn: listRewards });
  const [editing, setEditing] = useState<Quest | "new" | null>(null);

  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: ["admin", "quests"] });
    void queryClient.invalidateQueries({ queryKey: ["me", "quests"] });
  };

  const save = async (values: QuestInput) => {
    if (editing === "new") {
      await createQuest({ quest: values });
      notifications.show({ color: "teal", message: `Quest “${values.title}” created` });
    } else if (editing) {
      const changes = changedFields(questToInput(editing, rewards.data?.data ?? []), values);
      await updateQuest({ quest_id: editing.quest_id, changes });
      notifications.show({ color: "teal", message: `Quest “${values.title}” saved` });
    }
    setEditing(null);
    refresh();
  };

  const deactivate = async (quest: Quest) => {
    if (!window.confirm(`Deactivate “${quest.title}”? Players keep their history.`)) return;
    try {
      await deactivateQuest({ quest_id: quest.quest_id });
      notifications.show({ message: `Quest “${quest.title}” deactivated` });
    } catch (error) {
      notifications.show({ color: "red", message: (error as Error).message });
    }
    refresh();
  };

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={1} size="h2">
          Quests
        </Title>
        <Button onClick={() => setEditing("new")} disabled={!rewards.data?.data.length}>
          New quest
        </Button>
      </Group>
      {rewards.data && rewards.data.data.length === 0 && (
        <Alert color="yellow">Create a reward first: every quest pays one.</Alert>
      )}
      {quests.isPending && <Loader aria-label="Loading quests" />}
      {quests.isError && <Alert color="red">Could not load quests: {quests.error.message}</Alert>}
      {quests.data && (
        <Table.ScrollContainer minWidth={640}>
          <Table striped highlightOnHover aria-label="Quests">
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Quest</Table.Th>
                <Table.Th scope="col">Rule</Table.Th>
                <Table.Th scope="col">Reward</Table.Th>
                <Table.Th scope="col">State</Table.Th>
                <Table.Th scope="col">
                  <span className="sr-only">Actions</span>
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {quests.data.data.map((quest) => (
                <Table.Tr key={quest.quest_id} data-quest-name={quest.name}>
                  <Table.Td>
                    <Text fw={600}>{quest.title}</Text>
                    <Text size="xs" c="dimmed">
                      {quest.name}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    {quest.streak}× sign-in{quest.streak_mode === "daily" ? " (daily)" : ""}, up to {quest.duplication}×
                    {quest.auto_claim ? ", auto" : ""}
                  </Table.Td>
                  <Table.Td>{formatAmount(quest.reward.reward_qty, quest.reward.reward_item)}</Table.Td>
                  <Table.Td>
                    <Badge color={quest.is_active ? "teal" : "gray"} variant="light">
                      {quest.is_active ? "Active" : "Inactive"}
                    </Badge>
                  </Table.Td>
                  <Table.Td>
                    <Group gap="xs" justify="flex-end" wrap="nowrap">
                      <Button size="xs" variant="light" onClick={() => setEditing(quest)} aria-label={`Edit ${quest.title}`}>
                        Edit
                      </Button>
                      {quest.is_active && (
                        <Button
                          size="xs"
                          variant="subtle"
                          color="red"
                          onClick={() => void deactivate(quest)}
                          aria-label={`Deactivate ${quest.title}`}
                        >
                          Deactivate
                        </Button>
                      )}
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      <Modal
        opened={editing !== null}
        onClose={() => setEditing(null)}
        title={editing === "new" ? "New quest" : "Edit quest"}
        size="lg"
      >
        {editing !== null && rewards.data && (
          <QuestForm
            quest={editing === "new" ? null : editing}
            rewards={rewards.data.data}
            onSubmit={save}
            onCancel={() => setEditing(null)}
          />
        )}
      </Modal>
    </Stack>
  );
}
