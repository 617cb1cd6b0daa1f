import { Text } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useParams } from "@tanstack/react-router";
import { queries } from "../api/queries";
import { QueryState } from "../components/LoadError";
import { Screen } from "../components/Screen";
import { Section } from "../components/Section";
import { BadgeList } from "../components/profile/BadgesSection";
import { formatDate } from "../lib/format";

/** Another player's public page: their level, badges and since when they play; never balances. */
export function PlayerPage() {
  const { userName } = useParams({ from: "/app/players/$userName" });
  const player = useQuery(queries.player(userName));
  return (
    <Screen title={userName}>
      <QueryState query={player} what="this player" loading="Loading player" />
      {player.data && (
        <Section title="Level and badges">
          <Text data-testid="player-level">
            Level {player.data.level} · playing since {formatDate(player.data.member_since)}
          </Text>
          <BadgeList badges={player.data.badges} />
        </Section>
      )}
    </Screen>
  );
}
