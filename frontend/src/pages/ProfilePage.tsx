import { Stack, Title } from "@mantine/core";
import { PersonalDataSection } from "./profile/PersonalDataSection";

export function ProfilePage() {
  return (
    <Stack>
      <Title order={2}>Profile</Title>
      <PersonalDataSection />
    </Stack>
  );
}
