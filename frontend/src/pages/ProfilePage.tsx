import { Stack, Title } from "@mantine/core";
import { TimeZoneSection } from "../components/profile/TimeZoneSection";
import { PersonalDataSection } from "./profile/PersonalDataSection";

/** The player's profile: one small component per section. */
export function ProfilePage() {
  return (
    <Stack>
      <Title order={1} size="h2">
        Profile
      </Title>
      <TimeZoneSection />
      <PersonalDataSection />
    </Stack>
  );
}
