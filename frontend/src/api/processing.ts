import * as sdk from "../client/processing";
import { call } from "./http";
import type { ClaimResult, Page, PlayerEvent, QuestProgress } from "./types";

// The stream is read by our own fetch-based client (notifications/sse.ts), which reconnects
// with Last-Event-ID and refreshes the token; the generated SSE helper does neither.
export const NOTIFICATIONS_STREAM_URL = "/api/processing/notifications/stream";

// Processing's OpenAPI types the embedded catalog quest as a loose object; the casts narrow it
// to the catalog's QuestPublic, which is what processing embeds.
export const getMyQuests = () =>
  call((o) => sdk.myQuestsApiProcessingMeQuestsGet(o)).then((page) => page as Page<QuestProgress>);

export const claimQuest = ({ quest_id }: { quest_id: string }) =>
  call((o) => sdk.claimRewardApiProcessingMeQuestsQuestIdClaimPost({ ...o, path: { quest_id } })).then(
    (result) => result as ClaimResult,
  );

export const getMyEvents = ({ limit, offset }: { limit: number; offset: number }) =>
  call<Page<PlayerEvent>>((o) => sdk.myEventsApiProcessingMeEventsGet({ ...o, query: { limit, offset } }));
