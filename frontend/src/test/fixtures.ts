import type { QuestProgress } from "../api/types";

/** A progress item as GET /api/processing/me/quests returns it, with overrides. */
export function progressItem(overrides: Partial<QuestProgress> = {}, questOverrides: Partial<QuestProgress["quest"]> = {}): QuestProgress {
  return {
    quest: {
      quest_id: "6b0c5f38-8f0e-4a8e-9d0a-1c3f0e7a1111",
      name: "sign-in-three-times",
      title: "Sign in three times",
      description: "Sign in 3 times, get 10 diamonds.",
      trigger: "sign_in",
      streak: 3,
      duplication: 2,
      auto_claim: false,
      streak_mode: "count",
      reward_id: "0d7c2f1e-1111-4c3b-9a55-2f8f9a0b2222",
      is_active: true,
      reset: "none",
      grace_days: 0,
      cooldown_s: 0,
      claim_within_s: null,
      created_at: "2025-01-01T00:00:00Z",
      updated_at: "2025-01-01T00:00:00Z",
      reward: {
        reward_id: "0d7c2f1e-1111-4c3b-9a55-2f8f9a0b2222",
        reward_name: "ten-diamonds",
        reward_item: "diamond",
        reward_qty: 10,
      },
      ...questOverrides,
    },
    streak: 0,
    target: 3,
    completed: 0,
    duplication: 2,
    claimed: 0,
    claimable: 0,
    status: "in_progress",
    time_zone: "UTC",
    period_ends_at: null,
    grace_left: 0,
    next_count_at: null,
    expiring: [],
    expired: 0,
    counted_today: false,
    ...overrides,
  };
}
