import * as sdk from "../client/processing";
import type { IncidentPublic } from "../client/processing";
import { call } from "./http";
import type { Page } from "./types";

export type Incident = IncidentPublic;

export const listIncidents = () =>
  call<Page<Incident>>((o) => sdk.listIncidents({ ...o, query: { limit: 100 } }));

export const declareIncident = (body: { starts_at: string; ends_at: string; reason: string }) =>
  call<Incident>((o) => sdk.declareIncident({ ...o, body }));

export const withdrawIncident = (incident_id: string) =>
  call<unknown>((o) => sdk.withdrawIncident({ ...o, path: { incident_id } }));

/** Move an incident's end; `ends_at` now ends a running one now. */
export const endIncident = (incident_id: string, ends_at: string) =>
  call<Incident>((o) => sdk.endIncident({ ...o, path: { incident_id }, body: { ends_at } }));
