import { Badge, Button, Modal, SimpleGrid, Stack, Switch, Tabs, Textarea, TextInput } from "@mantine/core";
import { useForm } from "@mantine/form";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { ApiError, fieldErrors } from "../../api/errors";
import { keys, queries } from "../../api/queries";
import { createOffer, deleteOffer, updateOffer } from "../../api/shop";
import type { Offer, OfferInput, RedemptionAdmin } from "../../api/types";
import { AdminList } from "../../components/AdminList";
import { Amount } from "../../components/Amount";
import { useConfirm } from "../../components/ConfirmDialog";
import { ChoiceSelect, DialogActions, ErrorAlert, WholeNumberInput } from "../../components/FormParts";
import { QueryState } from "../../components/LoadError";
import { type PagedList, PagedTable } from "../../components/PagedTable";
import { Screen } from "../../components/Screen";
import { showError, showToast } from "../../components/toast";
import { useReachable } from "../../components/useReachable";
import { formatDateTime } from "../../lib/format";
import { stockWords } from "../../lib/shop";
import { changedFields } from "./QuestForm";
import { fromLocalInput, SLUG_HINT, SLUG_RE, toLocalInput } from "./questValidation";

const FIELDS = ["name", "title", "description", "price_item", "price_qty", "stock", "per_player_limit", "starts_at", "ends_at"] as const;
const ITEMS = [
  { value: "diamond", label: "💎 Diamond" },
  { value: "gold", label: "🪙 Gold" },
];

/** The form keeps optional numbers and times as text: "" means none (unlimited, no limit, open). */
type OfferFormValues = Omit<OfferInput, "stock" | "per_player_limit" | "starts_at" | "ends_at"> & {
  stock: number | string;
  per_player_limit: number | string;
  starts_at: string;
  ends_at: string;
};

function offerToInput(offer: Offer | null): OfferInput {
  return {
    name: offer?.name ?? "",
    title: offer?.title ?? "",
    description: offer?.description ?? "",
    price_item: offer?.price_item ?? "diamond",
    price_qty: offer?.price_qty ?? 10,
    stock: offer?.stock ?? null,
    per_player_limit: offer?.per_player_limit ?? null,
    is_active: offer?.is_active ?? true,
    starts_at: offer?.starts_at ?? null,
    ends_at: offer?.ends_at ?? null,
  };
}

const optional = (value: number | string) => (value === "" || value === null ? null : Number(value));
const whole = (min: number) => (value: number | string) =>
  value === "" || (Number.isInteger(Number(value)) && Number(value) >= min) ? null : `A whole number, at least ${min} (or empty)`;

function OfferForm({ offer, onSubmit, onCancel }: { offer: Offer | null; onSubmit: (values: OfferInput) => Promise<unknown>; onCancel: () => void }) {
  const [formError, setFormError] = useState<string | null>(null);
  const initial = offerToInput(offer);
  const form = useForm<OfferFormValues>({
    initialValues: {
      ...initial,
      stock: initial.stock ?? "",
      per_player_limit: initial.per_player_limit ?? "",
      starts_at: toLocalInput(initial.starts_at),
      ends_at: toLocalInput(initial.ends_at),
    },
    validate: {
      name: (v) => (SLUG_RE.test(v) ? null : SLUG_HINT.replace("daily-visitor", "golden-frame")),
      title: (v) => (v.trim() ? null : "A title players read"),
      price_qty: (v) => (Number.isInteger(Number(v)) && Number(v) >= 1 ? null : "Price must be a whole number, at least 1"),
      stock: whole(0),
      per_player_limit: whole(1),
    },
  });
  const submit = form.onSubmit(async (values) => {
    setFormError(null);
    try {
      await onSubmit({
        ...values,
        price_qty: Number(values.price_qty),
        stock: optional(values.stock),
        per_player_limit: optional(values.per_player_limit),
        starts_at: fromLocalInput(values.starts_at),
        ends_at: fromLocalInput(values.ends_at),
      });
    } catch (error) {
      if (error instanceof ApiError && error.status === 409) {
        form.setFieldError("name", "An offer with this name exists already: pick another name");
        return;
      }
      const { _form, ...errors } = fieldErrors(error, FIELDS);
      form.setErrors(errors);
      if (_form) setFormError(_form);
    }
  });
  return (
    <form onSubmit={submit} noValidate aria-label={offer ? "Edit offer" : "New offer"}>
      <Stack>
        <ErrorAlert error={formError} />
        <TextInput label="Name" description="Unique slug, e.g. golden-frame" required {...form.getInputProps("name")} />
        <TextInput label="Title" required {...form.getInputProps("title")} />
        <Textarea label="Description" autosize minRows={2} {...form.getInputProps("description")} />
        <SimpleGrid cols={{ base: 1, xs: 2 }} spacing="sm">
          <ChoiceSelect label="Paid in" data={ITEMS} {...form.getInputProps("price_item")} />
          <WholeNumberInput label="Price" min={1} required {...form.getInputProps("price_qty")} />
          <WholeNumberInput label="Stock" description="Empty: unlimited" min={0} {...form.getInputProps("stock")} />
          <WholeNumberInput label="Per player" description="Empty: no limit" min={1} {...form.getInputProps("per_player_limit")} />
          <TextInput type="datetime-local" label="On sale from" description="Empty: now" {...form.getInputProps("starts_at")} />
          <TextInput type="datetime-local" label="On sale until" description="Empty: no end" {...form.getInputProps("ends_at")} />
        </SimpleGrid>
        <Switch label="On sale (active)" {...form.getInputProps("is_active", { type: "checkbox" })} />
        <DialogActions label={offer ? "Save offer" : "Create offer"} onCancel={onCancel} loading={form.submitting} sticky />
      </Stack>
    </form>
  );
}

const REDEMPTIONS: PagedList<RedemptionAdmin> = {
  query: queries.adminRedemptions,
  rowKey: (r) => r.redemption_id,
  columns: [
    { header: "When", cell: (r) => formatDateTime(r.created_at) },
    { header: "Offer", cell: (r) => r.offer.title },
    { header: "Player", cell: (r) => r.user_id.slice(0, 8) },
    { header: "Price", cell: (r) => <Amount qty={r.price.qty} item={r.price.item} size={14} /> },
    { header: "Status", cell: (r) => (r.status === "pending" ? `pending (${r.attempts} attempts)` : r.status) },
    { header: "Code or reason", cell: (r) => r.code ?? r.refusal ?? r.last_error ?? "—" },
  ],
  label: "Redemptions",
  what: "redemptions",
  empty: "No redemptions yet.",
  count: ["redemption", "redemptions"],
};

export function AdminOffersPage() {
  const queryClient = useQueryClient();
  const reachable = useReachable();
  const offers = useQuery(queries.adminOffers());
  const [editing, setEditing] = useState<Offer | "new" | null>(null);
  const [confirm, confirmDialog] = useConfirm();

  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: keys.adminOffers });
    void queryClient.invalidateQueries({ queryKey: keys.offers });
  };

  const save = async (values: OfferInput) => {
    if (editing === "new") {
      await createOffer({ offer: values });
    } else if (editing) {
      await updateOffer({ offer_id: editing.offer_id, changes: changedFields(offerToInput(editing), values) });
    }
    showToast({ color: "teal", message: `Offer “${values.title}” saved` });
    setEditing(null);
    refresh();
  };

  const remove = async (offer: Offer) => {
    const ok = await confirm({
      title: "Delete offer",
      message: `Delete offer “${offer.title}”? Players keep what they bought.`,
      confirmLabel: "Delete",
      danger: true,
    });
    if (!ok) return;
    try {
      await deleteOffer({ offer_id: offer.offer_id });
      showToast({ message: `Offer “${offer.title}” deleted` });
    } catch (error) {
      showError(
        error,
        error instanceof ApiError && error.status === 409
          ? "Some redemptions of this offer are still completing: try again once they are settled."
          : undefined,
      );
    }
    refresh();
  };

  return (
    <Screen
      title="Offers"
      aside={
        <Button onClick={() => setEditing("new")} disabled={!reachable}>
          New offer
        </Button>
      }
    >
      <Tabs defaultValue="offers" keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="offers">Offers</Tabs.Tab>
          <Tabs.Tab value="redemptions">Redemptions</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="offers" pt="md">
          <QueryState query={offers} what="offers" />
          {offers.data && (
            <AdminList
              label="Offers"
              rows={offers.data.data}
              rowKey={(offer) => offer.offer_id}
              columns={[
                { header: "Title", cell: (offer) => offer.title },
                { header: "Price", cell: (offer) => <Amount qty={offer.price_qty} item={offer.price_item} /> },
                { header: "Stock", cell: (offer) => stockWords(offer.stock) },
                {
                  header: "State",
                  cell: (offer) => (
                    <Badge color={offer.is_active ? "teal" : "gray"} variant="light">
                      {offer.is_active ? "On sale" : "Off"}
                    </Badge>
                  ),
                },
              ]}
              actions={(offer) => [
                { label: "Edit", ariaLabel: `Edit ${offer.title}`, onClick: () => setEditing(offer) },
                {
                  label: "Delete",
                  ariaLabel: `Delete ${offer.title}`,
                  variant: "subtle",
                  color: "red",
                  onClick: () => void remove(offer),
                },
              ]}
            />
          )}
        </Tabs.Panel>
        <Tabs.Panel value="redemptions" pt="md">
          <PagedTable list={REDEMPTIONS} />
        </Tabs.Panel>
      </Tabs>
      <Modal opened={editing !== null} onClose={() => setEditing(null)} title={editing === "new" ? "New offer" : "Edit offer"}>
        {editing !== null && <OfferForm offer={editing === "new" ? null : editing} onSubmit={save} onCancel={() => setEditing(null)} />}
      </Modal>
      {confirmDialog}
    </Screen>
  );
}
