import { notifications } from "@mantine/notifications";
import { isUnreachable } from "../api/errors";

/**
 * Every toast goes through here: information is announced politely (role="status"), only
 * errors interrupt (role="alert"), and the close button says what it does.
 */
export function showToast({ message, color = "blue" }: { message: string; color?: string }): void {
  notifications.show({
    message,
    color,
    role: "status",
    autoClose: 6_000,
    withBorder: true,
    closeButtonProps: { "aria-label": "Dismiss notification" },
  });
}

/** An error toast; none when the server is unreachable (the outage banner already says so). */
export function showError(error: unknown, message?: string): void {
  if (isUnreachable(error)) return;
  notifications.show({
    message: message ?? (error instanceof Error ? error.message : String(error)),
    color: "red",
    role: "alert",
    autoClose: 10_000,
    withBorder: true,
    closeButtonProps: { "aria-label": "Dismiss notification" },
  });
}
