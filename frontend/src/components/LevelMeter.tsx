import { Group, Progress, Stack, Text, Tooltip } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { queries } from "../api/queries";
import { levelProgress } from "../lib/progression";

/** The header's level and XP bar: how far into the current level the player is. */
export function LevelMeter() {
  const me = useQuery(queries.me());
  if (!me.data) return null;
  const { percent, label } = levelProgress(me.data);
  return (
    <Tooltip label={label}>
      <Group gap={6} wrap="nowrap" data-testid="level-meter" aria-label={`Level ${me.data.level}, ${label}`} role="group">
        <Text span fw={800} size="sm" data-testid="level" className="level-chip">
          Lv {me.data.level}
        </Text>
        {/* A phone's header has no room for the bar: the level alone, the bar on the profile. */}
        <Stack gap={0} w={96} visibleFrom="xs">
          <Progress value={percent} size="sm" radius="xl" color="grape" aria-hidden />
        </Stack>
      </Group>
    </Tooltip>
  );
}
