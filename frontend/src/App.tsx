import { Center, Loader, MantineProvider } from "@mantine/core";
import { Notifications } from "@mantine/notifications";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { RouterProvider } from "@tanstack/react-router";
import { useEffect, useMemo, useState } from "react";
import { ApiError } from "./api/errors";
import { session } from "./auth/session";
import { makeRouter } from "./router";
import { theme } from "./theme";

function makeQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 10_000,
        // A 4xx will not get better by asking again; network errors and 5xx might.
        retry: (count, error) => !(error instanceof ApiError && error.status < 500) && count < 2,
      },
    },
  });
}

export function App() {
  const queryClient = useMemo(makeQueryClient, []);
  const router = useMemo(() => makeRouter({ queryClient, session }), [queryClient]);
  const [ready, setReady] = useState(session.getState().status !== "loading");

  useEffect(() => {
    let previous = session.getState().status;
    const unsubscribe = session.subscribe((state) => {
      if (state.status !== previous) {
        previous = state.status;
        if (state.status === "anonymous") queryClient.clear();
        // Re-run the route guards: a session that ended anywhere sends the player to sign-in.
        void router.invalidate();
      }
    });
    void session.restore().finally(() => setReady(true));
    return unsubscribe;
  }, [queryClient, router]);

  return (
    <MantineProvider theme={theme} defaultColorScheme="dark">
      {/* Bottom corner: toasts must not cover the header's controls (sign out, navigation). */}
      <Notifications position="bottom-right" limit={5} containerWidth={380} />
      <QueryClientProvider client={queryClient}>
        {ready ? (
          <RouterProvider router={router} />
        ) : (
          <Center mih="100dvh">
            <Loader aria-label="Restoring your session" />
          </Center>
        )}
      </QueryClientProvider>
    </MantineProvider>
  );
}
