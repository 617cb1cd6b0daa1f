import * as authSdk from "../client/auth";
import * as catalogSdk from "../client/catalog";
import * as sdk from "../client/processing";
import type { AuditEntriesPublic, ProcessingOps, QuestTrace, SimulationPublic } from "../client/processing";
import type { AuditSource } from "../lib/operator";
import { call } from "./http";
import type { QuestInput } from "./types";

export type { ProcessingOps, QuestTrace, SimulationPublic };

/** The quest form's draft as a simulation takes it (the reward referenced by id). */
export function simulationDraft(quest: QuestInput) {
  return {
    name: quest.name || "draft",
    title: quest.title || "Draft quest",
    streak: quest.streak,
    duplication: quest.duplication,
    auto_claim: quest.auto_claim,
    streak_mode: quest.streak_mode,
    reward_id: quest.reward_id,
    starts_at: quest.starts_at,
    ends_at: quest.ends_at,
  };
}

export const startSimulation = ({ quest, since, until }: { quest: QuestInput; since: string; until?: string | null }) =>
  call((o) =>
    sdk.startSimulation({
      ...o,
      body: { quest: simulationDraft(quest), since, until: until ?? null },
    }),
  );

export const getSimulation = (simulation_id: string) =>
  call((o) => sdk.readSimulation({ ...o, path: { simulation_id } }));

export const getMyTrace = (quest_id: string) =>
  call((o) => sdk.myQuestTrace({ ...o, path: { quest_id } }));

export const getUserTrace = ({ user_id, quest_id }: { user_id: string; quest_id: string }) =>
  call((o) => sdk.userQuestTrace({ ...o, path: { user_id, quest_id } }));

const LIMIT = 200;

/** The newest audit entries of each service (the page merges them). */
export const getAudits = async (): Promise<AuditSource[]> => {
  const [auth, catalog, processing] = await Promise.all([
    call((o) => authSdk.readAudit({ ...o, query: { limit: LIMIT } })),
    call((o) => catalogSdk.readAudit({ ...o, query: { limit: LIMIT } })),
    call((o) => sdk.readAudit({ ...o, query: { limit: LIMIT } })),
  ]);
  return [
    { service: "auth", page: auth as AuditEntriesPublic },
    { service: "catalog", page: catalog as AuditEntriesPublic },
    { service: "processing", page: processing },
  ];
};

export const getProcessingOps = () => call((o) => sdk.operations(o));
export const getAuthOps = () => call((o) => authSdk.operations(o));
export const getCatalogOps = () => call((o) => catalogSdk.operations(o));

export const adjustBalance = ({
  user_id,
  item,
  qty,
  reason,
}: {
  user_id: string;
  item: "diamond" | "gold" | "xp";
  qty: number;
  reason: string;
}) =>
  call((o) =>
    authSdk.adjustBalance({ ...o, path: { user_id }, body: { item, qty, reason } }),
  );

// Everything held about a player can be a large document: longer than a screen's read may take.
const EXPORT_TIMEOUT_MS = 60_000;
export const getAuthExport = () => call((o) => authSdk.exportMe(o), { timeoutMs: EXPORT_TIMEOUT_MS });
export const getProcessingExport = () => call((o) => sdk.myExport(o), { timeoutMs: EXPORT_TIMEOUT_MS });

export const deleteMyAccount = ({ password }: { password: string }) =>
  call((o) => authSdk.deleteMe({ ...o, body: { password } }));
