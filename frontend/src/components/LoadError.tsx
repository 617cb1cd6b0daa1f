import { Alert } from "@mantine/core";
import { isUnreachable } from "../api/errors";

/** "Could not load …" for a failed query; nothing during an outage (the banner says it once). */
export function LoadError({ what, error }: { what: string; error: Error | null }) {
  if (!error || isUnreachable(error)) return null;
  return (
    <Alert color="red" role="alert">
      Could not load {what}: {error.message}
    </Alert>
  );
}
