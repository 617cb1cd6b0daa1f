import { Modal, SegmentedControl, Stack, TextInput } from "@mantine/core";
import { useInputState } from "@mantine/hooks";
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { adjustBalance } from "../../../api/operator";
import type { BoardItem, User } from "../../../api/types";
import { DialogActions, ErrorAlert } from "../../../components/FormParts";
import { showToast } from "../../../components/toast";
import { parseAdjustment } from "../../../lib/operator";

/** "Adjust balance": a signed correction with its reason, written to the ledger by auth. A
 * balance never goes below 0: auth's 409 is shown as it says it. */
export function AdjustBalanceDialog({ user, onClose }: { user: User; onClose: () => void }) {
  const queryClient = useQueryClient();
  const [item, setItem] = useState<BoardItem>("diamond");
  const [qty, setQty] = useInputState("");
  const [reason, setReason] = useInputState("");
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);

  const save = async () => {
    const parsed = parseAdjustment(qty, reason);
    if ("error" in parsed) {
      setError(parsed.error);
      return;
    }
    setSaving(true);
    setError(null);
    try {
      const result = await adjustBalance({ user_id: user.user_id, item, qty: parsed.qty, reason: reason.trim() });
      showToast({ color: "teal", message: `${user.user_name}: ${item} balance now ${result.balance}` });
      await queryClient.invalidateQueries();
      onClose();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setSaving(false);
    }
  };

  return (
    <Modal opened onClose={onClose} title={`Adjust balance — ${user.user_name}`} centered>
      <Stack gap="sm">
        <ErrorAlert error={error} testId="adjust-error" />
        <SegmentedControl
          value={item}
          onChange={(v) => setItem(v as BoardItem)}
          data={[
            { value: "diamond", label: "Diamond" },
            { value: "gold", label: "Gold" },
            { value: "xp", label: "XP" },
          ]}
          aria-label="Item"
        />
        <TextInput
          label="Quantity"
          description="Positive adds, negative takes away"
          inputMode="numeric"
          value={qty}
          onChange={setQty}
        />
        <TextInput label="Reason" required value={reason} onChange={setReason} />
        <DialogActions label="Adjust" onCancel={onClose} onConfirm={() => void save()} loading={saving} />
      </Stack>
    </Modal>
  );
}
