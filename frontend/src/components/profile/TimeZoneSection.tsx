import { Alert, Button, Group, Select, Text } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import { browserTimeZone, updateMyTimeZone } from "../../api/auth";
import { ApiError, describeDetail } from "../../api/errors";
import { keys, queries } from "../../api/queries";
import { timeZoneOptions, zoneChangeRefusal, zoneLabel } from "../../lib/timeZones";
import { LoadError } from "../LoadError";
import { Section } from "../Section";

/** The player's time zone: shown, explained, and changed at most once a week. */
export function TimeZoneSection() {
  const me = useQuery(queries.me());
  const queryClient = useQueryClient();
  const current = me.data?.time_zone ?? null;
  const [choice, setChoice] = useState<string | null>(null);
  const options = useMemo(
    () => timeZoneOptions(current).map((zone) => ({ value: zone, label: zoneLabel(zone) })),
    [current],
  );
  const change = useMutation({
    mutationFn: (zone: string) => updateMyTimeZone(zone),
    onSuccess: async () => {
      setChoice(null);
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: keys.myUser }),
        queryClient.invalidateQueries({ queryKey: keys.myQuests }),
      ]);
    },
  });
  const browser = browserTimeZone();
  const refusal = zoneChangeRefusal(change.error);
  const selected = choice ?? current;

  return (
    <Section title="Time zone">
      {me.isError ? (
        <LoadError what="your profile" error={me.error} />
      ) : (
        <Text data-testid="current-time-zone">
          Your days are counted in <strong>{current ? zoneLabel(current) : "…"}</strong>: a daily quest's day starts
          at your local midnight there.
        </Text>
      )}
      <Text size="sm" c="dimmed">
        You can change your time zone once every 7 days, so that travelling (or pretending to) can't add extra days
        to a streak. A day that already counted never counts twice.
      </Text>
      <Group align="flex-end" gap="sm">
        <Select
          label="Choose a time zone"
          placeholder="Type to search, e.g. Paris"
          searchable
          data={options}
          value={selected}
          onChange={setChoice}
          nothingFoundMessage="No such time zone"
          maxDropdownHeight={280}
          w={{ base: "100%", xs: 320 }}
          data-testid="time-zone-select"
        />
        <Button
          onClick={() => selected && change.mutate(selected)}
          disabled={!selected || selected === current}
          loading={change.isPending}
        >
          Change time zone
        </Button>
      </Group>
      {browser && current && browser !== current && (
        <Text size="sm">
          This browser is in {zoneLabel(browser)}.{" "}
          <Button variant="subtle" size="compact-sm" onClick={() => setChoice(browser)}>
            Use it
          </Button>
        </Text>
      )}
      {refusal && (
        <Alert color="orange" data-testid="time-zone-refused">
          {refusal}
        </Alert>
      )}
      {change.isError && !refusal && (
        <Alert color="red">
          {change.error instanceof ApiError ? describeDetail(change.error.detail) : "The change did not go through."}
        </Alert>
      )}
      {change.isSuccess && (
        <Alert color="teal" data-testid="time-zone-changed">
          Time zone changed to {zoneLabel(change.data.time_zone)}.
        </Alert>
      )}
    </Section>
  );
}
