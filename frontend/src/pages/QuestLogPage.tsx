import { Group, Loader, SimpleGrid, Text } from "@mantine/core";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useRef, useState } from "react";
import { ApiError } from "../api/errors";
import { claimQuest } from "../api/processing";
import { keys, queries } from "../api/queries";
import type { ClaimResult, Page, QuestProgress } from "../api/types";
import { Balances } from "../components/Balances";
import { LoadError } from "../components/LoadError";
import { Screen } from "../components/Screen";
import { QuestCard } from "../components/QuestCard";
import { showError, showToast } from "../components/toast";
import { usePendingSignIn } from "../components/usePendingSignIn";
import { claimRefusal } from "../lib/playerTime";
import { useReachable } from "../components/useReachable";
import { formatAmount } from "../lib/format";
import { claimRefusalToShow, sortForQuestLog } from "../lib/progress";
import { eventTypeOf, SIGN_IN } from "../lib/questMeasure";

/**
 * Claims, one at a time per quest: the lock is taken on the first press (a ref, so a double
 * click's second press, arriving before React re-renders the button, finds it taken), and a
 * 409 that only repeats a claim that just went through is not shown as an error.
 */
function useClaims() {
  const queryClient = useQueryClient();
  const inFlight = useRef(new Set<string>());
  const succeededAt = useRef(new Map<string, number>());
  const [pending, setPending] = useState<ReadonlySet<string>>(new Set());

  const settle = (questId: string) => {
    inFlight.current.delete(questId);
    setPending(new Set(inFlight.current));
  };

  const succeeded = (result: ClaimResult) => {
    succeededAt.current.set(result.progress.quest.quest_id, Date.now());
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
  };

  const failed = (questId: string, error: unknown) => {
    const status = error instanceof ApiError ? error.status : null;
    if (claimRefusalToShow(status, succeededAt.current.get(questId), Date.now())) {
      showError(error, claimRefusal(error));
    }
    void queryClient.invalidateQueries({ queryKey: keys.myQuests });
  };

  const claim = (questId: string) => {
    if (inFlight.current.has(questId)) return;
    inFlight.current.add(questId);
    setPending(new Set(inFlight.current));
    claimQuest({ quest_id: questId })
      .then(succeeded, (error: unknown) => failed(questId, error))
      .finally(() => settle(questId));
  };

  return { claim, pending };
}

export function QuestLogPage() {
  const reachable = useReachable();
  const me = useQuery(queries.me());
  const quests = useQuery(queries.myQuests());
  // Titles of event types ("Match won"), asked for only once a quest counts something else
  // than sign-ins; until they come (or if the catalog cannot say), cards show the type's name.
  const anyEvent = quests.data?.data.some((p) => eventTypeOf(p) !== SIGN_IN) ?? false;
  const eventTypes = useQuery({ ...queries.eventTypes(), enabled: anyEvent });
  const titles = new Map(eventTypes.data?.data.map((t) => [t.name, t.title]));
  const counting = usePendingSignIn();
  const { claim, pending } = useClaims();

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
              typeTitle={titles.get(eventTypeOf(progress))}
              pending={pending.has(progress.quest.quest_id)}
              counting={counting && progress.status !== "done"}
              disabled={!reachable}
              onClaim={() => claim(progress.quest.quest_id)}
            />
          ))}
        </SimpleGrid>
      )}
    </Screen>
  );
}
