import { Badge, Group } from "@mantine/core";
import { QueryClientContext } from "@tanstack/react-query";
import { useContext, useEffect, useState } from "react";
import { keys } from "../api/queries";
import type { QuestProgress } from "../api/types";
import { timeNotes } from "../lib/playerTime";

/** The current time, re-read every `everyMs` so countdowns move on their own. */
export function useNow(everyMs = 15_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}

/** "resets in 5 h 12 min", "come back tomorrow", "1 freeze left", "claim within 2 days". */
export function QuestTimeNotes({ progress }: { progress: QuestProgress }) {
  const now = useNow();
  const queryClient = useContext(QueryClientContext);
  // A reset or the next counting moment has come: the server's view of this quest changed.
  const due = [progress.period_ends_at, progress.next_count_at].some((at) => at !== null && Date.parse(at) <= now);
  useEffect(() => {
    if (due) void queryClient?.invalidateQueries({ queryKey: keys.myQuests });
  }, [due, queryClient]);
  const notes = timeNotes(progress, now);
  if (notes.length === 0) return null;
  return (
    <Group gap={6} data-testid="quest-time-notes" aria-live="polite">
      {notes.map((note) => (
        <Badge
          key={note.key}
          data-testid={`quest-time-${note.key}`}
          variant="light"
          color={note.tone === "warn" ? "orange" : "gray"}
          radius="sm"
          tt="none"
          fw={500}
        >
          {note.text}
        </Badge>
      ))}
    </Group>
  );
}
