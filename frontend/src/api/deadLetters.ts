import * as sdk from "../client/processing";
import type { DeadLetterPublic, DeadLettersPublic } from "../client/processing";
import { call } from "./http";

export type { DeadLetterPublic, DeadLettersPublic };

/** The dead letters processing keeps (newest first), for admins. */
export const listDeadLetters = ({ limit, offset }: { limit: number; offset: number }) =>
  call((o) => sdk.deadLetters({ ...o, query: { limit, offset } }));

/** Publish a dead letter's body to the work queue again; the answer is the row, now replayed. */
export const replayDeadLetter = (dead_letter_id: string) =>
  call((o) => sdk.replayDeadLetter({ ...o, path: { dead_letter_id } }));
