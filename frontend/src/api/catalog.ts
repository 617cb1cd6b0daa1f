import * as sdk from "../client/catalog";
import { call } from "./http";
import type { EventType, EventTypeInput, Page, Quest, QuestInput, Reward, RewardInput } from "./types";

export const listRewards = () => call<Page<Reward>>((o) => sdk.readRewards(o));

export const createReward = ({ reward }: { reward: RewardInput }) =>
  call<Reward>((o) => sdk.createReward({ ...o, body: reward }));

export const updateReward = ({ reward_id, changes }: { reward_id: string; changes: Partial<RewardInput> }) =>
  call<Reward>((o) => sdk.updateReward({ ...o, path: { reward_id }, body: changes }));

export const deleteReward = ({ reward_id }: { reward_id: string }) =>
  call<unknown>((o) => sdk.deleteReward({ ...o, path: { reward_id } }));

/** Quests, inactive ones included unless `active` says otherwise (the admin page shows both). */
export const listQuests = ({ active }: { active?: boolean } = {}) =>
  call<Page<Quest>>((o) => sdk.readQuests({ ...o, query: { active, limit: 1000 } }));

export const createQuest = ({ quest }: { quest: QuestInput }) =>
  // No `trigger`: the catalog derives it from the event type.
  call<Quest>((o) => sdk.createQuest({ ...o, body: quest }));

export const updateQuest = ({ quest_id, changes }: { quest_id: string; changes: Partial<QuestInput> }) =>
  call<Quest>((o) => sdk.updateQuest({ ...o, path: { quest_id }, body: changes }));

/** Deactivates: the catalog keeps the quest (and processing its history). */
export const deactivateQuest = ({ quest_id }: { quest_id: string }) =>
  call<unknown>((o) => sdk.deactivateQuest({ ...o, path: { quest_id } }));

/** Event types, inactive ones included unless `active` says otherwise. */
export const listEventTypes = ({ active }: { active?: boolean } = {}) =>
  call<Page<EventType>>((o) => sdk.readEventTypes({ ...o, query: { active, limit: 1000 } }));

/** Create or replace by name (a deactivated type comes back active). */
export const putEventType = ({ eventType }: { eventType: EventTypeInput }) => {
  const { name, ...body } = eventType;
  return call<EventType>((o) => sdk.upsertEventType({ ...o, path: { name }, body }));
};

/** Deactivates (409 while an active quest counts it). */
export const deactivateEventType = ({ name }: { name: string }) =>
  call<EventType>((o) => sdk.deactivateEventType({ ...o, path: { name } }));
