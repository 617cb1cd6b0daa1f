import { Center, Loader, MantineProvider } from "@mantine/core";
import { useMediaQuery } from "@mantine/hooks";
import { Notifications } from "@mantine/notifications";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { RouterProvider } from "@tanstack/react-router";
import { useEffect, useMemo, useState } from "react";
import { connectivity, probeServer } from "./api/connectivity";
import { ApiError, isUnreachable } from "./api/errors";
import { session, type SessionState } from "./auth/session";
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
 * Toasts: on wide screens at most 3, bottom right (clear of the header's controls). On phones
 * one at a time, at the bottom, as one compact line: the header, the balances and the cards'
 * badges sit at the top, and the navigation drawer covers them (styles.css). Below modals
 * (z-index 200) and the phone's drawer: a toast never covers a dialog's buttons or the menu.
 */
function Toasts() {
  const phone = useMediaQuery("(max-width: 600px)");
  return (
    <Notifications
      position={phone ? "bottom-center" : "bottom-right"}
      limit={phone ? 1 : 3}
      containerWidth={phone ? 360 : 380}
      zIndex={phone ? 90 : 190}
    />
  );
}

export function App() {
  const queryClient = useMemo(makeQueryClient, []);
  const router = useMemo(() => makeRouter({ queryClient, session }), [queryClient]);
  const [ready, setReady] = useState(session.getState().status !== "loading");

  useEffect(() => {
    // Who is signed in, not only whether: another tab may sign a different player in.
    const who = (state: SessionState) => (state.status === "authenticated" ? state.user.userId : state.status);
    let previous = who(session.getState());
    const unsubscribe = session.subscribe((state) => {
      if (who(state) !== previous) {
        const switched = previous !== "loading" && previous !== "anonymous";
        previous = who(state);
        if (state.status === "anonymous" || switched) queryClient.clear();
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
