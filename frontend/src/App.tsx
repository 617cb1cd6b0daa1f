import { Center, Loader, MantineProvider } from "@mantine/core";
import { useMediaQuery } from "@mantine/hooks";
import { Notifications } from "@mantine/notifications";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { RouterProvider } from "@tanstack/react-router";
import { useEffect, useMemo, useState } from "react";
import { connectivity, probeServer } from "./api/connectivity";
import { ApiError, isUnreachable } from "./api/errors";
import { session } from "./auth/session";
import { OutageBanner } from "./components/OutageBanner";
import { makeRouter } from "./router";
import { colorSchemeManager, theme } from "./theme";

function makeQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 10_000,
        // A 4xx will not get better by asking again; an outage is retried by the banner.
        retry: (count, error) => !(error instanceof ApiError && error.status < 500) && !isUnreachable(error) && count < 2,
      },
    },
  });
}

/**
 * Toasts: at most 3; on phones at the top, on wide screens bottom right (clear of the header's
 * controls). Below modals (z-index 200): a toast never covers a dialog's buttons.
 */
function Toasts() {
  const phone = useMediaQuery("(max-width: 600px)");
  return <Notifications position={phone ? "top-center" : "bottom-right"} limit={3} containerWidth={380} zIndex={190} />;
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
    // Retry (the banner's button or its backoff): ask again for what is on screen.
    const stopRetry = connectivity.onRetry(() => {
      void probeServer();
      void queryClient.refetchQueries({ type: "active" });
    });
    void session.restore().finally(() => setReady(true));
    return () => {
      unsubscribe();
      stopRetry();
    };
  }, [queryClient, router]);

  return (
    <MantineProvider theme={theme} defaultColorScheme="auto" colorSchemeManager={colorSchemeManager}>
      <Toasts />
      <OutageBanner />
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
