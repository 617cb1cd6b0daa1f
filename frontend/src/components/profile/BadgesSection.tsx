import { Badge, Group, Progress, Text } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { queries } from "../../api/queries";
import type { BadgePublic } from "../../client/auth";
import { formatDate } from "../../lib/format";
import { levelProgress } from "../../lib/progression";
import { LoadError } from "../LoadError";
import { Section } from "../Section";

/** Badges as chips, oldest first, each with the day it was earned. */
export function BadgeList({ badges }: { badges: BadgePublic[] }) {
  if (badges.length === 0) return <Text c="dimmed">No badges yet: some quests give one.</Text>;
  return (
    <Group gap="xs" data-testid="badges">
      {badges.map((badge) => (
        <Badge
          key={badge.badge}
          size="lg"
          variant="light"
          color="grape"
          tt="none"
          title={`earned ${formatDate(badge.earned_at)}`}
        >
          🏅 {badge.badge}
        </Badge>
      ))}
    </Group>
  );
}

/** The player's level and badges on their own profile. */
export function BadgesSection() {
  const me = useQuery(queries.me());
  const badges = useQuery(queries.myBadges());
  return (
    <Section title="Level and badges">
      {me.data && (
        <>
          <Text data-testid="profile-level">
            Level {me.data.level} · {me.data.xp.toLocaleString("en-US")} XP
          </Text>
          <Progress value={levelProgress(me.data).percent} size="md" radius="xl" color="grape" aria-hidden maw={420} />
          <Text size="sm" c="dimmed">
            {levelProgress(me.data).label}
          </Text>
        </>
      )}
      {badges.isError ? <LoadError what="your badges" error={badges.error} /> : <BadgeList badges={badges.data?.data ?? []} />}
    </Section>
  );
}
