import * as sdk from "../client/auth";
import { call } from "./http";
import type { EventSource, EventSourceSecret, Page } from "./types";

/** Event sources: the OAuth2 clients game servers send events with (admin only). */
export const listEventSources = () => call<Page<EventSource>>((o) => sdk.listClients({ ...o, query: { limit: 500 } }));

/** A new client; its secret is in this answer only. */
export const createEventSource = ({ name, scopes }: { name: string; scopes: EventSource["scopes"] }) =>
  call<EventSourceSecret>((o) => sdk.createClient({ ...o, body: { name, scopes } }));

/** A new secret (shown once); the old one and its tokens stop working. */
export const rotateEventSourceSecret = ({ client_id }: { client_id: string }) =>
  call<EventSourceSecret>((o) => sdk.rotateClientSecret({ ...o, path: { client_id } }));

export const revokeEventSource = ({ client_id }: { client_id: string }) =>
  call<unknown>((o) => sdk.revokeClient({ ...o, path: { client_id } }));
