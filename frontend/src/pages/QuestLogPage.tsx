import { Group, Loader, SimpleGrid, Text } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { claimQuest } from "../api/processing";
import { keys, queries } from "../api/queries";
import type { Page, QuestProgress } from "../api/types";
import { Balances } from "../components/Balances";
import { LoadError } from "../components/LoadError";
import { Screen } from "../components/Screen";
import { QuestCard } from "../components/QuestCard";
import { showError, showToast } from "../components/toast";
import { claimRefusal } from "../lib/playerTime";
import { useReachable } from "../components/useReachable";
import { formatAmount } from "../lib/format";
import { sortForQuestLog } from "../lib/progress";

export function QuestLogPage() {
  const queryClient = useQueryClient();
  const reachable = useReachable();
  const me = useQuery(queries.me());
  const quests = useQuery(queries.myQuests());

  const claim = useMutation({
    mutationFn: (questId: string) => claimQuest({ quest_id: questId }),
    onSuccess: (result) => {
      queryClient.setQueryData<Page<QuestProgress>>(keys.myQuests, (old) =>
        old
          ? {
              ...old,
              data: old.data.map((p) => (p.quest.quest_id === result.progress.quest.quest_id ? result.progress : p)),
            }
          : old,
      );
      if (!result.credited) {
        showToast({ color: "yellow", message: `Claimed ${formatAmount(result.qty, result.item)} — it will be credited shortly` });
      }
      void queryClient.invalidateQueries({ queryKey: keys.me });
    },
    onError: (error) => {
      showError(error, claimRefusal(error));
      void queryClient.invalidateQueries({ queryKey: keys.myQuests });
    },
  });

  return (
    <Screen title="Quest log" aside={<Balances diamond={me.data?.diamond} gold={me.data?.gold} />} gap="lg">
      {quests.isPending && (
        <Group justify="center" p="xl">
          <Loader aria-label="Loading quests" />
        </Group>
      )}
      <LoadError what="your quests" error={quests.error} />
      {quests.data && quests.data.data.length === 0 && (
        <Text c="dimmed">No active quests right now. Check back soon, adventurer.</Text>
      )}
      {quests.data && quests.data.data.length > 0 && (
        <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }} spacing="lg">
          {sortForQuestLog(quests.data.data).map((progress) => (
            <QuestCard
              key={progress.quest.quest_id}
              progress={progress}
              pending={claim.isPending && claim.variables === progress.quest.quest_id}
              disabled={!reachable}
              onClaim={() => claim.mutate(progress.quest.quest_id)}
            />
          ))}
        </SimpleGrid>
      )}
    </Screen>
  );
}
