import { Anchor, AppShell, Burger, Button, Group, NavLink, Text, Tooltip, VisuallyHidden } from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import { useQueryClient } from "@tanstack/react-query";
import { Link, Outlet, useNavigate, useRouterState } from "@tanstack/react-router";
import { useEffect } from "react";
import { session } from "../auth/session";
import { useSession } from "../auth/useSession";
import { useNotificationStream } from "../notifications/useNotificationStream";
import { LevelMeter } from "./LevelMeter";
import { ThemeToggle } from "./ThemeToggle";

const LINKS = [
  { to: "/", label: "Quest log" },
  { to: "/history", label: "History" },
  { to: "/leaderboard", label: "Leaderboard" },
  { to: "/profile", label: "Profile" },
  { to: "/shop", label: "Shop" },
  { to: "/rewards", label: "My rewards" },
] as const;

const ADMIN_LINKS = [
  { to: "/admin/quests", label: "Quests" },
  { to: "/admin/rewards", label: "Rewards" },
  { to: "/admin/users", label: "Players" },
  { to: "/admin/incidents", label: "Incidents" },
  { to: "/admin/audit", label: "Audit" },
  { to: "/admin/ops", label: "Operations" },
  { to: "/admin/offers", label: "Offers" },
  { to: "/admin/event-types", label: "Event types" },
  { to: "/admin/event-sources", label: "Event sources" },
] as const;

type NavItem = (typeof LINKS)[number] | (typeof ADMIN_LINKS)[number];

export function AppLayout() {
  const state = useSession();
  const user = state.status === "authenticated" ? state.user : null;
  const [opened, { toggle, close }] = useDisclosure(false);
  const pathname = useRouterState({ select: (s) => s.location.pathname });
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const stream = useNotificationStream(user?.userId ?? null);

  const signOut = async () => {
    close();
    await session.logout();
    queryClient.clear();
    await navigate({ to: "/login" });
  };

  // While the phone's drawer is open no toast shows (styles.css): it would sit over the menu.
  useEffect(() => {
    if (!opened) return;
    document.body.setAttribute("data-nav-open", "");
    return () => document.body.removeAttribute("data-nav-open");
  }, [opened]);

  const isActive = (to: string) => (to === "/" ? pathname === "/" : pathname.startsWith(to));
  // Following a link closes the navigation drawer on a phone.
  const navLinks = (links: readonly NavItem[]) =>
    links.map((link) => (
      <NavLink
        key={link.to}
        component={Link}
        to={link.to}
        label={link.label}
        active={isActive(link.to)}
        onClick={close}
      />
    ));

  return (
    <AppShell
      header={{ height: 60 }}
      navbar={{ width: 230, breakpoint: "sm", collapsed: { mobile: !opened } }}
      padding="md"
    >
      <a href="#main" className="skip-link">
        Skip to content
      </a>
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap" className="app-header-bar">
          <Group gap="sm" wrap="nowrap">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label="Toggle navigation" />
            <Anchor component={Link} to="/" underline="never" c="inherit" className="brand">
              <Text span fw={800} fz="xl" variant="gradient" gradient={{ from: "yellow.4", to: "orange.5", deg: 90 }} className="brand-text">
                ⚔️ Quest Log
              </Text>
            </Anchor>
          </Group>
          <Group gap="sm" wrap="nowrap" className="app-header-actions">
            <LevelMeter />
            <Tooltip label={stream === "open" ? "Live updates on" : "Reconnecting to live updates…"}>
              <span
                className={`live-dot live-dot--${stream === "open" ? "on" : "off"}`}
                role="status"
                aria-label={stream === "open" ? "Live updates on" : "Live updates reconnecting"}
              />
            </Tooltip>
            <Text size="sm" visibleFrom="xs" data-testid="signed-in-as">
              <VisuallyHidden>Signed in as </VisuallyHidden>
              {user?.userName}
            </Text>
            <ThemeToggle />
            <Button variant="subtle" size="compact-sm" onClick={signOut}>
              Sign out
            </Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="sm" aria-label="Main">
        {/* The header has no room for the name on a phone: the drawer says who is signed in. */}
        <Text size="sm" c="dimmed" px="sm" pb="xs" hiddenFrom="sm" data-testid="drawer-signed-in-as">
          Signed in as{" "}
          <Text span fw={700} c="var(--mantine-color-text)">
            {user?.userName}
          </Text>
        </Text>
        {navLinks(LINKS)}
        {user?.role === "admin" && (
          <>
            <Text size="xs" tt="uppercase" fw={700} c="dimmed" mt="lg" mb={4} px="sm">
              Admin
            </Text>
            {navLinks(ADMIN_LINKS)}
          </>
        )}
      </AppShell.Navbar>
      <AppShell.Main id="main" tabIndex={-1}>
        <Outlet />
      </AppShell.Main>
    </AppShell>
  );
}
