import { Badge, Button, Card, Group, Loader, SimpleGrid, Stack, Text, Title } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { useRef } from "react";
import { ApiError } from "../api/errors";
import { keys, queries } from "../api/queries";
import { redeemOffer } from "../api/shop";
import type { Offer } from "../api/types";
import { Amount } from "../components/Amount";
import { Balances } from "../components/Balances";
import { useConfirm } from "../components/ConfirmDialog";
import { LoadError } from "../components/LoadError";
import { Screen } from "../components/Screen";
import { showError, showToast } from "../components/toast";
import { useReachable } from "../components/useReachable";
import { formatAmount } from "../lib/format";
import { balanceWords, heldBy, newPurchaseKey, stockWords, whyNot } from "../lib/shop";

function OfferCard({
  offer,
  balance,
  reason,
  busy,
  disabled,
  onRedeem,
}: {
  offer: Offer;
  balance: number | undefined;
  reason: string | null;
  busy: boolean;
  disabled: boolean;
  onRedeem: () => void;
}) {
  const reasonId = `why-not-${offer.offer_id}`;
  return (
    <Card withBorder radius="md" padding="lg" component="article" aria-label={offer.title} data-testid="offer-card">
      <Stack gap="xs" h="100%">
        <Group justify="space-between" wrap="nowrap" align="flex-start">
          <Title order={2} size="h4">
            {offer.title}
          </Title>
          <Badge
            color={offer.stock === 0 ? "gray" : "teal"}
            variant="light"
            tt="none"
            style={{ flexShrink: 0 }}
            data-testid="offer-stock"
          >
            {stockWords(offer.stock)}
          </Badge>
        </Group>
        {offer.description && (
          <Text size="sm" c="dimmed">
            {offer.description}
          </Text>
        )}
        <Group gap="xs" mt="auto" wrap="wrap">
          <Text fw={700} fz="lg" component="span">
            <Amount qty={offer.price_qty} item={offer.price_item} />
          </Text>
          {balance !== undefined && (
            <Text size="sm" c="dimmed" data-testid="offer-balance">
              ({balanceWords(balance, offer.price_item)})
            </Text>
          )}
        </Group>
        <Button
          onClick={onRedeem}
          loading={busy}
          disabled={disabled || reason !== null}
          aria-describedby={reason ? reasonId : undefined}
          fullWidth
        >
          Redeem
        </Button>
        {reason && (
          <Text size="sm" c="dimmed" id={reasonId} data-testid="offer-reason">
            {reason}
          </Text>
        )}
      </Stack>
    </Card>
  );
}

export function ShopPage() {
  const queryClient = useQueryClient();
  const reachable = useReachable();
  const me = useQuery(queries.me());
  const offers = useQuery(queries.offers());
  const mine = useQuery(queries.myRedemptions({ limit: 100, offset: 0 }));
  const [confirm, confirmDialog] = useConfirm();
  // One key per purchase, kept until it has a definite answer: a second click or a retry of
  // the same purchase sends the same key, and the catalog makes one redemption of it.
  const purchaseKeys = useRef(new Map<string, string>());

  const redeem = useMutation({
    mutationFn: ({ offer, key }: { offer: Offer; key: string }) => redeemOffer({ offer_id: offer.offer_id, key }),
    onSuccess: (result, { offer }) => {
      if (result.status === "done") {
        purchaseKeys.current.delete(offer.offer_id);
        showToast({ color: "teal", message: `“${offer.title}” is yours — your code: ${result.code}` });
      } else {
        showToast({
          color: "yellow",
          message: `“${offer.title}” is reserved for you; it completes as soon as the wallet answers (see My rewards).`,
        });
      }
    },
    onError: (error, { offer }) => {
      if (error instanceof ApiError && error.status < 500) purchaseKeys.current.delete(offer.offer_id);
      showError(error, error instanceof ApiError && error.status === 409 ? `Not bought: ${String(error.detail)}` : undefined);
    },
    onSettled: () => {
      void queryClient.invalidateQueries({ queryKey: keys.offers });
      void queryClient.invalidateQueries({ queryKey: keys.me });
    },
  });

  const buy = async (offer: Offer) => {
    if (redeem.isPending) return;
    const ok = await confirm({
      title: "Redeem",
      message: `Spend ${formatAmount(offer.price_qty, offer.price_item)} on “${offer.title}”?`,
      confirmLabel: "Redeem",
    });
    if (!ok || redeem.isPending) return;
    let key = purchaseKeys.current.get(offer.offer_id);
    if (!key) {
      key = newPurchaseKey();
      purchaseKeys.current.set(offer.offer_id, key);
    }
    redeem.mutate({ offer, key });
  };

  const now = new Date();
  const held = mine.data?.data ?? [];
  return (
    <Screen title="Shop" aside={<Balances diamond={me.data?.diamond} gold={me.data?.gold} />} gap="lg">
      <Text size="sm">
        Spend what your quests earned. Your codes are under{" "}
        <Text component={Link} to="/rewards" c="blue" inherit>
          My rewards
        </Text>
        .
      </Text>
      {offers.isPending && (
        <Group justify="center" p="xl">
          <Loader aria-label="Loading the shop" />
        </Group>
      )}
      <LoadError what="the shop" error={offers.error} />
      {offers.data && offers.data.data.length === 0 && <Text c="dimmed">Nothing on sale right now. Check back soon.</Text>}
      {offers.data && offers.data.data.length > 0 && (
        <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }} spacing="lg">
          {offers.data.data.map((offer) => {
            const balance = me.data ? (offer.price_item === "diamond" ? me.data.diamond : me.data.gold) : undefined;
            return (
              <OfferCard
                key={offer.offer_id}
                offer={offer}
                balance={balance}
                reason={whyNot(offer, { balance, held: heldBy(held, offer.offer_id), now })}
                busy={redeem.isPending && redeem.variables?.offer.offer_id === offer.offer_id}
                disabled={!reachable || redeem.isPending}
                onRedeem={() => void buy(offer)}
              />
            );
          })}
        </SimpleGrid>
      )}
      {confirmDialog}
    </Screen>
  );
}
