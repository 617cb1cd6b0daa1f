import * as sdk from "../client/processing";
import type { QuestProgressPublic } from "../client/processing";
import { call } from "./http";
import type { ClaimResult, Page, Quest, QuestProgress } from "./types";

// The stream is read by our own fetch-based client (notifications/sse.ts), which reconnects
// with Last-Event-ID and refreshes the token; the generated SSE helper does neither.
export const NOTIFICATIONS_STREAM_URL = "/api/processing/notifications/stream";

/** The one narrowing left: processing's OpenAPI types the embedded catalog quest as an object. */
function withQuest(progress: QuestProgressPublic): QuestProgress {
  return { ...progress, quest: progress.quest as unknown as Quest };
}

export const getMyQuests = async (): Promise<Page<QuestProgress>> => {
  const page = await call((o) => sdk.myQuests(o));
  return { count: page.count, data: page.data.map(withQuest) };
};

export const claimQuest = async ({ quest_id }: { quest_id: string }): Promise<ClaimResult> => {
  const result = await call((o) => sdk.claimReward({ ...o, path: { quest_id } }));
  return { ...result, progress: withQuest(result.progress) };
};

export const getMyEvents = ({ limit, offset }: { limit: number; offset: number }) =>
  call((o) => sdk.myEvents({ ...o, query: { limit, offset } }));
