import { request } from "./http";
import type { Page, Quest, QuestInput, Reward, RewardInput } from "./types";

const BASE = "/api/catalog";

export const listRewards = () => request<Page<Reward>>(`${BASE}/rewards`);

export const createReward = ({ reward }: { reward: RewardInput }) =>
  request<Reward>(`${BASE}/rewards`, { method: "POST", json: reward });

export const updateReward = ({ reward_id, changes }: { reward_id: string; changes: Partial<RewardInput> }) =>
  request<Reward>(`${BASE}/rewards/${encodeURIComponent(reward_id)}`, { method: "PATCH", json: changes });

export const deleteReward = ({ reward_id }: { reward_id: string }) =>
  request<unknown>(`${BASE}/rewards/${encodeURIComponent(reward_id)}`, { method: "DELETE" });

/** Every quest, inactive ones included (the admin page shows both). */
export const listQuests = ({ active }: { active?: boolean } = {}) =>
  request<Page<Quest>>(`${BASE}/quests`, { query: { active } });

export const createQuest = ({ quest }: { quest: QuestInput }) =>
  request<Quest>(`${BASE}/quests`, { method: "POST", json: quest });

export const updateQuest = ({ quest_id, changes }: { quest_id: string; changes: Partial<QuestInput> }) =>
  request<Quest>(`${BASE}/quests/${encodeURIComponent(quest_id)}`, { method: "PATCH", json: changes });

/** Deactivates: the catalog keeps the quest (and processing its history). */
export const deactivateQuest = ({ quest_id }: { quest_id: string }) =>
  request<unknown>(`${BASE}/quests/${encodeURIComponent(quest_id)}`, { method: "DELETE" });
