import { request } from "./http";
import type { ClaimResult, Page, PlayerEvent, QuestProgress } from "./types";

const BASE = "/api/processing";

export const NOTIFICATIONS_STREAM_URL = `${BASE}/notifications/stream`;

export const getMyQuests = () => request<Page<QuestProgress>>(`${BASE}/me/quests`);

export const claimQuest = ({ quest_id }: { quest_id: string }) =>
  request<ClaimResult>(`${BASE}/me/quests/${encodeURIComponent(quest_id)}/claim`, { method: "POST" });

export const getMyEvents = ({ limit, offset }: { limit: number; offset: number }) =>
  request<Page<PlayerEvent>>(`${BASE}/me/events`, { query: { limit, offset } });
