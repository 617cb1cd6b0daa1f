import { Alert, Badge, Button, Modal, Text } from "@mantine/core";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { createQuest, deactivateQuest, updateQuest } from "../../api/catalog";
import { keys, queries } from "../../api/queries";
import type { Quest, QuestInput } from "../../api/types";
import { AdminList } from "../../components/AdminList";
import { Amount } from "../../components/Amount";
import { useConfirm } from "../../components/ConfirmDialog";
import { QueryState } from "../../components/LoadError";
import { Screen } from "../../components/Screen";
import { showError, showToast } from "../../components/toast";
import { useReachable } from "../../components/useReachable";
import { filterWords } from "../../lib/eventFilters";
import { changedFields, QuestForm, questToInput } from "./QuestForm";

function ruleText(quest: Quest): string {
  const mode = quest.streak_mode === "daily" ? " (daily)" : "";
  const what = quest.event_type ?? "sign_in";
  const target =
    quest.measure === "sum"
      ? `${quest.streak} ${quest.measure_property ?? ""} of ${what}`
      : // Only the built-in type reads as a word; another type keeps its name whole ("match_won").
        `${quest.streak}× ${what === "sign_in" ? "sign-in" : what}`;
  const filters = quest.where?.length ? ` where ${quest.where.map(filterWords).join(" and ")}` : "";
  const after = quest.requires?.length ? `; after ${quest.requires.join(", ")}` : "";
  return `${target}${mode}${filters}, up to ${quest.duplication}×${quest.auto_claim ? ", auto" : ""}${after}`;
}

export function AdminQuestsPage() {
  const queryClient = useQueryClient();
  const reachable = useReachable();
  const quests = useQuery(queries.adminQuests());
  const rewards = useQuery(queries.adminRewards());
  const eventTypes = useQuery(queries.adminEventTypes());
  const [editing, setEditing] = useState<Quest | "new" | null>(null);
  const [confirm, confirmDialog] = useConfirm();

  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: keys.adminQuests });
    void queryClient.invalidateQueries({ queryKey: keys.myQuests });
  };

  const save = async (values: QuestInput) => {
    if (editing === "new") {
      await createQuest({ quest: values });
      showToast({ color: "teal", message: `Quest “${values.title}” created` });
    } else if (editing) {
      const changes = changedFields(questToInput(editing, rewards.data?.data ?? []), values);
      delete changes.name; // the slug is fixed once created
      await updateQuest({ quest_id: editing.quest_id, changes });
      showToast({ color: "teal", message: `Quest “${values.title}” saved` });
    }
    setEditing(null);
    refresh();
  };

  const setActive = async (quest: Quest, active: boolean) => {
    if (!active) {
      const ok = await confirm({
        title: "Deactivate quest",
        message: `Deactivate “${quest.title}”? Players stop progressing on it and keep their history.`,
        confirmLabel: "Deactivate",
        danger: true,
      });
      if (!ok) return;
    }
    try {
      if (active) await updateQuest({ quest_id: quest.quest_id, changes: { is_active: true } });
      else await deactivateQuest({ quest_id: quest.quest_id });
      showToast({ message: `Quest “${quest.title}” ${active ? "activated" : "deactivated"}` });
    } catch (error) {
      showError(error);
    }
    refresh();
  };

  return (
    <Screen
      title="Quests"
      aside={
        <Button onClick={() => setEditing("new")} disabled={!rewards.data?.data.length || !reachable}>
          New quest
        </Button>
      }
    >
      {rewards.data && rewards.data.data.length === 0 && (
        <Alert color="yellow">Create a reward first: every quest pays one.</Alert>
      )}
      <QueryState query={quests} what="quests" />
      {quests.data && (
        <AdminList
          label="Quests"
          rows={quests.data.data}
          rowKey={(quest) => quest.quest_id}
          rowProps={(quest) => ({ "data-quest-name": quest.name })}
          columns={[
            {
              header: "Quest",
              cell: (quest) => (
                <>
                  <Text fw={600}>{quest.title}</Text>
                  <Text size="xs" c="dimmed">
                    {quest.name}
                  </Text>
                </>
              ),
            },
            { header: "Rule", cell: ruleText },
            { header: "Reward", cell: (quest) => <Amount qty={quest.reward.reward_qty} item={quest.reward.reward_item} /> },
            {
              header: "State",
              cell: (quest) => (
                // A long rule beside it must not squeeze the word ("ACTI…").
                <Badge color={quest.is_active ? "teal" : "gray"} variant="light" miw="max-content">
                  {quest.is_active ? "Active" : "Inactive"}
                </Badge>
              ),
            },
          ]}
          actions={(quest) => {
            const toggle = quest.is_active ? "Deactivate" : "Activate";
            return [
              { label: "Edit", ariaLabel: `Edit ${quest.title}`, onClick: () => setEditing(quest) },
              {
                label: toggle,
                ariaLabel: `${toggle} ${quest.title}`,
                variant: "subtle",
                color: quest.is_active ? "red" : "teal",
                onClick: () => void setActive(quest, !quest.is_active),
              },
            ];
          }}
        />
      )}
      <Modal
        opened={editing !== null}
        onClose={() => setEditing(null)}
        title={editing === "new" ? "New quest" : "Edit quest"}
        size="min(72rem, 96vw)"
      >
        {editing !== null && rewards.data && eventTypes.data && (
          <QuestForm
            quest={editing === "new" ? null : editing}
            rewards={rewards.data.data}
            eventTypes={eventTypes.data.data}
            quests={quests.data?.data ?? []}
            onSubmit={save}
            onCancel={() => setEditing(null)}
          />
        )}
      </Modal>
      {confirmDialog}
    </Screen>
  );
}
