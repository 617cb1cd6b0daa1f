import { Alert, Box, Button, Group, NumberInput, type NumberInputProps, Select, type SelectProps } from "@mantine/core";
import type { ReactNode } from "react";

/** A refusal above a form's fields, announced to screen readers; nothing when there is none. */
export function ErrorAlert({ error, testId = "form-error" }: { error: string | null | undefined; testId?: string }) {
  if (!error) return null;
  return (
    <Alert color="red" role="alert" data-testid={testId}>
      {error}
    </Alert>
  );
}

/**
 * The footer of every form and dialog: Cancel, then the action. Without `onConfirm` the action
 * submits the enclosing form. `sticky` keeps it in view while a long form's fields scroll.
 */
export function DialogActions({
  label,
  onCancel,
  onConfirm,
  loading,
  disabled,
  color,
  sticky = false,
  autoFocus = false,
  note,
}: {
  label: string;
  onCancel: () => void;
  onConfirm?: () => void;
  loading?: boolean;
  disabled?: boolean;
  color?: string;
  sticky?: boolean;
  autoFocus?: boolean;
  /** Beside the buttons (what still stops the action, e.g. a form's errors). */
  note?: ReactNode;
}) {
  return (
    <Group justify="flex-end" className={sticky ? "form-actions" : undefined}>
      {note && <Box className="form-actions-note">{note}</Box>}
      <Button variant="default" onClick={onCancel}>
        Cancel
      </Button>
      <Button
        type={onConfirm ? "button" : "submit"}
        onClick={onConfirm}
        loading={loading}
        disabled={disabled}
        color={color}
        data-autofocus={autoFocus || undefined}
      >
        {label}
      </Button>
    </Group>
  );
}

/**
 * A whole number as typed: no decimals, and no silent clamping (0 or −5 stays as typed and
 * gets the validation message, never a quiet 1).
 */
export function WholeNumberInput(props: NumberInputProps) {
  return <NumberInput clampBehavior="none" allowDecimal={false} {...props} />;
}

/** A select that always holds one of its options (clicking the chosen one keeps it). */
export function ChoiceSelect(props: SelectProps) {
  return <Select allowDeselect={false} {...props} />;
}
