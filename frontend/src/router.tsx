import type { QueryClient } from "@tanstack/react-query";
import {
  createRootRouteWithContext,
  createRoute,
  createRouter,
  lazyRouteComponent,
  Outlet,
  redirect,
  type AnyRoute,
  type RouteComponent,
} from "@tanstack/react-router";
import type { SessionStore } from "./auth/session";
import { useSession } from "./auth/useSession";
import { AppLayout } from "./components/AppLayout";
import { Forbidden } from "./components/Forbidden";
import { safeRedirect } from "./lib/authErrors";
import { HistoryPage } from "./pages/HistoryPage";
import { LeaderboardPage } from "./pages/LeaderboardPage";
import { LoginPage } from "./pages/LoginPage";
import { MyRewardsPage } from "./pages/MyRewardsPage";
import { NotFoundPage } from "./pages/NotFoundPage";
import { PlayerPage } from "./pages/PlayerPage";
import { ProfilePage } from "./pages/ProfilePage";
import { QuestLogPage } from "./pages/QuestLogPage";
import { ShopPage } from "./pages/ShopPage";
import { SignupPage } from "./pages/SignupPage";

export interface RouterContext {
  queryClient: QueryClient;
  session: SessionStore;
}

const rootRoute = createRootRouteWithContext<RouterContext>()({
  component: Outlet,
  notFoundComponent: NotFoundPage,
});

const loginRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/login",
  validateSearch: (search: Record<string, unknown>): { redirect?: string } =>
    typeof search.redirect === "string" ? { redirect: search.redirect } : {},
  beforeLoad: ({ context, search }) => {
    if (context.session.getState().status === "authenticated") {
      throw redirect({ to: safeRedirect(search.redirect) });
    }
  },
  component: LoginPage,
});

const signupRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/signup",
  beforeLoad: ({ context }) => {
    if (context.session.getState().status === "authenticated") throw redirect({ to: "/" });
  },
  component: SignupPage,
});

// Everything under this layout needs a session; without one, back to sign-in (and back here after).
const appRoute = createRoute({
  getParentRoute: () => rootRoute,
  id: "app",
  beforeLoad: ({ context, location }) => {
    if (context.session.getState().status !== "authenticated") {
      throw redirect({ to: "/login", search: { redirect: location.href } });
    }
  },
  component: AppLayout,
});

/** A screen at `path` under `parent`. */
function screen<TParent extends AnyRoute, TPath extends string>(
  parent: TParent,
  path: TPath,
  component: RouteComponent,
) {
  return createRoute({ getParentRoute: () => parent, path, component });
}

const playerRoutes = [
  screen(appRoute, "/", QuestLogPage),
  screen(appRoute, "/history", HistoryPage),
  screen(appRoute, "/leaderboard", LeaderboardPage),
  screen(appRoute, "/profile", ProfilePage),
  screen(appRoute, "/players/$userName", PlayerPage),
  screen(appRoute, "/shop", ShopPage),
  screen(appRoute, "/rewards", MyRewardsPage),
];

/** Players get a clear refusal here; the services refuse their tokens on admin routes anyway. */
function AdminGate() {
  const state = useSession();
  return state.status === "authenticated" && state.user.role === "admin" ? <Outlet /> : <Forbidden />;
}

const adminRoute = createRoute({ getParentRoute: () => appRoute, path: "/admin", component: AdminGate });
const adminIndexRoute = createRoute({
  getParentRoute: () => adminRoute,
  path: "/",
  beforeLoad: ({ context }) => {
    const state = context.session.getState();
    if (state.status === "authenticated" && state.user.role === "admin") throw redirect({ to: "/admin/quests" });
  },
});

// Admin screens load on first visit: players never download them.
const AdminQuestsPage = lazyRouteComponent(() => import("./pages/admin/AdminQuestsPage"), "AdminQuestsPage");
const AdminRewardsPage = lazyRouteComponent(() => import("./pages/admin/AdminRewardsPage"), "AdminRewardsPage");
const AdminUsersPage = lazyRouteComponent(() => import("./pages/admin/AdminUsersPage"), "AdminUsersPage");
const AdminIncidentsPage = lazyRouteComponent(() => import("./pages/admin/AdminIncidentsPage"), "AdminIncidentsPage");
const AdminAuditPage = lazyRouteComponent(() => import("./pages/admin/operator/AdminAuditPage"), "AdminAuditPage");
const AdminOffersPage = lazyRouteComponent(() => import("./pages/admin/AdminOffersPage"), "AdminOffersPage");
const AdminOpsPage = lazyRouteComponent(() => import("./pages/admin/operator/AdminOpsPage"), "AdminOpsPage");
const AdminEventTypesPage = lazyRouteComponent(() => import("./pages/admin/AdminEventTypesPage"), "AdminEventTypesPage");
const AdminEventSourcesPage = lazyRouteComponent(
  () => import("./pages/admin/AdminEventSourcesPage"),
  "AdminEventSourcesPage",
);

const adminRoutes = [
  adminIndexRoute,
  screen(adminRoute, "/quests", AdminQuestsPage),
  screen(adminRoute, "/rewards", AdminRewardsPage),
  screen(adminRoute, "/users", AdminUsersPage),
  screen(adminRoute, "/incidents", AdminIncidentsPage),
  screen(adminRoute, "/audit", AdminAuditPage),
  screen(adminRoute, "/ops", AdminOpsPage),
  screen(adminRoute, "/offers", AdminOffersPage),
  screen(adminRoute, "/event-types", AdminEventTypesPage),
  screen(adminRoute, "/event-sources", AdminEventSourcesPage),
];

const routeTree = rootRoute.addChildren([
  loginRoute,
  signupRoute,
  appRoute.addChildren([...playerRoutes, adminRoute.addChildren(adminRoutes)]),
]);

export function makeRouter(context: RouterContext) {
  return createRouter({ routeTree, context, defaultPreload: "intent", scrollRestoration: true });
}

declare module "@tanstack/react-router" {
  interface Register {
    router: ReturnType<typeof makeRouter>;
  }
}
