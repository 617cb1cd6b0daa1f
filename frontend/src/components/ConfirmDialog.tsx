import { Modal, Stack, Text } from "@mantine/core";
import { type ReactNode, useCallback, useRef, useState } from "react";
import { DialogActions } from "./FormParts";

export interface ConfirmOptions {
  title: string;
  message: ReactNode;
  confirmLabel: string;
  /** Red for what takes something away (ban, delete, deactivate). */
  danger?: boolean;
}

/**
 * The one kind of confirmation in the UI (never `window.confirm`, which looks different in
 * every browser and cannot be styled or tested like the rest): `await confirm({...})`.
 */
export function useConfirm(): [(options: ConfirmOptions) => Promise<boolean>, ReactNode] {
  const [options, setOptions] = useState<ConfirmOptions | null>(null);
  const resolver = useRef<((ok: boolean) => void) | null>(null);

  const confirm = useCallback((next: ConfirmOptions) => {
    resolver.current?.(false);
    setOptions(next);
    return new Promise<boolean>((resolve) => {
      resolver.current = resolve;
    });
  }, []);

  const answer = (ok: boolean) => {
    resolver.current?.(ok);
    resolver.current = null;
    setOptions(null);
  };

  const dialog = (
    <Modal opened={options !== null} onClose={() => answer(false)} title={options?.title} centered>
      <Stack>
        <Text size="sm">{options?.message}</Text>
        <DialogActions
          label={options?.confirmLabel ?? ""}
          onCancel={() => answer(false)}
          onConfirm={() => answer(true)}
          color={options?.danger ? "red.9" : undefined}
          autoFocus
        />
      </Stack>
    </Modal>
  );
  return [confirm, dialog];
}
