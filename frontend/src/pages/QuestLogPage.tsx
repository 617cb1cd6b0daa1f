import { Alert, Group, Loader, SimpleGrid, Stack, Text, Title } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { getMe } from "../api/auth";
import { ApiError } from "../api/errors";
import { claimQuest, getMyQuests } from "../api/processing";
import type { Page, QuestProgress } from "../api/types";
import { Balances } from "../components/Balances";
import { QuestCard } from "../components/QuestCard";
import { formatAmount } from "../lib/format";

export const meQueryKey = ["me", "user"] as const;
export const myQuestsQueryKey = ["me", "quests"] as const;

export function QuestLogPage() {
  const queryClient = useQueryClient();
  const me = useQuery({ queryKey: meQueryKey, queryFn: getMe });
  const quests = useQuery({ queryKey: myQuestsQueryKey, queryFn: getMyQuests });

  const claim = useMutation({
    mutationFn: (questId: string) => claimQuest({ quest_id: questId }),
    onSuccess: (result) => {
      queryClient.setQueryData<Page<QuestProgress>>(myQuestsQueryKey, (old) =>
        old
          ? {
              ...old,
              data: old.data.map((p) => (p.quest.quest_id === result.progress.quest.quest_id ? result.progress : p)),
            }
          : old,
      );
      if (!result.credited) {
        notifications.show({
          color: "yellow",
          message: `Claimed ${formatAmount(result.qty, result.item)} — it will be credited shortly`,
        });
      }
      void queryClient.invalidateQueries({ queryKey: ["me"] });
    },
    onError: (error) => {
      const message =
        error instanceof ApiError && error.status === 409 ? "Nothing to claim on this quest yet." : error.message;
      notifications.show({ color: "red", message });
      void queryClient.invalidateQueries({ queryKey: myQuestsQueryKey });
    },
  });

  return (
    <Stack gap="lg">
      <Group justify="space-between" align="center">
        <Title order={1} size="h2">
          Quest log
        </Title>
        <Balances diamond={me.data?.diamond} gold={me.data?.gold} />
      </Group>
      {quests.isPending && (
        <Group justify="center" p="xl">
          <Loader aria-label="Loading quests" />
        </Group>
      )}
      {quests.isError && (
        <Alert color="red" role="alert">
          Could not load your quests: {quests.error.message}
        </Alert>
      )}
      {quests.data && quests.data.data.length === 0 && (
        <Text c="dimmed">No active quests right now. Check back soon, adventurer.</Text>
      )}
      {quests.data && quests.data.data.length > 0 && (
        <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }} spacing="lg">
          {quests.data.data.map((progress) => (
            <QuestCard
              key={progress.quest.quest_id}
              progress={progress}
              pending={claim.isPending && claim.variables === progress.quest.quest_id}
              onClaim={() => claim.mutate(progress.quest.quest_id)}
            />
          ))}
        </SimpleGrid>
      )}
    </Stack>
  );
}
