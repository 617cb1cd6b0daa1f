import * as sdk from "../client/catalog";
import { call } from "./http";
import type { Page, Quest, QuestInput, Reward, RewardInput } from "./types";

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
  call<Quest>((o) => sdk.createQuest({ ...o, body: { ...quest, trigger: "sign_in" } }));

export const updateQuest = ({ quest_id, changes }: { quest_id: string; changes: Partial<QuestInput> }) =>
  call<Quest>((o) => sdk.updateQuest({ ...o, path: { quest_id }, body: changes }));

/** Deactivates: the catalog keeps the quest (and processing its history). */
export const deactivateQuest = ({ quest_id }: { quest_id: string }) =>
  call<unknown>((o) => sdk.deactivateQuest({ ...o, path: { quest_id } }));
