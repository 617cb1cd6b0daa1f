import { Alert, Loader } from "@mantine/core";
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

/**
 * What a screen shows of a query before its data: a spinner while it loads ("Loading players",
 * or `loading` when that reads better), then "Could not load …" if it failed.
 */
export function QueryState({
  query,
  what,
  loading = `Loading ${what}`,
}: {
  query: { isPending: boolean; error: Error | null };
  what: string;
  loading?: string;
}) {
  return (
    <>
      {query.isPending && <Loader aria-label={loading} />}
      <LoadError what={what} error={query.error} />
    </>
  );
}
