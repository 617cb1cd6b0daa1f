import { Screen } from "../components/Screen";
import { AccountSection } from "../components/profile/AccountSection";
import { BadgesSection } from "../components/profile/BadgesSection";
import { TimeZoneSection } from "../components/profile/TimeZoneSection";
import { PersonalDataSection } from "./profile/PersonalDataSection";

/** The player's profile: one small component per section. */
export function ProfilePage() {
  return (
    <Screen title="Profile">
      <BadgesSection />
      <TimeZoneSection />
      <AccountSection />
      <PersonalDataSection />
    </Screen>
  );
}
